import { startWorker, workerResult } from '../jobs/worker-entry.ts';
import type { ScanReply, ScanRequest } from './scan-messages.ts';
import type { ScanProgress, ScanResult } from './scanner.ts';

export interface ScanJobOptions {
  dataDir: string;
  addRoots?: string[];
  onlyRoots?: string[];
  /** Reconcile only these paths (a watcher's batch). */
  changedPaths?: string[];
  parseTimeoutMs?: number;
  concurrency?: number;
  onProgress?: (progress: ScanProgress) => void;
  /** A built scan worker to run instead of the one next to this module (used by benchmarks). */
  workerBundle?: URL;
}

export class ScanJobError extends Error {}

export interface ScanJob {
  result: Promise<ScanResult>;
  /** Asks the worker to stop; what was read so far is kept and `result` resolves with `cancelled: true`. */
  cancel(): void;
}

/** Runs a library scan in a worker thread, streaming progress back. */
export function startScanJob(options: ScanJobOptions): ScanJob {
  const worker = startWorker('scan', {}, options.workerBundle);
  const post = (request: ScanRequest) => worker.postMessage(request);
  const result = workerResult<ScanResult, ScanReply>(
    worker,
    'scan',
    (reply, settle) => {
      if (reply.type === 'progress') options.onProgress?.(reply.progress);
      else if (reply.type === 'done') settle.resolve(reply.result);
      else settle.reject(new ScanJobError(reply.error.message));
    },
    (code) => new ScanJobError(`the scan worker stopped unexpectedly (exit code ${code})`),
  );
  post({
    type: 'start',
    dataDir: options.dataDir,
    addRoots: options.addRoots ?? [],
    ...(options.onlyRoots ? { onlyRoots: options.onlyRoots } : {}),
    ...(options.changedPaths ? { changedPaths: options.changedPaths } : {}),
    ...(options.parseTimeoutMs ? { parseTimeoutMs: options.parseTimeoutMs } : {}),
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
  });
  return { result, cancel: () => post({ type: 'cancel' }) };
}
