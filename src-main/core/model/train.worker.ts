import { parentPort, workerData } from 'node:worker_threads';
import { openLibraryDatabase } from '../db/open.ts';
import { lowerThreadPriority } from '../jobs/priority.ts';
import { selectBackend } from './backend.ts';
import { loadLibraryDataset, NotReadyError, splitByArtist } from './data.ts';
import { modelDefinition } from './definition.ts';
import { activateIfEmbedded, embedMissing, fileCheckpointStore, saveModel } from './store.ts';
import type { TrainReply, TrainRequest, TrainWorkerData } from './train-messages.ts';
import { trainModel, type TrainOptions } from './trainer.ts';

// The training worker: loads the library's songs, trains with checkpoints, saves the model (inactive),
// embeds every analysed song under its id, then activates it in one transaction, and reports back. A
// 'cancel' stops at the next batch (keeping a checkpoint) or the next embedding chunk (the new model
// stays inactive; the active one is untouched).
const port = parentPort;
if (!port) throw new Error('train.worker must run as a worker thread');
const data = workerData as TrainWorkerData;
if (data.lowPriority) lowerThreadPriority();
const send = (reply: TrainReply) => port.postMessage(reply);
let cancelled = false;
port.on('message', (request: TrainRequest) => {
  if (request.type === 'cancel') cancelled = true;
});

async function main(): Promise<void> {
  const backend = await selectBackend(data.backend);
  send({ type: 'backend', backend });
  const db = openLibraryDatabase(data.dataDir);
  try {
    // Only the columns this model reads: the default model never loads the MFCC blobs.
    const dataset = loadLibraryDataset(db, { inputs: modelDefinition(data.model).input });
    if (dataset.songs.length < 2) throw new NotReadyError(`only ${dataset.songs.length} song(s) have both features and topics: run \`cadenza analyze\` and \`cadenza topics fit\``);
    const all = dataset.songs.map((_, i) => i);
    const { kept, held } = splitByArtist(dataset.songs, all, data.validationFraction, data.seed);
    const checkpoints = fileCheckpointStore(data.dataDir, 'triplet');
    const options: TrainOptions = {
      objective: 'triplet',
      model: data.model,
      epochs: data.epochs,
      batchSize: data.batchSize,
      learningRate: data.learningRate,
      momentum: data.momentum,
      weightDecay: 0,
      sampling: { mode: data.sampling, negativesPerPositive: data.negatives, maxTriplets: data.maxTripletsPerEpoch, budget: data.tripletBudget },
      patience: data.patience,
      seed: data.seed,
      runTriplets: data.runTriplets,
    };
    const trained = await trainModel(dataset, { train: kept, validation: held }, options, {
      onProgress: (progress) => send({ type: 'progress', progress }),
      onEpoch: (metrics) => send({ type: 'epoch', metrics }),
      isCancelled: () => cancelled,
      checkpoints,
      checkpointEveryMs: data.checkpointEveryMs,
      keepFinalCheckpoint: true,
    });
    const base = {
      backend,
      cancelled: trained.cancelled,
      songs: dataset.songs.length,
      trainSongs: trained.trainSongs,
      valSongs: trained.valSongs,
      epochsRun: trained.history.length,
      bestEpoch: trained.bestEpoch,
      valAccuracy: trained.valAccuracy,
      stoppedEarly: trained.stoppedEarly,
      resumedFromEpoch: trained.resumedFromEpoch,
      tripletsPerSecond: trained.tripletsPerSecond,
      trainMs: trained.trainMs,
    };
    if (trained.cancelled) return send({ type: 'done', result: base });
    const saved = saveModel(db, data.dataDir, trained, backend, dataset, Date.now(), { activate: 'when-embedded' });
    const embedded = await embedMissing(db, data.dataDir, { modelId: saved.modelId, isCancelled: () => cancelled });
    const activated = saved.eligible && !cancelled && activateIfEmbedded(db, saved.modelId);
    if (!cancelled) checkpoints.clear(); // stored, embedded and active (or refused): nothing left to resume
    const embeddedInfo = { count: embedded.embedded, songsPerSecond: embedded.songsPerSecond };
    send({ type: 'done', result: { ...base, cancelled: cancelled && !activated, saved: { ...saved, activated }, embedded: embeddedInfo } });
  } finally {
    db.close();
  }
}

main().then(
  () => port.close(),
  (error: unknown) => {
    send({ type: 'error', error: error instanceof Error ? error.message : String(error), notReady: error instanceof NotReadyError });
    port.close();
  },
);
