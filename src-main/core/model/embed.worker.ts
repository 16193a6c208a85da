import { parentPort, workerData } from 'node:worker_threads';
import { openLibraryDatabase } from '../db/open.ts';
import { selectBackend } from './backend.ts';
import { embedMissing, type EmbedResult } from './store.ts';

/** Embeds newly analysed songs with the active model (cold start: no tags needed), off the caller's thread. */
export type EmbedRequest = { type: 'cancel' };
export type EmbedReply = { type: 'done'; result: EmbedResult; cancelled: boolean } | { type: 'error'; error: string };

const port = parentPort;
if (!port) throw new Error('embed.worker must run as a worker thread');
const { dataDir } = workerData as { dataDir: string };
let cancelled = false;
port.on('message', (request: EmbedRequest) => {
  if (request.type === 'cancel') cancelled = true;
});
const db = openLibraryDatabase(dataDir);
try {
  await selectBackend();
  // Each chunk is its own transaction: a cancel or a kill keeps the chunks done; the next run embeds the rest.
  const result = await embedMissing(db, dataDir, { isCancelled: () => cancelled });
  port.postMessage({ type: 'done', result, cancelled } satisfies EmbedReply);
} catch (error) {
  port.postMessage({ type: 'error', error: error instanceof Error ? error.message : String(error) } satisfies EmbedReply);
} finally {
  db.close();
  port.close();
}
