import { startWorker } from '../jobs/worker-entry.ts';
import type { FineTuneOptions, FineTuneResult } from './retrain.ts';
import type { RetrainReply } from './retrain.worker.ts';

/** Runs `fineTuneFromFeedback` in a worker thread; the new model is kept only if validation does not drop. */
export function retrainFromFeedback(dataDir: string, options: FineTuneOptions = {}): { result: Promise<FineTuneResult>; cancel(): void } {
  const worker = startWorker('retrain', { workerData: { dataDir, options } });
  let cancelled = false;
  const result = new Promise<FineTuneResult>((resolve, reject) => {
    let settled = false;
    worker.on('message', (reply: RetrainReply) => {
      settled = true;
      if (reply.type === 'done') resolve(reply.result);
      else reject(new Error(reply.error));
    });
    worker.on('error', (error) => {
      settled = true;
      reject(error);
    });
    worker.on('exit', (code) => {
      if (!settled) reject(new Error(cancelled ? 'retraining cancelled; the active model is unchanged' : `the retrain worker stopped unexpectedly (exit code ${code})`));
    });
  });
  // A fine-tune is short and stores nothing until it is accepted, so cancelling simply ends the worker.
  return { result, cancel: () => ((cancelled = true), void worker.terminate()) };
}
