import { startWorker, workerResult } from '../jobs/worker-entry.ts';
import type { FineTuneOptions, FineTuneResult } from './retrain.ts';
import type { RetrainReply } from './retrain.worker.ts';

/** Runs `fineTuneFromFeedback` in a worker thread; the new model is kept only if validation does not drop. */
export function retrainFromFeedback(dataDir: string, options: FineTuneOptions = {}): { result: Promise<FineTuneResult>; cancel(): void } {
  const worker = startWorker('retrain', { workerData: { dataDir, options } });
  let cancelled = false;
  const result = workerResult<FineTuneResult, RetrainReply>(
    worker,
    'retrain',
    (reply, settle) => (reply.type === 'done' ? settle.resolve(reply.result) : settle.reject(new Error(reply.error))),
    (code) => new Error(cancelled ? 'retraining cancelled; the active model is unchanged' : `the retrain worker stopped unexpectedly (exit code ${code})`),
  );
  // A fine-tune is short and stores nothing until it is accepted, so cancelling simply ends the worker.
  return { result, cancel: () => ((cancelled = true), void worker.terminate()) };
}
