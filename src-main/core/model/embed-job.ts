import { startWorker, workerResult } from '../jobs/worker-entry.ts';
import type { EmbedReply } from './embed.worker.ts';
import type { EmbedResult } from './store.ts';

/** Embeds every analysed song that the active model has not embedded yet, in a worker thread. */
export function embedNewSongs(dataDir: string, workerBundle?: URL): Promise<EmbedResult> {
  const worker = startWorker('embed', { workerData: { dataDir } }, workerBundle);
  return workerResult<EmbedResult, EmbedReply>(worker, 'embedding', (reply, settle) =>
    reply.type === 'done' ? settle.resolve(reply.result) : settle.reject(new Error(reply.error)),
  );
}
