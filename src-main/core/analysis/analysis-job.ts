import os from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { Progress } from '../../api/types.ts';
import { openLibraryDatabase } from '../db/open.ts';
import { RateMeter, throttle } from '../jobs/progress.ts';
import { startWorker } from '../jobs/worker-entry.ts';
import { DEFAULT_VIEWS, emptyTimings, type DescriptorViewCount, type StageTimings } from './analyse-file.ts';
import type { AnalysisReply, AnalysisRequest, AnalysisWorkerData } from './analysis-messages.ts';
import { FeatureStore, type AnalysisTask } from './feature-store.ts';

/** Default deadline for one file (decode of the clip plus the DSP; ffmpeg's own limit is 60 s). */
export const DEFAULT_FILE_TIMEOUT_MS = 90_000;
/** Default V8 heap limit of one analysis worker (the decoders' WASM memory and typed arrays are outside it). */
export const DEFAULT_WORKER_HEAP_MB = 512;
/** After a cancel, workers get this long to finish their file before they are stopped (cancel ends within 2 s). */
const CANCEL_GRACE_MS = 1_200;
/**
 * A terminated worker whose thread does not exit by then is left behind (unref'd): one blocked in a
 * system call (a stalled network share, a FIFO) cannot exit until that call returns, and the pool does
 * not wait for it.
 */
const ABANDON_AFTER_MS = 500;

export interface AnalysisJobOptions {
  dataDir: string;
  /** Worker threads (default: `defaultWorkerCount()`: every core on a machine with ≤ 2 cores, else cores − 1). */
  workers?: number;
  allowFfmpeg?: boolean;
  onProgress?: (progress: AnalysisProgress) => void;
  progressIntervalMs?: number;
  /** A built analysis worker to run instead of the source one (benchmarks). */
  workerBundle?: URL;
  /**
   * Descriptor views per track: 3 (default) describes the clips centred at ¼ and ¾ of a track of ≥ 90 s
   * too; 1 only the main clip (cheaper: one decode per track).
   */
  views?: DescriptorViewCount;
  /**
   * Workers lower their own thread's priority with os.setPriority(10) (default true: analysis is background
   * work; on Linux only the worker thread is affected, so the UI and the main thread keep theirs).
   */
  lowPriority?: boolean;
  /**
   * Deadline per file, enforced here: a worker past it is stopped and replaced, and the file is recorded as
   * `timeout` against its size and mtime, so it is not tried again until it changes (default 90 s).
   */
  fileTimeoutMs?: number;
  /** V8 heap limit per worker in MB (default 512): a worker past it dies and its file is recorded as failed. */
  workerHeapMb?: number;
  /** Test-only fault injection, passed to the workers (see AnalysisWorkerData). */
  crashOnPathSuffix?: string;
}

export interface AnalysisProgress extends Progress {
  analysed: number;
  failed: number;
}

export interface AnalysisResult {
  analysed: number;
  /** Tracks that already had current features (nothing to do). */
  skipped: number;
  failed: { path: string; reason: string }[];
  /** Tracks removed from the library while the job ran (nothing stored for them). */
  removed: number;
  cancelled: boolean;
  durationMs: number;
  songsPerSecond: number;
  /** Mean milliseconds per analysed song for each stage, measured inside the workers. */
  stageMs: StageTimings;
  decoders: Record<string, number>;
  /** Per decoder: songs analysed and their mean milliseconds per song for each stage. */
  byDecoder: Record<string, { songs: number; stageMs: StageTimings }>;
  /** Descriptor views stored over all analysed songs (one per song, up to three for long tracks). */
  views: number;
  /** Workers replaced after they passed the deadline or died. */
  workersReplaced: number;
}

export interface AnalysisJob {
  result: Promise<AnalysisResult>;
  cancel(): void;
}

/**
 * Default pool size: cores − 1 leaves a core to the app; on machines with one or two cores that would halve
 * the analysis (below its 15 songs/s target with the descriptors), so there every core gets a worker and
 * the workers lower their own thread priority instead (see `lowPriority`), which keeps the app responsive.
 */
export function defaultWorkerCount(cores = os.availableParallelism()): number {
  return cores <= 2 ? Math.max(1, cores) : cores - 1;
}

/**
 * Analyses every track without current features on a pool of worker threads. Each worker stores its
 * results itself, one transaction per track, so a killed run resumes where it stopped. The pool keeps
 * the promises a worker cannot: a per-file deadline, the file of a worker that died recorded with the
 * reason (so it cannot crash every later run), every worker stopped on a fatal error, and a cancel that
 * ends within 2 s whatever a worker is doing (its unfinished file stays pending for the next run).
 */
export function startAnalysisJob(options: AnalysisJobOptions): AnalysisJob {
  const pool = new AnalysisPool(options);
  return { result: pool.run(), cancel: () => pool.cancel() };
}

