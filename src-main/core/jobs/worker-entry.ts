import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Worker entry points by name. From source (tests, the CLI) a worker runs its `.ts` file through tsx;
 * in the built app each is bundled next to the main bundle as `<name>.worker.js` (see electron.config.ts).
 */
export const WORKER_SOURCES = {
  scan: '../library/scan.worker.ts',
} as const satisfies Record<string, string>;

export type WorkerName = keyof typeof WORKER_SOURCES;

const runningFromSource = import.meta.url.endsWith('.ts');

export function startWorker(name: WorkerName, options: WorkerOptions = {}): Worker {
  if (runningFromSource) {
    const entry = new URL(WORKER_SOURCES[name], import.meta.url).href;
    const workerData = { ...(options.workerData as object | undefined), __tsEntry: entry };
    return new Worker(new URL('./tsx-worker-boot.js', import.meta.url), { ...options, workerData });
  }
  return new Worker(new URL(`./${name}.worker.js`, import.meta.url), options);
}
