import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Worker entry points by name. From source (tests, the CLI) a worker runs its `.ts` file through tsx;
 * in the built app each is bundled next to the main bundle as `<name>.worker.js` (see electron.config.ts).
 */
export const WORKER_SOURCES = {
  scan: '../library/scan.worker.ts',
  analysis: '../analysis/analysis.worker.ts',
  embed: '../model/embed.worker.ts',
  topics: '../topics/topics.worker.ts',
  retrain: '../recommend/retrain.worker.ts',
  train: '../model/train.worker.ts',
  playback: '../playback/playback.worker.ts',
  reader: '../app/reader.worker.ts',
  thumbnail: '../app/thumbnail.worker.ts',
  kernelHelper: '../wasm/kernel-helper.worker.ts',
  dbCheck: '../db/db-check.worker.ts',
} as const satisfies Record<string, string>;

export type WorkerName = keyof typeof WORKER_SOURCES;

const runningFromSource = import.meta.url.endsWith('.ts');

/**
 * Starts a named worker. `bundle` points at a built worker file instead (benchmarks measure the
 * bundle the app ships, without the TypeScript loader's start-up cost).
 */
export function startWorker(name: WorkerName, options: WorkerOptions = {}, bundle?: URL): Worker {
  if (bundle) return new Worker(bundle, options);
  if (runningFromSource) {
    const entry = new URL(WORKER_SOURCES[name], import.meta.url).href;
    const workerData = { ...(options.workerData as object | undefined), __tsEntry: entry };
    return new Worker(new URL('./tsx-worker-boot.js', import.meta.url), { ...options, workerData });
  }
  return new Worker(new URL(`./${name}.worker.js`, import.meta.url), options);
}

/** How a job's reply handler ends its promise. */
export interface WorkerSettle<T> {
  resolve(value: T): void;
  reject(error: Error): void;
}

/**
 * The result of a job run by one worker: `onReply` sees every message (progress, done, error, …) and
 * settles the promise; a worker error rejects it, and so does an exit before it settled
 * (`exitError`, by default "the <label> worker stopped unexpectedly").
 */
export function workerResult<T, Reply>(
  worker: Worker,
  /** Names the worker in the default exit error ("the <label> worker stopped unexpectedly"). */
  label: string,
  onReply: (reply: Reply, settle: WorkerSettle<T>) => void,
  exitError: (code: number) => Error = (code) => new Error(`the ${label} worker stopped unexpectedly (exit code ${code})`),
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const settle: WorkerSettle<T> = {
      resolve: (value) => {
        settled = true;
        resolve(value);
      },
      reject: (error) => {
        settled = true;
        reject(error);
      },
    };
    worker.on('message', (reply: Reply) => onReply(reply, settle));
    worker.on('error', (error) => settle.reject(error));
    worker.on('exit', (code) => {
      if (!settled) settle.reject(exitError(code));
    });
  });
}
