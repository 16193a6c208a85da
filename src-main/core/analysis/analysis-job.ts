import os from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { Progress } from '../../api/types.ts';
import { openLibraryDatabase } from '../db/open.ts';
import { RateMeter, throttle } from '../jobs/progress.ts';
import { startWorker } from '../jobs/worker-entry.ts';
import { DEFAULT_VIEWS, emptyTimings, type DescriptorViewCount, type StageTimings } from './analyse-file.ts';
import type { AnalysisReply, AnalysisRequest, AnalysisWorkerData } from './analysis-messages.ts';
import { FeatureStore, type AnalysisTask } from './feature-store.ts';
import { embedNewSongs } from '../model/embed-job.ts';
import { activeModel } from '../model/store.ts';

export interface AnalysisJobOptions {
  dataDir: string;
  /** Worker threads (default: `defaultWorkerCount()`: every core on a machine with ≤ 2 cores, else cores − 1). */
  workers?: number;
  allowFfmpeg?: boolean;
  onProgress?: (progress: AnalysisProgress) => void;
  progressIntervalMs?: number;
  /** A built analysis worker to run instead of the source one (benchmarks). */
  workerBundle?: URL;
  /** Embed the newly analysed songs with the active model, if there is one (default true). */
  embed?: boolean;
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
  cancelled: boolean;
  durationMs: number;
  songsPerSecond: number;
  /** Mean milliseconds per analysed song for each stage, measured inside the workers. */
  stageMs: StageTimings;
  decoders: Record<string, number>;
  /** Descriptor views stored over all analysed songs (one per song, up to three for long tracks). */
  views: number;
  /** Songs embedded by the active model right after analysis (cold start: no tags needed); null without a model. */
  embedded: number | null;
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
 * Analyses every track without current features on a pool of worker threads. Each worker stores
 * its results itself, one transaction per track, so a killed run resumes where it stopped.
 */
export function startAnalysisJob(options: AnalysisJobOptions): AnalysisJob {
  let cancelled = false;
  // Cancelling stops handing out tracks; each worker finishes (and stores) the one it is on.
  return { result: run(options, () => cancelled), cancel: () => (cancelled = true) };
}

async function run(options: AnalysisJobOptions, isCancelled: () => boolean): Promise<AnalysisResult> {
  const started = performance.now();
  const db = openLibraryDatabase(options.dataDir);
  let tasks: AnalysisTask[];
  let skipped: number;
  try {
    const store = new FeatureStore(db);
    tasks = store.pending();
    skipped = store.countCurrent();
  } finally {
    db.close();
  }
  const totals: StageTimings = emptyTimings();
  const decoders: Record<string, number> = {};
  const counts = { analysed: 0, failed: 0 };
  let views = 0;
  const meter = new RateMeter();
  const report = throttle<void>(() => {
    const done = counts.analysed + counts.failed;
    options.onProgress?.({ ...counts, ...meter.measure(done, tasks.length) });
  }, options.progressIntervalMs ?? 200);

  let next = 0;
  const workerCount = Math.min(options.workers ?? defaultWorkerCount(), Math.max(1, tasks.length));
  const workerData: AnalysisWorkerData = {
    dataDir: options.dataDir,
    allowFfmpeg: options.allowFfmpeg ?? true,
    views: options.views ?? DEFAULT_VIEWS,
    lowPriority: options.lowPriority ?? true,
  };
  const runWorker = () =>
    new Promise<void>((resolve, reject) => {
      const worker: Worker = startWorker('analysis', { workerData }, options.workerBundle);
      const send = (request: AnalysisRequest) => worker.postMessage(request);
      let finished = false;
      const finish = (error?: Error) => {
        if (finished) return;
        finished = true;
        send({ type: 'stop' });
        if (error) reject(error);
        else resolve();
      };
      const dispatch = () => {
        if (isCancelled() || next >= tasks.length) return finish();
        send({ type: 'analyse', task: tasks[next++]! });
      };
      worker.on('message', (reply: AnalysisReply) => {
        switch (reply.type) {
          case 'ready':
            return dispatch();
          case 'analysed':
            counts.analysed++;
            decoders[reply.decoder] = (decoders[reply.decoder] ?? 0) + 1;
            views += reply.views;
            addTimings(totals, reply.timings);
            report();
            return dispatch();
          case 'failed':
            counts.failed++;
            report();
            return dispatch();
          case 'fatal':
            return finish(new Error(reply.error));
        }
      });
      worker.on('error', (error) => finish(error));
      worker.on('exit', (code) => {
        if (!finished) finish(new Error(`an analysis worker stopped unexpectedly (exit code ${code})`));
      });
    });
  await Promise.all(Array.from({ length: workerCount }, runWorker));
  report(undefined, true);

  const after = openLibraryDatabase(options.dataDir);
  let failed: { path: string; reason: string }[];
  let hasModel: boolean;
  try {
    failed = new FeatureStore(after).failures().map(({ path, reason }) => ({ path, reason }));
    hasModel = activeModel(after) !== null;
  } finally {
    after.close();
  }
  // New songs get their embedding at once, so "more like this" and queues include them without retraining.
  const embedded = hasModel && (options.embed ?? true) && counts.analysed > 0 ? (await embedNewSongs(options.dataDir)).embedded : hasModel ? 0 : null;
  const durationMs = performance.now() - started;
  const n = Math.max(1, counts.analysed);
  return {
    analysed: counts.analysed,
    skipped,
    failed,
    cancelled: isCancelled() && counts.analysed + counts.failed < tasks.length,
    durationMs,
    songsPerSecond: ((counts.analysed + counts.failed) * 1000) / Math.max(1, durationMs),
    stageMs: { decodeMs: totals.decodeMs / n, resampleMs: totals.resampleMs / n, mfccMs: totals.mfccMs / n, descriptorsMs: totals.descriptorsMs / n },
    decoders,
    views,
    embedded,
  };
}

function addTimings(into: StageTimings, t: StageTimings): void {
  into.decodeMs += t.decodeMs;
  into.resampleMs += t.resampleMs;
  into.mfccMs += t.mfccMs;
  into.descriptorsMs += t.descriptorsMs;
}
