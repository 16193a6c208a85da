import { parentPort, workerData } from 'node:worker_threads';
import { openLibraryDatabase } from '../db/open.ts';
import { selectBackend } from '../model/backend.ts';
import { fineTuneFromFeedback, type FineTuneOptions, type FineTuneResult } from './retrain.ts';

/** Fine-tunes the active model on the listener's feedback, off the caller's thread (the app's background retrain). */
export type RetrainReply = { type: 'done'; result: FineTuneResult } | { type: 'error'; error: string };

const port = parentPort;
if (!port) throw new Error('retrain.worker must run as a worker thread');
const { dataDir, options } = workerData as { dataDir: string; options: FineTuneOptions };
const db = openLibraryDatabase(dataDir);
try {
  await selectBackend(options.backend);
  port.postMessage({ type: 'done', result: await fineTuneFromFeedback(db, dataDir, options) } satisfies RetrainReply);
} catch (error) {
  port.postMessage({ type: 'error', error: error instanceof Error ? error.message : String(error) } satisfies RetrainReply);
} finally {
  db.close();
}
