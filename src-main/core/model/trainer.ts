import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs';
import { createRng, type Rng } from '../topics/rng.ts';
import {
  allGroups,
  fitStandardizer,
  fullEpochSize,
  groupPools,
  groupVector,
  inputMatrix,
  sampleTriplets,
  shuffleInPlace,
  standardize,
  tripletBatch,
  type Dataset,
  type Standardizer,
  type Triplets,
} from './data.ts';
import { modelDefinition, type ModelConfig } from './definition.ts';
import { Network, initWeights, paramSpecs, type WeightSet } from './network.ts';
import { Sgd, embedRows, embedUsers, trainStep, type FeatureMatrix, type TripletBatch } from './step.ts';

/** The loss became NaN or infinite: the weights are lost for this run (the caller keeps what it had). */
export class TrainingDivergedError extends Error {
  constructor(
    readonly loss: number,
    readonly epoch: number,
  ) {
    super(`training diverged (loss ${loss}) at epoch ${epoch}: lower the learning rate`);
  }
}

export { plannedEpochs, TRAIN_DEFAULTS, type TrainOptions } from './train-options.ts';
import { plannedEpochs, type TrainOptions } from './train-options.ts';

/** Triplets per epoch of the validation set (fixed, seeded): a larger validation side is sub-sampled (budgetTriplets). */
export const VALIDATION_TRIPLETS = 16_384;

export interface EpochMetrics {
  epoch: number;
  loss: number;
  /** Share of the epoch's training pairs ranked right (with dropout on). */
  trainAccuracy: number;
  /** Pairwise accuracy on the validation triplets (null without validation songs). */
  valAccuracy: number | null;
  triplets: number;
  ms: number;
}

export interface TrainProgress {
  epoch: number;
  /** The most epochs the run may take (the plan). */
  epochs: number;
  /**
   * The epochs it is expected to take: early stopping ends it `patience` epochs after the best so far
   * unless validation improves again, so this is min(plan, best + patience), never below this epoch; the
   * time left is of these. (On real libraries validation peaks early: 15 of 46 planned epochs at 1,200
   * songs, when a time left of all 46 was 12× too long.)
   */
  expectedEpochs: number;
  step: number;
  steps: number;
  /** Mean loss of the epoch so far. */
  loss: number;
  lastValAccuracy: number | null;
  bestValAccuracy: number | null;
  tripletsPerSecond: number;
  etaSec: number | null;
}

/** The resumable state, written at the end of every epoch, every `checkpointEveryMs`, and on cancel. */
export interface Checkpoint {
  key: string;
  epoch: number;
  /** Steps of `epoch` already done (0 at an epoch boundary). */
  step: number;
  epochLoss: number;
  epochCorrect: number;
  epochMs: number;
  history: EpochMetrics[];
  bestEpoch: number;
  bestValAccuracy: number | null;
  sinceBest: number;
  weights: Map<string, Float32Array>;
  velocity: Map<string, Float32Array>;
  best: Map<string, Float32Array> | null;
}

export interface CheckpointStore {
  load(key: string): Checkpoint | null;
  save(checkpoint: Checkpoint): void;
  clear(): void;
}

export interface TrainHooks {
  onProgress?: (p: TrainProgress) => void;
  onEpoch?: (m: EpochMetrics) => void;
  isCancelled?: () => boolean;
  checkpoints?: CheckpointStore;
  checkpointEveryMs?: number;
  /**
   * Save a last checkpoint of the finished run instead of clearing it: the caller clears it once the model
   * is stored, embedded and active, so a kill during that resumes from the finished weights.
   */
  keepFinalCheckpoint?: boolean;
}

export interface TrainedModel {
  config: ModelConfig;
  options: TrainOptions;
  weights: WeightSet;
  standardizer: Standardizer;
  history: EpochMetrics[];
  bestEpoch: number;
  valAccuracy: number | null;
  trainSongs: number;
  valSongs: number;
  stoppedEarly: boolean;
  cancelled: boolean;
  resumedFromEpoch: number | null;
  trainMs: number;
  tripletsPerSecond: number;
}

export interface Split {
  train: readonly number[];
  validation: readonly number[];
}