interface Slot {
  worker: Worker;
  ready: boolean;
  task: AnalysisTask | null;
  deadline: NodeJS.Timeout | undefined;
  /** Why this worker is being ended on purpose (then its exit is expected). */
  ending: 'stop' | 'timeout' | 'cancel' | 'fatal' | null;
  error: Error | null;
}

class AnalysisPool {
  private tasks: AnalysisTask[] = [];
  private next = 0;
  private readonly slots = new Set<Slot>();
  private cancelled = false;
  private fatal: Error | null = null;
  private readonly counts = { analysed: 0, failed: 0, removed: 0, replaced: 0 };
  private readonly totals: StageTimings = emptyTimings();
  private readonly decoders: Record<string, number> = {};
  private readonly decoderTotals: Record<string, StageTimings> = {};
  private views = 0;
  private store: FeatureStore | undefined;
  private finished: (() => void) | undefined;
  private report: (value: void, force?: boolean) => void = () => undefined;

  constructor(private readonly options: AnalysisJobOptions) {}

  async run(): Promise<AnalysisResult> {
    const started = performance.now();
    // The pool's own connection: it lists the work and records what the workers cannot (deadline, death).
    const db = openLibraryDatabase(this.options.dataDir);
    try {
      this.store = new FeatureStore(db);
      this.tasks = this.store.pending();
      const skipped = this.store.countCurrent();
      const meter = new RateMeter();
      this.report = throttle<void>(() => {
        const { analysed, failed } = this.counts;
        this.options.onProgress?.({
          analysed,
          failed,
          ...meter.measure(analysed + failed + this.counts.removed, this.tasks.length),
        });
      }, this.options.progressIntervalMs ?? 200);

      const workerCount = Math.min(this.options.workers ?? defaultWorkerCount(), Math.max(1, this.tasks.length));
      const allExited = new Promise<void>((resolve) => (this.finished = resolve));
      if (this.tasks.length === 0 || this.cancelled) this.finished!();
      else for (let i = 0; i < workerCount; i++) this.spawn();
      await allExited;
      this.report(undefined, true);
      if (this.fatal) throw this.fatal;

      const failed = this.store.failures().map(({ path, reason }) => ({ path, reason }));
      const durationMs = performance.now() - started;
      const { analysed } = this.counts;
      const n = Math.max(1, analysed);
      const t = this.totals;
      return {
        analysed,
        skipped,
        failed,
        removed: this.counts.removed,
        cancelled: this.cancelled && analysed + this.counts.failed + this.counts.removed < this.tasks.length,
        durationMs,
        songsPerSecond: ((analysed + this.counts.failed) * 1000) / Math.max(1, durationMs),
        stageMs: meanTimings(t, n),
        decoders: this.decoders,
        byDecoder: Object.fromEntries(
          Object.entries(this.decoderTotals).map(([decoder, totals]) => {
            const songs = this.decoders[decoder] ?? 0;
            return [decoder, { songs, stageMs: meanTimings(totals, Math.max(1, songs)) }];
          }),
        ),
        views: this.views,
        workersReplaced: this.counts.replaced,
      };
    } finally {
      db.close();
    }
  }

  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    for (const slot of this.slots) {
      if (!slot.task) this.end(slot, 'stop');
    }
    // Busy workers may finish (and store) the file they are on, but not past the grace time.
    const timer = setTimeout(() => {
      // Their unfinished files are not recorded: they stay pending for the next run.
      for (const slot of this.slots) this.end(slot, 'cancel');
    }, CANCEL_GRACE_MS);
    timer.unref();
  }

  private spawn(): void {
    const o = this.options;
    const workerData: AnalysisWorkerData = {
      dataDir: o.dataDir,
      allowFfmpeg: o.allowFfmpeg ?? true,
      views: o.views ?? DEFAULT_VIEWS,
      lowPriority: o.lowPriority ?? true,
      ...(o.crashOnPathSuffix !== undefined ? { crashOnPathSuffix: o.crashOnPathSuffix } : {}),
    };
    const heap = o.workerHeapMb ?? DEFAULT_WORKER_HEAP_MB;
    const worker = startWorker('analysis', { workerData, resourceLimits: { maxOldGenerationSizeMb: heap } }, o.workerBundle);
    const slot: Slot = { worker, ready: false, task: null, deadline: undefined, ending: null, error: null };
    this.slots.add(slot);
    worker.on('message', (reply: AnalysisReply) => this.onReply(slot, reply));
    worker.on('error', (error) => (slot.error = error));
    worker.on('exit', (code) => this.onExit(slot, code));
  }

  private onReply(slot: Slot, reply: AnalysisReply): void {
    if (slot.ending) return;
    switch (reply.type) {
      case 'ready':
        slot.ready = true;
        return this.dispatch(slot);
      case 'analysed':
        this.counts.analysed++;
        this.decoders[reply.decoder] = (this.decoders[reply.decoder] ?? 0) + 1;
        this.views += reply.views;
        addTimings(this.totals, reply.timings);
        addTimings((this.decoderTotals[reply.decoder] ??= emptyTimings()), reply.timings);
        break;
      case 'failed':
        this.counts.failed++;
        break;
      case 'gone':
        this.counts.removed++;
        break;
      case 'fatal':
        return this.stopAll(new Error(reply.error));
    }
    this.settle(slot);
    this.report();
    this.dispatch(slot);
  }

  private dispatch(slot: Slot): void {
    if (this.cancelled || this.fatal || this.next >= this.tasks.length) return this.end(slot, 'stop');
    const task = this.tasks[this.next++]!;
    slot.task = task;
    const ms = this.options.fileTimeoutMs ?? DEFAULT_FILE_TIMEOUT_MS;
    slot.deadline = setTimeout(() => {
      const seconds = Math.round(ms / 100) / 10;
      this.recordFailure(
        task,
        'timeout',
        `no result after ${seconds} s: the decoder was stopped (the file is tried again once it changes)`,
      );
      this.end(slot, 'timeout');
    }, ms);
    slot.worker.postMessage({ type: 'analyse', task } satisfies AnalysisRequest);
  }

  private settle(slot: Slot): void {
    clearTimeout(slot.deadline);
    slot.deadline = undefined;
    slot.task = null;
  }

  /** Ends a worker on purpose: 'stop' lets it close its connection, the others terminate it now. */
  private end(slot: Slot, why: NonNullable<Slot['ending']>): void {
    if (slot.ending && slot.ending !== 'stop') return;
    const wasStopping = slot.ending === 'stop';
    slot.ending = why;
    if (why === 'stop') {
      if (!wasStopping) slot.worker.postMessage({ type: 'stop' } satisfies AnalysisRequest);
      // A worker that does not exit after 'stop' (something of its keeps the thread alive) is ended.
      setTimeout(() => this.terminate(slot), CANCEL_GRACE_MS).unref();
      return;
    }
    clearTimeout(slot.deadline);
    this.terminate(slot);
  }

  private terminate(slot: Slot): void {
    if (!this.slots.has(slot)) return;
    void slot.worker.terminate();
    setTimeout(() => {
      if (!this.slots.has(slot)) return;
      slot.worker.unref();
      this.onExit(slot, -1);
    }, ABANDON_AFTER_MS).unref();
  }

  private onExit(slot: Slot, code: number): void {
    if (!this.slots.has(slot)) return; // already left behind (see ABANDON_AFTER_MS)
    clearTimeout(slot.deadline);
    this.slots.delete(slot);
    const why = slot.ending;
    if (why === 'timeout') {
      this.counts.failed++;
      this.counts.replaced++;
      this.report();
      this.replace();
    } else if (why === null) {
      const detail = slot.error ? `${slot.error.message}` : `exit code ${code}`;
      if (slot.task) {
        // The file it was on is recorded, so it cannot crash every later run (a poison pill).
        this.recordFailure(slot.task, 'crashed', `the analysis worker died while reading this file (${detail})`);
        this.counts.failed++;
        this.counts.replaced++;
        this.report();
        this.replace();
      } else if (!slot.ready) {
        this.stopAll(new Error(`an analysis worker could not start (${detail})`));
      } else {
        this.replace();
      }
    }
    if (this.slots.size === 0) this.finished?.();
  }

  /** A new worker in place of one that was stopped or died, while there is work left. */
  private replace(): void {
    if (!this.cancelled && !this.fatal && this.next < this.tasks.length) this.spawn();
  }

  private recordFailure(task: AnalysisTask, code: string, reason: string): void {
    try {
      this.store!.saveFailure(task, code, reason);
    } catch (error) {
      this.stopAll(
        new Error(`cannot record the failure of ${task.path}: ${error instanceof Error ? error.message : String(error)}`),
      );
    }
  }

  /** A fatal error: every worker is stopped at once and the job fails with it. */
  private stopAll(error: Error): void {
    this.fatal ??= error;
    for (const slot of this.slots) this.end(slot, 'fatal');
  }
}

function addTimings(into: StageTimings, t: StageTimings): void {
  for (const key of Object.keys(into) as (keyof StageTimings)[]) into[key] += t[key] ?? 0;
}

function meanTimings(totals: StageTimings, songs: number): StageTimings {
  const mean = emptyTimings();
  for (const key of Object.keys(mean) as (keyof StageTimings)[]) mean[key] = totals[key] / songs;
  return mean;
}
