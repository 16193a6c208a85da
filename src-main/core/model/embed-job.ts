import { startWorker, workerResult } from '../jobs/worker-entry.ts';
import type { EmbedReply, EmbedRequest } from './embed.worker.ts';
import type { EmbedResult } from './store.ts';

export interface EmbedJob {
  result: Promise<EmbedResult & { cancelled: boolean }>;
  /** Stops after the chunk being embedded (what is done is kept). */
  cancel(): void;
}

/** Embeds every analysed song that the active model has not embedded yet, in a worker thread. */
export function startEmbedJob(dataDir: string, workerBundle?: URL): EmbedJob {
  const worker = startWorker('embed', { workerData: { dataDir } }, workerBundle);
  const result = workerResult<EmbedResult & { cancelled: boolean }, EmbedReply>(worker, 'embedding', (reply, settle) =>
    reply.type === 'done'
      ? settle.resolve({ ...reply.result, cancelled: reply.cancelled })
      : settle.reject(new Error(reply.error)),
  );
  return { result, cancel: () => worker.postMessage({ type: 'cancel' } satisfies EmbedRequest) };
}