/**
 * Fine-tuning (recommend/retrain.ts) is this trainer with a warm start and one more data source:
 * `from` starts at a trained model's weights and keeps its standardisation; `personal` adds the
 * listener's triplets (selection mask, liked song, disliked song: indices into dataset.songs, which may
 * be untagged songs outside the split), each `weight` times per epoch among the library's. They get
 * the same objectives as the library's: the item–item positive of a liked song is another song liked
 * under the same selection, and the topic head its own dominant topic (none when untagged).
 */
export interface TrainStart {
  from?: { config: ModelConfig; weights: WeightSet; standardizer: Standardizer };
  personal?: { triplets: Triplets; weight: number };
}

/** An epoch's triplets; `personal[i]` = 1 where triplet i is one of the listener's. */
export type EpochTriplets = Triplets & { personal?: Uint8Array };

/** The library's triplets plus `weight` copies of the personal ones, shuffled together. */
export function withPersonalTriplets(library: Triplets, personal: Triplets, weight: number, rng: Rng): EpochTriplets {
  const copies = Math.max(0, Math.round(weight));
  const n = library.pos.length + copies * personal.pos.length;
  const order = Int32Array.from({ length: n }, (_, i) => i);
  shuffleInPlace(order, rng);
  const source = (i: number): [Triplets, number] =>
    i < library.pos.length ? [library, i] : [personal, (i - library.pos.length) % personal.pos.length];
  const out: EpochTriplets = {
    group: new Int32Array(n),
    pos: new Int32Array(n),
    neg: new Int32Array(n),
    personal: new Uint8Array(n),
  };
  order.forEach((from, to) => {
    const [t, i] = source(from);
    out.group[to] = t.group[i]!;
    out.pos[to] = t.pos[i]!;
    out.neg[to] = t.neg[i]!;
    out.personal![to] = t === library ? 0 : 1;
  });
  return out;
}

/** Per selection mask, the songs liked under it (the item–item partners of personal triplets). */
export function likedBySelection(personal: Triplets): Map<number, number[]> {
  const out = new Map<number, number[]>();
  personal.group.forEach((g, i) => {
    const list = out.get(g) ?? [];
    if (!list.includes(personal.pos[i]!)) list.push(personal.pos[i]!);
    out.set(g, list);
  });
  return out;
}

/** A run's identity: the same options on the same songs and topics resume; anything else starts over. */
export function runKey(dataset: Dataset, split: Split, options: TrainOptions): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ options, fp: dataset.topicFingerprint, fv: dataset.featureVersion, k: dataset.k }));
  h.update(Int32Array.from(split.train, (i) => dataset.songs[i]!.trackId));
  h.update('|');
  h.update(Int32Array.from(split.validation, (i) => dataset.songs[i]!.trackId));
  return h.digest('hex').slice(0, 16);
}

