import { parentPort } from 'node:worker_threads';
import { openLibraryDatabase } from '../db/open.ts';
import type { ScanReply, ScanRequest } from './scan-messages.ts';
import { scanChangedPaths, scanLibrary, type ScanProgress } from './scanner.ts';

// The scan runs here, off the main thread, with its own database connection.
const port = parentPort;
if (!port) throw new Error('scan.worker must run as a worker thread');
const controller = new AbortController();
const send = (reply: ScanReply) => port.postMessage(reply);

port.on('message', (request: ScanRequest) => {
  if (request.type === 'cancel') {
    controller.abort(new Error('scan cancelled'));
    return;
  }
  void run(request);
});

async function run(request: Extract<ScanRequest, { type: 'start' }>): Promise<void> {
  let db;
  try {
    db = openLibraryDatabase(request.dataDir);
    const options = {
      addRoots: request.addRoots,
      ...(request.onlyRoots ? { onlyRoots: request.onlyRoots } : {}),
      ...(request.parseTimeoutMs ? { parseTimeoutMs: request.parseTimeoutMs } : {}),
      ...(request.concurrency ? { concurrency: request.concurrency } : {}),
      signal: controller.signal,
      onProgress: (progress: ScanProgress) => send({ type: 'progress', progress }),
    };
    const result = request.changedPaths ? await scanChangedPaths(db, request.changedPaths, options) : await scanLibrary(db, options);
    send({ type: 'done', result });
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    send({ type: 'error', error: { name: e.name, message: e.message } });
  } finally {
    db?.close();
    port?.close();
  }
}
