import os from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { openLibraryDatabase } from '../db/open.ts';
import { analyseFile, emptyTimings } from './analyse-file.ts';
import type { AnalysisReply, AnalysisRequest, AnalysisWorkerData } from './analysis-messages.ts';
import { FeatureStore, type AnalysisTask } from './feature-store.ts';

// One analysis worker: takes one track at a time, stores its features itself (its own connection,
// one transaction per track, so a killed run keeps everything finished), and reports back.
const port = parentPort;
if (!port) throw new Error('analysis.worker must run as a worker thread');
const { dataDir, allowFfmpeg, views, lowPriority } = workerData as AnalysisWorkerData;
const send = (reply: AnalysisReply) => port.postMessage(reply);

if (lowPriority) {
  // With no pid, setPriority applies to the calling thread only on Linux (its own nice value), so this
  // worker yields to the UI and the main thread; elsewhere it may lower the whole process, or be refused.
  try {
    os.setPriority(10);
  } catch {
    // not permitted: run at normal priority
  }
}

let store: FeatureStore;
try {
  store = new FeatureStore(openLibraryDatabase(dataDir));
  send({ type: 'ready' });
} catch (error) {
  send({ type: 'fatal', error: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}

port.on('message', (request: AnalysisRequest) => {
  if (request.type === 'stop') {
    store.db.close();
    port.close();
    return;
  }
  void analyse(request.task);
});

async function analyse(task: AnalysisTask): Promise<void> {
  try {
    // Names that are not UTF-8 (or NFD on Linux) are opened through their raw bytes.
    const file = task.pathBytes ? Buffer.from(task.pathBytes) : task.path;
    const outcome = await analyseFile(file, { trackSeconds: task.duration, allowFfmpeg, views });
    if (outcome.ok) {
      store.saveFeatures(task, outcome);
      send({ type: 'analysed', trackId: task.trackId, decoder: outcome.decoder, timings: outcome.timings, views: outcome.views.length });
    } else {
      store.saveFailure(task, outcome.code, outcome.reason);
      send({ type: 'failed', trackId: task.trackId, code: outcome.code, reason: outcome.reason, timings: outcome.timings });
    }
  } catch (error) {
    const reason = `analysis failed: ${error instanceof Error ? error.message : String(error)}`;
    store.saveFailure(task, 'error', reason);
    send({ type: 'failed', trackId: task.trackId, code: 'error', reason, timings: emptyTimings() });
  }
}