/** Trains one network; returns the weights of the best validation epoch. */
export async function trainModel(
  dataset: Dataset,
  split: Split,
  options: TrainOptions,
  hooks: TrainHooks = {},
  fineTune: TrainStart = {},
): Promise<TrainedModel> {
  const started = performance.now();
  const definition = modelDefinition(options.model);
  const input = inputMatrix(dataset, fineTune.from?.config.input ?? definition.input);
  const config = fineTune.from?.config ?? definition.config(input.width, dataset.k);
  if (config.itemInput !== input.width)
    throw new Error(`the model reads ${config.itemInput} values per song, the library has ${input.width}: train a fresh model`);
  const standardizer = fineTune.from?.standardizer ?? fitStandardizer(input.data, input.width, split.train);
  const personal = fineTune.personal && fineTune.personal.triplets.pos.length > 0 ? fineTune.personal : null;
  const inSplit = new Set([...split.train, ...split.validation]);
  const personalOnly = personal
    ? [...new Set([...personal.triplets.pos, ...personal.triplets.neg])].filter((i) => !inSplit.has(i))
    : [];
  const all = [...split.train, ...split.validation, ...personalOnly];
  // One standardised matrix for train + validation (+ personal) songs; rowOf maps a song index to its row.
  const matrix = standardize(input.data, input.width, standardizer, all);
  const rowOf = new Int32Array(dataset.songs.length).fill(-1);
  all.forEach((songIndex, row) => (rowOf[songIndex] = row));
  const trainPools = groupPools(dataset.songs, split.train, dataset.k);
  const extras =
    config.loss && (config.loss.itemItem > 0 || config.loss.topicHead > 0) ? itemPartners(dataset, split.train) : null;
  const liked = personal ? likedBySelection(personal.triplets) : undefined;
  if (trainPools.groups.length === 0)
    throw new Error(
      'no user group has both a positive and a negative training song: tag more songs, with more than one topic among them',
    );
  const valTriplets = validationTriplets(dataset, split.validation, options.seed);
  const epochSize =
    options.sampling.mode === 'unbalanced' && options.sampling.budget
      ? Math.min(options.sampling.budget, fullEpochSize(trainPools))
      : fullEpochSize(trainPools);
  const epochs = plannedEpochs(options, epochSize);

  const key = runKey(dataset, split, options);
  const specs = paramSpecs(config);
  const net = new Network(config, fineTune.from?.weights ?? initWeights(config, options.seed));
  const sgd = new Sgd(net, { learningRate: options.learningRate, momentum: options.momentum, weightDecay: options.weightDecay });
  try {
    let state: Checkpoint = {
      key,
      epoch: 0,
      step: 0,
      epochLoss: 0,
      epochCorrect: 0,
      epochMs: 0,
      history: [],
      bestEpoch: 0,
      bestValAccuracy: null,
      sinceBest: 0,
      weights: new Map(),
      velocity: new Map(),
      best: null,
    };
    const resumed = hooks.checkpoints?.load(key) ?? null;
    if (resumed) {
      state = resumed;
      net.setWeights({ specs, values: resumed.weights });
      for (const [name, v] of sgd.velocity) {
        const saved = resumed.velocity.get(name);
        if (saved) v.assign(tf.tensor(saved, v.shape));
      }
    }
    const resumedFromEpoch = resumed ? resumed.epoch : null;
    let tripletsDone = 0;
    let trainMsTotal = 0;
    // Time left from the run's wall time per triplet so far (steps, validation and checkpoints included).
    const loopStarted = performance.now();
    let cancelled = false;
    let stoppedEarly = false;
    let lastCheckpoint = performance.now();
    const saveCheckpoint = async () => {
      if (!hooks.checkpoints) return;
      state.weights = (await net.weights(specs)).values;
      state.velocity = new Map();
      for (const [name, v] of sgd.velocity) state.velocity.set(name, (await v.data()) as Float32Array);
      hooks.checkpoints.save(state);
      lastCheckpoint = performance.now();
    };

    while (state.epoch < epochs) {
      const library = sampleTriplets(trainPools, options.sampling, createRng(options.seed * 1_000_003 + state.epoch), {
        seed: options.seed,
        epoch: state.epoch,
      });
      const triplets: EpochTriplets = personal
        ? withPersonalTriplets(library, personal.triplets, personal.weight, createRng(options.seed * 15_485_863 + state.epoch))
        : library;
      const steps = Math.ceil(triplets.pos.length / options.batchSize);
      while (state.step < steps) {
        // Let queued messages (a worker's 'cancel') run: wasm's data() resolves without a macrotask.
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (hooks.isCancelled?.()) {
          cancelled = true;
          break;
        }
        const t0 = performance.now();
        const start = state.step * options.batchSize;
        const end = Math.min(triplets.pos.length, start + options.batchSize);
        const batch = tripletBatch(triplets, start, end, dataset.k, rowOf);
        if (extras)
          addItemTargets(
            batch,
            triplets,
            start,
            end,
            dataset,
            extras,
            rowOf,
            createRng(options.seed * 92_821 + state.epoch * 1_009 + state.step),
            liked,
          );
        const { loss, correct } = trainStep(
          options.objective,
          net,
          sgd,
          matrix,
          batch,
          options.seed * 7_368_787 + state.epoch * 100_003 + state.step,
        );
        const [l, c] = await Promise.all([loss.data(), correct.data()]);
        loss.dispose();
        correct.dispose();
        if (!Number.isFinite(l[0]!)) throw new TrainingDivergedError(l[0]!, state.epoch + 1);
        const ms = performance.now() - t0;
        state.epochLoss += l[0]! * (end - start);
        state.epochCorrect += c[0]!;
        state.epochMs += ms;
        state.step++;
        tripletsDone += end - start;
        trainMsTotal += ms;
        const rate = (tripletsDone * 1000) / Math.max(1, trainMsTotal);
        const wallRate = (tripletsDone * 1000) / Math.max(1, performance.now() - loopStarted);
        const expectedEpochs =
          options.patience > 0 && valTriplets
            ? Math.min(epochs, Math.max(state.epoch + 1, state.bestEpoch + options.patience))
            : epochs;
        const left = (expectedEpochs - state.epoch) * triplets.pos.length - end;
        hooks.onProgress?.({
          epoch: state.epoch + 1,
          epochs,
          expectedEpochs,
          step: state.step,
          steps,
          loss: state.epochLoss / end,
          lastValAccuracy: state.history.at(-1)?.valAccuracy ?? null,
          bestValAccuracy: state.bestValAccuracy,
          tripletsPerSecond: rate,
          etaSec: wallRate > 0 ? left / wallRate : null,
        });
        if (
          hooks.checkpointEveryMs !== undefined &&
          state.step < steps &&
          performance.now() - lastCheckpoint > hooks.checkpointEveryMs
        )
          await saveCheckpoint();
      }
      if (cancelled) break;
      const valAccuracy = valTriplets ? await pairwiseAccuracy(net, matrix, rowOf, valTriplets, dataset.k) : null;
      const metrics: EpochMetrics = {
        epoch: state.epoch + 1,
        loss: state.epochLoss / Math.max(1, triplets.pos.length),
        trainAccuracy: state.epochCorrect / Math.max(1, triplets.pos.length),
        valAccuracy,
        triplets: triplets.pos.length,
        ms: state.epochMs,
      };
      state.history.push(metrics);
      // Without validation songs the last epoch counts as the best.
      if (valAccuracy === null || state.bestValAccuracy === null || valAccuracy > state.bestValAccuracy) {
        state.bestValAccuracy = valAccuracy;
        state.bestEpoch = metrics.epoch;
        state.best = (await net.weights(specs)).values;
        state.sinceBest = 0;
      } else {
        state.sinceBest++;
      }
      hooks.onEpoch?.(metrics);
      state.epoch++;
      state.step = 0;
      state.epochLoss = 0;
      state.epochCorrect = 0;
      state.epochMs = 0;
      if (options.patience > 0 && state.sinceBest >= options.patience) {
        stoppedEarly = true;
        break;
      }
      if (state.epoch < epochs) await saveCheckpoint();
    }
    if (cancelled || hooks.keepFinalCheckpoint) await saveCheckpoint();
    else hooks.checkpoints?.clear();
    const bestValues = state.best ?? (await net.weights(specs)).values;
    return {
      config,
      options,
      weights: { specs, values: bestValues },
      standardizer,
      history: state.history,
      bestEpoch: state.bestEpoch,
      valAccuracy: state.bestValAccuracy,
      trainSongs: split.train.length,
      valSongs: split.validation.length,
      stoppedEarly,
      cancelled,
      resumedFromEpoch,
      trainMs: performance.now() - started,
      tripletsPerSecond: (tripletsDone * 1000) / Math.max(1, trainMsTotal),
    };
  } finally {
    sgd.dispose();
    net.dispose();
  }
}

