/**
 * Fine-tuning the active model on the library's triplets plus the listener's own (`cadenza train
 * --from-feedback`). Personal triplets: under one topic selection, a liked or completed track (the
 * positive) against a skipped or disliked one (the negative); each is repeated `personalWeight` times
 * per epoch among the library triplets. The result replaces the active model only if its validation
 * accuracy (the library's validation triplets, the original split) does not drop below the active
 * model's on the same triplets; otherwise it is refused and nothing is stored.
 */
import type { Database } from 'better-sqlite3';
import { selectBackend, type BackendInfo, type BackendName } from '../model/backend.ts';
import {
  groupPools,
  groupVector,
  inputMatrix,
  loadLibraryDataset,
  NotReadyError,
  sampleTriplets,
  splitByArtist,
  standardize,
  type Triplets,
} from '../model/data.ts';
import { modelInputOf, type StoredInputRow } from '../model/inputs.ts';
import { Network, paramSpecs } from '../model/network.ts';
import { embedRows, embedUsers, Sgd, trainStep, type FeatureMatrix } from '../model/step.ts';
import { activateModel, embedMissing, loadModel, saveModel, type SaveResult } from '../model/store.ts';
import { pairwiseAccuracy, validationTriplets, type EpochMetrics, type TrainedModel } from '../model/trainer.ts';
import { createRng } from '../topics/rng.ts';
import { feedbackEvents } from './feedback.ts';
import { LearnedDistance, type DistanceLayer } from './learned-distance.ts';

export interface FineTuneOptions {
  epochs?: number;
  learningRate?: number;
  /** Copies of each personal triplet per epoch. Default 5. */
  personalWeight?: number;
  /** Library triplets per epoch (sub-sampled). Default 4096. */
  libraryTriplets?: number;
  batchSize?: number;
  seed?: number;
  backend?: BackendName;
}

export interface FineTuneResult {
  backend: Pick<BackendInfo, 'name' | 'device'>;
  baseModelId: number;
  personalTriplets: number;
  /** Validation accuracy of the active model and of the fine-tuned one, on the same triplets. */
  before: number | null;
  after: number | null;
  /** Share of personal triplets ranked right, before and after. */
  personalBefore: number | null;
  personalAfter: number | null;
  accepted: boolean;
  reason: string;
  saved: SaveResult | null;
  embedded: number;
}

/** A personal triplet: k-hot selection, and the feedback tracks (ids) liked and disliked under it. */
export interface PersonalTriplet {
  topics: number[];
  positive: number;
  negative: number;
}

/** Pairs up, per topic selection, the tracks last liked/completed with those last skipped/disliked. */
export function personalTriplets(db: Database, maxPerSelection = 2000): PersonalTriplet[] {
  const latest = new Map<string, Map<number, 'pos' | 'neg'>>();
  for (const e of feedbackEvents(db)) {
    if (e.topics.length === 0 || e.kind === 'play') continue;
    const key = e.topics.join(',');
    let byTrack = latest.get(key);
    if (!byTrack) latest.set(key, (byTrack = new Map()));
    byTrack.set(e.trackId, e.kind === 'like' || e.kind === 'complete' ? 'pos' : 'neg');
  }
  const out: PersonalTriplet[] = [];
  for (const [key, byTrack] of latest) {
    const topics = key.split(',').map(Number);
    const pos = [...byTrack].filter(([, c]) => c === 'pos').map(([id]) => id);
    const neg = [...byTrack].filter(([, c]) => c === 'neg').map(([id]) => id);
    let n = 0;
    for (const p of pos) for (const q of neg) if (n++ < maxPerSelection) out.push({ topics, positive: p, negative: q });
  }
  return out;
}

