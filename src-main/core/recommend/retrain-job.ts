import { startWorker, workerResult } from '../jobs/worker-entry.ts';
import type { FineTuneOptions, FineTuneResult } from './retrain.ts';
import type { RetrainReply, RetrainRequest } from './retrain.worker.ts';

/**
 * Runs `fineTuneFromFeedback` in a worker thread; the new model is kept only if validation does not drop.
 * cancel() asks the worker to stop (between batches, or between embedding chunks); the result then says
 * `cancelled` and the active model is the one before, since activation is the fine-tune's last step.
 */
export function retrainFromFeedback(
  dataDir: string,
  options: FineTuneOptions = {},
): { result: Promise<FineTuneResult>; cancel(): void } {
  const worker = startWorker('retrain', { workerData: { dataDir, options } });
  const result = workerResult<FineTuneResult, RetrainReply>(worker, 'retrain', (reply, settle) =>
    reply.type === 'done' ? settle.resolve(reply.result) : settle.reject(new Error(reply.error)),
  );
  return { result, cancel: () => worker.postMessage({ type: 'cancel' } satisfies RetrainRequest) };
}