/** Training songs by dominant topic (the item–item positives). */
export function itemPartners(dataset: Dataset, train: readonly number[]): Map<number, number[]> {
  const byTopic = new Map<number, number[]>();
  for (const i of train) {
    const t = dataset.songs[i]!.dominant;
    const list = byTopic.get(t);
    if (list) list.push(i);
    else byTopic.set(t, [i]);
  }
  return byTopic;
}

/**
 * Adds the extra objectives' targets to a batch: for each triplet, another training song with the
 * positive's dominant topic (the positive itself when it is alone), and both songs' dominant topics.
 * A personal triplet's partner is another song liked under its selection (`liked`), and an untagged
 * song's topic is −1 (a zero target: no topic-head loss).
 */
export function addItemTargets(
  batch: TripletBatch,
  t: EpochTriplets,
  start: number,
  end: number,
  dataset: Dataset,
  byTopic: Map<number, number[]>,
  rowOf: Int32Array,
  rng: Rng,
  liked?: Map<number, number[]>,
): void {
  const size = end - start;
  batch.pos2 = new Int32Array(size);
  batch.posTopic = new Int32Array(size);
  batch.negTopic = new Int32Array(size);
  for (let i = 0; i < size; i++) {
    const p = t.pos[start + i]!;
    const topic = dataset.songs[p]!.dominant;
    const partners = (t.personal?.[start + i] ? liked?.get(t.group[start + i]!) : byTopic.get(topic)) ?? [p];
    let q = partners[rng.int(partners.length)]!;
    if (q === p && partners.length > 1) q = partners[(partners.indexOf(p) + 1 + rng.int(partners.length - 1)) % partners.length]!;
    batch.pos2[i] = rowOf[q]!;
    batch.posTopic[i] = topic;
    batch.negTopic[i] = dataset.songs[t.neg[start + i]!]!.dominant;
  }
}