export async function fineTuneFromFeedback(
  db: Database,
  dataDir: string,
  options: FineTuneOptions = {},
): Promise<FineTuneResult> {
  const model = loadModel(db, dataDir);
  if (!model) throw new NotReadyError('no trained model yet: run `cadenza train` first');
  const dataset = loadLibraryDataset(db);
  if (dataset.topicFingerprint !== model.meta.topicFingerprint || dataset.featureVersion !== model.meta.featureVersion) {
    throw new NotReadyError(
      'the active model is out of date (topics or features changed): run `cadenza train` for a fresh model',
    );
  }
  const personal = personalTriplets(db);
  if (personal.length === 0)
    throw new NotReadyError(
      'no personal triplets yet: like or complete some tracks and skip or dislike others under a topic selection',
    );
  const backendInfo = await selectBackend(options.backend);
  const backend = { name: backendInfo.name, device: backendInfo.device };
  const seed = options.seed ?? model.meta.options.seed;
  const k = dataset.k;
  const { config } = model.meta;
  const input = inputMatrix(dataset, config.input);
  const width = input.width;

  // Rows: every dataset song, then feedback tracks outside it (untagged songs), standardised as the model was.
  const all = dataset.songs.map((_, i) => i);
  const library = standardize(input.data, width, model.standardizer, all);
  const rowByTrack = new Map<number, number>(dataset.songs.map((s, i) => [s.trackId, i]));
  const extraIds = [...new Set(personal.flatMap((t) => [t.positive, t.negative]))].filter((id) => !rowByTrack.has(id));
  const extras: Float32Array[] = [];
  const getFeatures = db.prepare('SELECT features, descriptors FROM track_features WHERE track_id = ? AND feature_version = ?');
  for (const id of extraIds) {
    const row = getFeatures.get(id, model.meta.featureVersion) as StoredInputRow | undefined;
    const f = row ? modelInputOf(config.input, row) : null;
    if (!f || f.length !== width) continue;
    const x = new Float32Array(width);
    for (let d = 0; d < width; d++) x[d] = (f[d]! - model.standardizer.mean[d]!) / model.standardizer.std[d]!;
    rowByTrack.set(id, dataset.songs.length + extras.length);
    extras.push(x);
  }
  const data = new Float32Array((dataset.songs.length + extras.length) * width);
  data.set(library.data);
  extras.forEach((x, i) => data.set(x, (dataset.songs.length + i) * width));
  const matrix: FeatureMatrix = { data, rows: dataset.songs.length + extras.length, width };
  const usable = personal.filter(
    (t) => rowByTrack.has(t.positive) && rowByTrack.has(t.negative) && t.topics.every((x) => x >= 1 && x <= k),
  );

  // The original split (same fraction and seed as `cadenza train`): validate on songs it did not train on.
  const { kept, held } = splitByArtist(dataset.songs, all, 0.1, model.meta.options.seed);
  const rowOf = Int32Array.from(all);
  const valTriplets = validationTriplets(dataset, held, model.meta.options.seed);
  const pools = groupPools(dataset.songs, kept, k);

  const net = new Network(config, model.weights);
  const sgd = new Sgd(net, { learningRate: options.learningRate ?? 0.003, momentum: 0.9, weightDecay: 0 });
  const personalAccuracy = async (): Promise<number | null> =>
    usable.length ? await pairwiseAccuracyOf(net, matrix, usable, rowByTrack, k) : null;
  try {
    const before = valTriplets ? await pairwiseAccuracy(net, matrix, rowOf, valTriplets, k) : null;
    const personalBefore = await personalAccuracy();
    const specs = paramSpecs(config);
    let best: { values: Map<string, Float32Array>; acc: number | null; epoch: number } | null = null;
    const history: EpochMetrics[] = [];
    const epochs = options.epochs ?? 5;
    const batchSize = options.batchSize ?? 256;
    const weight = Math.max(1, Math.round(options.personalWeight ?? 5));
    const started = performance.now();
    let tripletsDone = 0;
    for (let epoch = 0; epoch < epochs; epoch++) {
      const rng = createRng(seed * 1_000_003 + epoch + 77);
      const lib: Triplets = sampleTriplets(pools, { mode: 'unbalanced', maxTriplets: options.libraryTriplets ?? 4096 }, rng);
      // Mixed list of (user mask or personal index, positive row, negative row).
      const items: { users: Float32Array; pos: number; neg: number }[] = [];
      for (let i = 0; i < lib.pos.length; i++)
        items.push({ users: groupVector(lib.group[i]!, k), pos: rowOf[lib.pos[i]!]!, neg: rowOf[lib.neg[i]!]! });
      for (let w = 0; w < weight; w++)
        for (const t of usable)
          items.push({ users: topicsVector(t.topics, k), pos: rowByTrack.get(t.positive)!, neg: rowByTrack.get(t.negative)! });
      for (let i = items.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [items[i], items[j]] = [items[j]!, items[i]!];
      }
      const t0 = performance.now();
      let lossSum = 0;
      let correctSum = 0;
      for (let start = 0; start < items.length; start += batchSize) {
        const part = items.slice(start, start + batchSize);
        const users = new Float32Array(part.length * k);
        part.forEach((it, i) => users.set(it.users, i * k));
        const batch = { users, pos: Int32Array.from(part, (it) => it.pos), neg: Int32Array.from(part, (it) => it.neg) };
        const { loss, correct } = trainStep('triplet', net, sgd, matrix, batch, seed * 7_368_787 + epoch * 100_003 + start);
        const [l, c] = await Promise.all([loss.data(), correct.data()]);
        loss.dispose();
        correct.dispose();
        lossSum += l[0]! * part.length;
        correctSum += c[0]!;
      }
      tripletsDone += items.length;
      const acc = valTriplets ? await pairwiseAccuracy(net, matrix, rowOf, valTriplets, k) : null;
      history.push({
        epoch: epoch + 1,
        loss: lossSum / items.length,
        trainAccuracy: correctSum / items.length,
        valAccuracy: acc,
        triplets: items.length,
        ms: performance.now() - t0,
      });
      if (!best || acc === null || best.acc === null || acc > best.acc)
        best = { values: (await net.weights(specs)).values, acc, epoch: epoch + 1 };
    }
    if (!best) throw new Error('no epoch ran');
    net.setWeights({ specs, values: best.values });
    const personalAfter = await personalAccuracy();
    const after = best.acc;
    const accepted = before === null || after === null || after >= before;
    const base = {
      backend,
      baseModelId: model.id,
      personalTriplets: usable.length,
      before,
      after,
      personalBefore,
      personalAfter,
    };
    if (!accepted) {
      return {
        ...base,
        accepted,
        reason: `validation accuracy would drop from ${before!.toFixed(3)} to ${after!.toFixed(3)}: the active model stays`,
        saved: null,
        embedded: 0,
      };
    }
    const trained: TrainedModel = {
      config,
      options: { ...model.meta.options, epochs, learningRate: options.learningRate ?? 0.003, seed },
      weights: { specs, values: best.values },
      standardizer: model.standardizer,
      history,
      bestEpoch: best.epoch,
      valAccuracy: after,
      trainSongs: kept.length,
      valSongs: held.length,
      stoppedEarly: false,
      cancelled: false,
      resumedFromEpoch: null,
      trainMs: performance.now() - started,
      tripletsPerSecond: (tripletsDone * 1000) / Math.max(1, performance.now() - started),
    };
    const saved = saveModel(db, dataDir, trained, backend, dataset);
    // The comparison above is on the same triplets, so it decides (the stored accuracies may be from older splits).
    if (!saved.activated) activateModel(db, saved.modelId);
    const embedded = await embedMissing(db, dataDir, { modelId: saved.modelId });
    return {
      ...base,
      accepted,
      reason: `validation accuracy ${before === null ? '—' : before.toFixed(3)} → ${after === null ? '—' : after.toFixed(3)}`,
      saved: { ...saved, activated: true },
      embedded: embedded.embedded,
    };
  } finally {
    sgd.dispose();
    net.dispose();
  }
}

