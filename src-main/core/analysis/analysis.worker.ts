import { parentPort, workerData } from 'node:worker_threads';
import { openLibraryDatabase } from '../db/open.ts';
import { lowerThreadPriority } from '../jobs/priority.ts';
import { analyseFile, emptyTimings, measureClipLoudness } from './analyse-file.ts';
import type { AnalysisReply, AnalysisRequest, AnalysisWorkerData } from './analysis-messages.ts';
import { FeatureStore, type AnalysisTask } from './feature-store.ts';
import { saveSongVector } from '../recommend/song-vectors.ts';

// One analysis worker: takes one track at a time, stores its features itself (its own connection,
// one transaction per track, so a killed run keeps everything finished), and reports back. The job
// (analysis-job.ts) enforces the per-file deadline and records the file of a worker that dies.
const port = parentPort;
if (!port) throw new Error('analysis.worker must run as a worker thread');
const { dataDir, allowFfmpeg, views, lowPriority, crashOnPathSuffix } = workerData as AnalysisWorkerData;
const send = (reply: AnalysisReply) => port.postMessage(reply);
const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

// This worker yields to the UI and the main thread (its own thread's nice value, on Linux).
if (lowPriority) lowerThreadPriority();

let store: FeatureStore;
try {
  // A plain open: the host process checked the file at start; a worker never checks or moves it.
  store = new FeatureStore(openLibraryDatabase(dataDir));
  send({ type: 'ready' });
} catch (error) {
  send({ type: 'fatal', error: `the analysis worker cannot open the library database: ${message(error)}` });
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
  if (crashOnPathSuffix !== undefined && task.path.endsWith(crashOnPathSuffix)) process.exit(70);
  let reply: AnalysisReply;
  const started = performance.now();
  try {
    // Names that are not UTF-8 (or NFD on Linux) are opened through their raw bytes.
    const file = task.pathBytes ? Buffer.from(task.pathBytes) : task.path;
    if (task.loudnessOnly) {
      reply = await measureLoudness(file, task);
      send(reply);
      return;
    }
    const outcome = await analyseFile(file, { trackSeconds: task.duration, allowFfmpeg, views });
    reply = outcome.ok
      ? {
          type: 'analysed',
          trackId: task.trackId,
          decoder: outcome.decoder,
          timings: outcome.timings,
          views: outcome.views.length,
        }
      : { type: 'failed', trackId: task.trackId, code: outcome.code, reason: outcome.reason, timings: outcome.timings };
    const stored = outcome.ok ? store.saveFeatures(task, outcome) : store.saveFailure(task, outcome.code, outcome.reason);
    if (stored && outcome.ok) storeSongVector(task.trackId, outcome.features, outcome.descriptors);
    if (!stored && !trackStillThere(task)) reply = { type: 'gone', trackId: task.trackId };
    const t = outcome.timings;
    t.otherMs = Math.max(0, performance.now() - started - t.decodeMs - t.resampleMs - t.mfccMs - t.descriptorsMs - t.loudnessMs);
  } catch (error) {
    const reason = `analysis failed: ${message(error)}`;
    try {
      store.saveFailure(task, 'error', reason);
      reply = trackStillThere(task)
        ? { type: 'failed', trackId: task.trackId, code: 'error', reason, timings: emptyTimings() }
        : { type: 'gone', trackId: task.trackId };
    } catch (storeError) {
      // The database cannot be written (disk full, I/O error): nothing further can be kept, so the job stops.
      reply = { type: 'fatal', error: `cannot store analysis results: ${message(storeError)}` };
    }
  }
  send(reply);
}

/**
 * The song vector of "more like this" while the MFCC is in memory. Best effort: a vector not stored here
 * (the track removed meanwhile, a busy database) is computed on first use (ensureSongVectors).
 */
function storeSongVector(trackId: number, mfcc: Float32Array, descriptors: Float32Array): void {
  try {
    saveSongVector(store.db, trackId, mfcc, descriptors);
  } catch {
    // left to ensureSongVectors
  }
}

/** A track analysed before loudness existed: its clip measured again (the features stay as they are). */
async function measureLoudness(file: string | Buffer, task: AnalysisTask): Promise<AnalysisReply> {
  const outcome = await measureClipLoudness(file, task.loudnessOnly!.start, { allowFfmpeg });
  const stored = store.saveLoudness(task, outcome.ok ? outcome.loudness : null);
  if (!stored) return { type: 'gone', trackId: task.trackId };
  return outcome.ok
    ? { type: 'analysed', trackId: task.trackId, decoder: outcome.decoder, timings: outcome.timings, views: 0 }
    : {
        type: 'failed',
        trackId: task.trackId,
        code: outcome.code,
        reason: `loudness: ${outcome.reason}`,
        timings: outcome.timings,
      };
}

function trackStillThere(task: AnalysisTask): boolean {
  return store.db.prepare('SELECT 1 FROM tracks WHERE id = ?').get(task.trackId) !== undefined;
}
