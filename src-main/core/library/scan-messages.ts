import type { ScanProgress, ScanResult } from './scanner.ts';

/** Messages between the scan job (main thread) and its worker: tagged unions; errors travel as values. */
export type ScanRequest =
  | {
      type: 'start';
      dataDir: string;
      addRoots: string[];
      onlyRoots?: string[];
      /** Reconcile only these paths (a watcher's batch) instead of walking whole roots. */
      changedPaths?: string[];
      parseTimeoutMs?: number;
      concurrency?: number;
    }
  | { type: 'cancel' };

export type ScanReply =
  | { type: 'progress'; progress: ScanProgress }
  | { type: 'done'; result: ScanResult }
  | { type: 'error'; error: { name: string; message: string } };
