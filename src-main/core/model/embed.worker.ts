import { parentPort, workerData } from 'node:worker_threads';
import { openLibraryDatabase } from '../db/open.ts';
import { selectBackend } from './backend.ts';
import { embedMissing, type EmbedResult } from './store.ts';

/** Embeds newly analysed songs with the active model (cold start: no tags needed), off the caller's thread. */
export type EmbedReply = { type: 'done'; result: EmbedResult } | { type: 'error'; error: string };

const port = parentPort;
if (!port) throw new Error('embed.worker must run as a worker thread');
const { dataDir } = workerData as { dataDir: string };
const db = openLibraryDatabase(dataDir);
try {
  await selectBackend();
  const result = await embedMissing(db, dataDir);
  port.postMessage({ type: 'done', result } satisfies EmbedReply);
} catch (error) {
  port.postMessage({ type: 'error', error: error instanceof Error ? error.message : String(error) } satisfies EmbedReply);
} finally {
  db.close();
}