function topicsVector(topics: readonly number[], k: number): Float32Array {
  const v = new Float32Array(k);
  for (const t of topics) v[t - 1] = 1;
  return v;
}

/** Share of personal triplets with D(π(selection), φ(liked)) < D(π(selection), φ(disliked)), inference mode. */
async function pairwiseAccuracyOf(
  net: Network,
  matrix: FeatureMatrix,
  triplets: readonly PersonalTriplet[],
  rowByTrack: Map<number, number>,
  k: number,
): Promise<number> {
  const items = await embedRows(net, matrix);
  const users = new Float32Array(triplets.length * k);
  triplets.forEach((t, i) => users.set(topicsVector(t.topics, k), i * k));
  const u = await embedUsers(net, users);
  const e = net.config.embedding;
  let inputs = e;
  const layers: DistanceLayer[] = [];
  for (const [i, outputs] of [...net.config.distance, 1].entries()) {
    layers.push({
      w: (await net.v(`dist${i}/w`).data()) as Float32Array,
      b: (await net.v(`dist${i}/b`).data()) as Float32Array,
      inputs,
      outputs,
    });
    inputs = outputs;
  }
  const distance = new LearnedDistance(layers);
  const row = (id: number) => items.subarray(rowByTrack.get(id)! * e, (rowByTrack.get(id)! + 1) * e);
  let right = 0;
  triplets.forEach((t, i) => {
    const ui = u.subarray(i * e, (i + 1) * e);
    if (distance.distance(ui, row(t.positive)) < distance.distance(ui, row(t.negative))) right++;
  });
  return right / triplets.length;
}
