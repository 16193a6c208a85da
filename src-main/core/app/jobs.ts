import type { ApiEmitter } from '../../api/contract.ts';
import type { JobKind, JobOutcome, JobProgress, JobState } from '../../api/types.ts';
import { JOB_KINDS } from '../../api/types.ts';

export class JobBusyError extends Error {}

/** What a job's starter returns: its result, and a way to ask it to stop. */
export interface RunningJob<T> {
  result: Promise<T>;
  cancel(): void;
}

interface Slot {
  running: boolean;
  progress: JobProgress | null;
  last: JobOutcome | null;
  cancel: (() => void) | null;
  lastEmit: number;
  /** Callers of idle() waiting for the running job to end. */
  waiters: (() => void)[];
}

/**
 * The app's long jobs (one of each kind at a time): keeps their state for `jobs.status`, and turns
 * their progress into `job.progress` events (at most every `intervalMs`) and their end into `job.finished`.
 */
export class JobBoard {
  private readonly slots = new Map<JobKind, Slot>(
    JOB_KINDS.map((k) => [k, { running: false, progress: null, last: null, cancel: null, lastEmit: -Infinity, waiters: [] }]),
  );

  constructor(
    private readonly emit: ApiEmitter,
    private readonly intervalMs = 100,
    private readonly now: () => number = Date.now,
  ) {}

  status(): JobState[] {
    return JOB_KINDS.map((job) => {
      const s = this.slot(job);
      return { job, running: s.running, progress: s.progress, last: s.last };
    });
  }

  isRunning(job: JobKind): boolean {
    return this.slot(job).running;
  }

  /** Asks a running job to stop; false when none was running. */
  cancel(job: JobKind): boolean {
    const s = this.slot(job);
    if (!s.running) return false;
    s.cancel?.();
    return true;
  }

  /** Resolves when no job of this kind is running (at once if none is). */
  idle(job: JobKind): Promise<void> {
    const s = this.slot(job);
    return s.running ? new Promise((resolve) => s.waiters.push(resolve)) : Promise.resolve();
  }

  /**
   * Shows an outcome that belongs to no run of the job (a failure of the watcher that feeds the scans):
   * it becomes the kind's last outcome and a `job.finished` event, without touching a running job.
   */
  notify(job: JobKind, o: Pick<JobOutcome, 'status' | 'message'>): void {
    const s = this.slot(job);
    s.last = { job, ...o, finishedAt: this.now() };
    this.emit('job.finished', s.last);
  }

  cancelAll(): void {
    for (const job of JOB_KINDS) this.cancel(job);
  }

  /**
   * Runs a job: `start` receives a progress reporter; `outcome` describes the result for the user.
   * Rejects with JobBusyError when a job of this kind is already running.
   */
  async run<T>(
    job: JobKind,
    start: (report: (progress: Omit<JobProgress, 'job'>) => void) => RunningJob<T>,
    outcome: (result: T) => Pick<JobOutcome, 'status' | 'message'>,
  ): Promise<T> {
    const s = this.slot(job);
    if (s.running) throw new JobBusyError(`the ${job} job is already running`);
    s.running = true;
    s.progress = null;
    s.lastEmit = -Infinity;
    const report = (progress: Omit<JobProgress, 'job'>) => {
      s.progress = { ...progress, job };
      const t = this.now();
      const final = progress.total !== null && progress.done >= progress.total;
      if (final || t - s.lastEmit >= this.intervalMs) {
        s.lastEmit = t;
        this.emit('job.progress', s.progress);
      }
    };
    try {
      const running = start(report);
      s.cancel = () => running.cancel();
      const result = await running.result;
      this.finish(job, outcome(result));
      return result;
    } catch (error) {
      this.finish(job, { status: 'failed', message: error instanceof Error ? error.message : String(error) });
      throw error;
    }
  }

  private finish(job: JobKind, o: Pick<JobOutcome, 'status' | 'message'>): void {
    const s = this.slot(job);
    s.running = false;
    s.cancel = null;
    s.last = { job, ...o, finishedAt: this.now() };
    const last = s.last;
    this.emit('job.finished', last);
    for (const resolve of s.waiters.splice(0)) resolve();
  }

  private slot(job: JobKind): Slot {
    return this.slots.get(job)!;
  }
}
