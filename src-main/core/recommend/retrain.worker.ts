import { parentPort, workerData } from 'node:worker_threads';
import { openLibraryDatabase } from '../db/open.ts';
import { selectBackend } from '../model/backend.ts';
import { fineTuneFromFeedback, type FineTuneOptions, type FineTuneResult } from './retrain.ts';

/** Fine-tunes the active model on the listener's feedback, off the caller's thread (the app's background retrain). */
export type RetrainRequest = { type: 'cancel' };
export type RetrainReply = { type: 'done'; result: FineTuneResult } | { type: 'error'; error: string };

const port = parentPort;
if (!port) throw new Error('retrain.worker must run as a worker thread');
const { dataDir, options } = workerData as { dataDir: string; options: FineTuneOptions };
// A cancel is a message, so the fine-tune stops between batches or embedding chunks and says truly
// what it left: the active model is switched only in one transaction once the new one is fully embedded.
let cancelled = false;
port.on('message', (request: RetrainRequest) => {
  if (request.type === 'cancel') cancelled = true;
});
const db = openLibraryDatabase(dataDir);
try {
  await selectBackend(options.backend);
  const result = await fineTuneFromFeedback(db, dataDir, options, { isCancelled: () => cancelled });
  port.postMessage({ type: 'done', result } satisfies RetrainReply);
} catch (error) {
  port.postMessage({ type: 'error', error: error instanceof Error ? error.message : String(error) } satisfies RetrainReply);
} finally {
  db.close();
  port.close();
}