/** Fixed validation triplets (unbalanced sampling over the validation songs, seeded, at most `budget`); null if none. */
export function validationTriplets(
  dataset: Dataset,
  songs: readonly number[],
  seed: number,
  budget = VALIDATION_TRIPLETS,
): Triplets | null {
  if (songs.length === 0) return null;
  const pools = groupPools(dataset.songs, songs, dataset.k);
  if (pools.groups.length === 0) return null;
  return sampleTriplets(pools, { mode: 'unbalanced', budget }, createRng(seed * 31 + 17), { seed: seed * 31 + 17, epoch: 0 });
}

/**
 * Share of triplets with D(u, positive) < D(u, negative), in inference mode. Embeds only the rows the
 * triplets read and scores them in chunks, so its memory follows the triplets, not the library.
 */
export async function pairwiseAccuracy(
  net: Network,
  matrix: FeatureMatrix,
  rowOf: Int32Array,
  triplets: Triplets,
  k: number,
  chunk = 8192,
): Promise<number> {
  // The distinct matrix rows the triplets read, compacted into a small matrix.
  const compact = new Map<number, number>();
  const n = triplets.pos.length;
  for (let i = 0; i < n; i++)
    for (const r of [rowOf[triplets.pos[i]!]!, rowOf[triplets.neg[i]!]!]) if (!compact.has(r)) compact.set(r, compact.size);
  const sub = new Float32Array(compact.size * matrix.width);
  for (const [r, c] of compact) sub.set(matrix.data.subarray(r * matrix.width, (r + 1) * matrix.width), c * matrix.width);
  const items = await embedRows(net, { data: sub, rows: compact.size, width: matrix.width });
  const groups = allGroups(k);
  const users = new Float32Array(groups.length * k);
  groups.forEach((g, i) => users.set(groupVector(g, k), i * k));
  const userEmb = await embedUsers(net, users);
  const e = net.config.embedding;
  let right = 0;
  for (let start = 0; start < n; start += chunk) {
    const size = Math.min(chunk, n - start);
    const u = new Float32Array(size * e);
    const p = new Float32Array(size * e);
    const q = new Float32Array(size * e);
    for (let j = 0; j < size; j++) {
      const i = start + j;
      u.set(userEmb.subarray((triplets.group[i]! - 1) * e, triplets.group[i]! * e), j * e);
      const pr = compact.get(rowOf[triplets.pos[i]!]!)!;
      const nr = compact.get(rowOf[triplets.neg[i]!]!)!;
      p.set(items.subarray(pr * e, (pr + 1) * e), j * e);
      q.set(items.subarray(nr * e, (nr + 1) * e), j * e);
    }
    const correct = tf.tidy(() => {
      const ut = tf.tensor2d(u, [size, e]);
      const z = tf.sub(net.distance(ut, tf.tensor2d(p, [size, e])), net.distance(ut, tf.tensor2d(q, [size, e])));
      return tf.sum(tf.cast(tf.less(z, 0), 'float32'));
    });
    right += (await correct.data())[0]!;
    correct.dispose();
  }
  return right / Math.max(1, n);
}
