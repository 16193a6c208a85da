import { parentPort, workerData } from 'node:worker_threads';
import { openLibraryDatabase } from '../db/open.ts';
import { fitLibraryTopics } from './library-topics.ts';
import type { TopicsReply, TopicsRequest, TopicsWorkerData } from './topics-messages.ts';

// Fits the library's topics off the caller's thread, with its own database connection.
const port = parentPort;
if (!port) throw new Error('topics.worker must run as a worker thread');
const { dataDir, options } = workerData as TopicsWorkerData;
const controller = new AbortController();
const send = (reply: TopicsReply) => port.postMessage(reply);
port.on('message', (request: TopicsRequest) => {
  if (request.type === 'cancel') controller.abort(new Error('cancelled'));
});

const db = openLibraryDatabase(dataDir);
try {
  const result = await fitLibraryTopics(db, { ...options, signal: controller.signal, onProgress: (progress) => send({ type: 'progress', progress }) });
  send({ type: 'done', result });
} catch (error) {
  if (controller.signal.aborted) send({ type: 'cancelled' });
  else send({ type: 'error', error: error instanceof Error ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : String(error) });
} finally {
  db.close();
  port.close();
}
