import { startWorker } from '../jobs/worker-entry.ts';
import type { EmbedReply } from './embed.worker.ts';
import type { EmbedResult } from './store.ts';

/** Embeds every analysed song that the active model has not embedded yet, in a worker thread. */
export function embedNewSongs(dataDir: string, workerBundle?: URL): Promise<EmbedResult> {
  return new Promise((resolve, reject) => {
    const worker = startWorker('embed', { workerData: { dataDir } }, workerBundle);
    let settled = false;
    worker.on('message', (reply: EmbedReply) => {
      settled = true;
      if (reply.type === 'done') resolve(reply.result);
      else reject(new Error(reply.error));
    });
    worker.on('error', (error) => {
      settled = true;
      reject(error);
    });
    worker.on('exit', (code) => {
      if (!settled) reject(new Error(`the embedding worker stopped unexpectedly (exit code ${code})`));
    });
  });
}
