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
