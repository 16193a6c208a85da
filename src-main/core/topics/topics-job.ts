import type { Progress } from '../../api/types.ts';
import { startWorker, workerResult } from '../jobs/worker-entry.ts';
import type { LibraryFitResult, TopicFitOptions } from './library-topics.ts';
import type { TopicsReply, TopicsRequest, TopicsWorkerData } from './topics-messages.ts';

export interface TopicsJob {
  /** The fit, or null when it was cancelled (the previous topics are kept). */
  result: Promise<LibraryFitResult | null>;
  cancel(): void;
}

/** Fits the library's topics in a worker thread, streaming sweep progress back. */
export function startTopicsJob(
  dataDir: string,
  options: Omit<TopicFitOptions, 'signal' | 'onProgress'> & { onProgress?: (p: Progress) => void } = {},
): TopicsJob {
  const { onProgress, ...fitOptions } = options;
  const workerData: TopicsWorkerData = { dataDir, options: fitOptions };
  const worker = startWorker('topics', { workerData });
  const result = workerResult<LibraryFitResult | null, TopicsReply>(worker, 'topics', (reply, settle) => {
    if (reply.type === 'progress') onProgress?.(reply.progress);
    else if (reply.type === 'done') settle.resolve(reply.result);
    else if (reply.type === 'cancelled') settle.resolve(null);
    else settle.reject(new Error(reply.error));
  });
  return { result, cancel: () => worker.postMessage({ type: 'cancel' } satisfies TopicsRequest) };
}
