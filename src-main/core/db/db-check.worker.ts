import { parentPort, workerData } from 'node:worker_threads';
import { lowerThreadPriority } from '../jobs/priority.ts';
import type { DbCheckReply } from './db-check.ts';
import { quickCheckProblems } from './start-check.ts';

// The deferred start check (start-check.ts): a quick_check reads every page, seconds at 100,000 songs,
// so it runs here, below the API's priority, while the host serves the first pages.
const port = parentPort;
if (!port) throw new Error('db-check.worker must run as a worker thread');
lowerThreadPriority();
const { dataDir } = workerData as { dataDir: string };
let reply: DbCheckReply;
try {
  reply = { type: 'checked', problems: quickCheckProblems(dataDir) };
} catch (error) {
  reply = { type: 'failed', error: error instanceof Error ? error.message : String(error) };
}
port.postMessage(reply);
