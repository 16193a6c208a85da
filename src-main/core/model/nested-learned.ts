import { splitByArtist, standardize, inputMatrix, type Dataset } from './data.ts';
import { modelDefinition, resolveModelName } from './definition.ts';
import { evaluateModel, type ModelMetrics, type SongToSong } from './evaluate.ts';
import type { DatasetMetrics } from './nested-eval.ts';
import {
  artistFolds,
  configMatrix,
  configName,
  HUBNESS,
  scoreConfigs,
  selectConfig,
  unlearnedConfigs,
  type MetricSource,
  type SongMetricConfig,
} from './nested-eval.ts';
import { Network } from './network.ts';
import { distanceMatrix, embedRows } from './step.ts';
import { TRAIN_DEFAULTS, trainModel, type TrainedModel, type TrainOptions } from './trainer.ts';

/**
 * The learned side of the nested protocol, at one training per outer fold: the model is trained on
 * the outer-training songs minus a quarter of them by artist (the selection part, also its early-
 * stopping set), so the blend weight and hubness setting are chosen on songs the model never trained
 * on; the choice is then reported on the outer test songs.
 */

export interface LearnedFold {
  /** The unlearned configuration the inner folds chose on this fold's outer-training songs. */
  unlearned: SongMetricConfig;
  candidates: SongMetricConfig[];
  chosen: number;
  /** Every candidate on the outer test songs. */
  outer: SongToSong[];
  /** User → song (and the model's own song → song) on the outer test songs, of the chosen model. */
  model: ModelMetrics;
  /** The model definition chosen on the selection part (by user → song precision@10). */
  modelName: string;
  /** Every candidate definition: its user → song precision@10 on the selection part (the choice) and its numbers on the outer test songs (reported only). */
  modelTrials: { model: string; selectionP10: number; outer: ModelMetrics; trainMs: number }[];
  trainSongs: number;
  selectionSongs: number;
  trainMs: number;
  bestEpoch: number;
}

export const SELECTION_FRACTION = 0.25;

/** The default model's own training settings (as `cadenza train` uses them). */
export function defaultTrainOptions(model: string, seed: number): TrainOptions {
  const name = resolveModelName(model);
  return {
    ...TRAIN_DEFAULTS,
    ...modelDefinition(name).training,
    objective: 'triplet',
    model: name,
    sampling: { mode: 'unbalanced', negativesPerPositive: 10, maxTriplets: 0 },
    seed,
  };
}

export interface LearnedDistance {
  /** Computes D between the given rows ahead (tfjs is asynchronous, the metric sources are not). */
  prepare(rows: readonly number[]): Promise<void>;
  /** D between prepared rows. */
  matrix(rows: readonly number[]): Float64Array;
  dispose(): void;
}

/** D over φ between rows of the dataset, for one trained model. */
export async function learnedDistance(trained: TrainedModel, dataset: Dataset): Promise<LearnedDistance> {
  const net = new Network(trained.config, trained.weights);
  const input = inputMatrix(dataset, trained.config.input);
  const items = await embedRows(net, standardize(input.data, input.width, trained.standardizer));
  const e = trained.config.embedding;
  const cache = new Map<string, Float64Array>();
  return {
    async prepare(rows) {
      const key = rows.join(',');
      if (cache.has(key)) return;
      const sub = new Float32Array(rows.length * e);
      rows.forEach((r, i) => sub.set(items.subarray(r * e, (r + 1) * e), i * e));
      cache.set(key, Float64Array.from(await distanceMatrix(net, sub, sub)));
    },
    matrix(rows) {
      const m = cache.get(rows.join(','));
      if (!m) throw new Error('learned distance matrix not prepared for these rows');
      return m;
    },
    dispose: () => net.dispose(),
  };
}

/** Candidates of the learned side: the chosen unlearned one, D alone and D blended with it, each hubness setting. */
export function learnedCandidates(unlearned: SongMetricConfig): SongMetricConfig[] {
  const out: SongMetricConfig[] = [unlearned];
  for (const hubness of HUBNESS) {
    out.push({ a: 'learnedD', weight: 1, hubness });
    for (const weight of [0.25, 0.5, 0.75]) out.push({ a: 'learnedD', b: 'unlearned', weight, hubness });
  }
  return out;
}

/** A source that adds the learned D and the fold's chosen unlearned configuration (before its hubness step) as bases. */
function foldSource(
  base: DatasetMetrics,
  unlearned: SongMetricConfig,
  learned: (rows: readonly number[]) => Float64Array,
): MetricSource {
  const inner = base.withLearned(learned);
  return {
    matrix: (b, train, rows) =>
      b === 'unlearned'
        ? configMatrix({ ...unlearned, hubness: 'none' }, rows.length, (x) => inner.matrix(x, train, rows))
        : inner.matrix(b, train, rows),
  };
}

export interface LearnedOptions {
  outerFolds: number;
  innerFolds: number;
  seed: number;
  model: string;
  /** Candidate model definitions, chosen among on each selection part (default: `model` alone). */
  models?: readonly string[];
  /** At most this many epochs per model (default: each definition's own budget). */
  epochs?: number;
}

/** One model per outer fold of `development`; returns each fold's choice and outer numbers. */
export async function nestedLearned(
  dataset: Dataset,
  metrics: DatasetMetrics,
  development: readonly number[],
  options: LearnedOptions,
  onLog: (line: string) => void = () => {},
  isCancelled: () => boolean = () => false,
): Promise<LearnedFold[]> {
  const songs = dataset.songs;
  const folds: LearnedFold[] = [];
  const outer = artistFolds(songs, development, options.outerFolds, options.seed);
  for (let f = 0; f < outer.length; f++) {
    if (isCancelled()) throw new Error('cancelled');
    const test = outer[f]!;
    const inTest = new Set(test);
    const train = development.filter((i) => !inTest.has(i));
    folds.push(
      await learnedFold(
        dataset,
        metrics,
        train,
        test,
        options,
        options.seed + 1 + f,
        `outer fold ${f + 1}/${outer.length}`,
        onLog,
        isCancelled,
      ),
    );
  }
  return folds;
}

/** Outer fold `f` (0-based) of nestedLearned alone: the same songs and seeds, so folds can run in separate processes. */
export async function nestedLearnedFold(
  dataset: Dataset,
  metrics: DatasetMetrics,
  development: readonly number[],
  f: number,
  options: LearnedOptions,
  onLog: (line: string) => void = () => {},
  isCancelled: () => boolean = () => false,
): Promise<LearnedFold> {
  const outer = artistFolds(dataset.songs, development, options.outerFolds, options.seed);
  const test = outer[f]!;
  const inTest = new Set(test);
  const train = development.filter((i) => !inTest.has(i));
  return learnedFold(
    dataset,
    metrics,
    train,
    test,
    options,
    options.seed + 1 + f,
    `outer fold ${f + 1}/${outer.length}`,
    onLog,
    isCancelled,
  );
}

/** Choose on `pool` (never reading `test`), train one model, report every candidate on `test`. */
export async function learnedFold(
  dataset: Dataset,
  metrics: DatasetMetrics,
  pool: readonly number[],
  test: readonly number[],
  options: LearnedOptions,
  seed: number,
  name: string,
  onLog: (line: string) => void,
  isCancelled: () => boolean,
): Promise<LearnedFold> {
  const songs = dataset.songs;
  const unlearnedAll = unlearnedConfigs();
  const unlearned = unlearnedAll[selectConfig(metrics, unlearnedAll, songs, pool, options.innerFolds, seed).chosen]!;
  const { kept: modelTrain, held: selection } = splitByArtist(songs, pool, SELECTION_FRACTION, seed + 500);
  // Each candidate definition is trained on the same songs with the same seed; the one with the best
  // user → song precision@10 on the selection part goes on (the outer test songs are only reported).
  const modelTrials: LearnedFold['modelTrials'] = [];
  let trained: TrainedModel | null = null;
  let modelName = '';
  let bestSelection = -Infinity;
  for (const name of options.models && options.models.length > 0 ? options.models : [options.model]) {
    const train = { ...defaultTrainOptions(name, seed), ...(options.epochs ? { epochs: options.epochs } : {}) };
    const candidate = await trainModel(dataset, { train: modelTrain, validation: selection }, train, { isCancelled });
    const selectionP10 = (await evaluateModel(candidate, dataset, selection)).userToSong.precision10;
    modelTrials.push({
      model: resolveModelName(name),
      selectionP10,
      outer: await evaluateModel(candidate, dataset, test),
      trainMs: candidate.trainMs,
    });
    if (selectionP10 > bestSelection + 1e-12) {
      bestSelection = selectionP10;
      trained = candidate;
      modelName = resolveModelName(name);
    }
  }
  if (!trained) throw new Error('no model definition to train');
  if (modelTrials.length > 1)
    onLog(
      `${name}: models on the selection part (user → song P@10): ${modelTrials.map((t) => `${t.model} ${t.selectionP10.toFixed(3)}`).join(', ')}; chose ${modelName}`,
    );
  const learned = await learnedDistance(trained, dataset);
  try {
    await learned.prepare(selection);
    await learned.prepare(test);
    const source = foldSource(metrics, unlearned, (rows) => learned.matrix(rows));
    const candidates = learnedCandidates(unlearned);
    const p10 = scoreConfigs(source, candidates, songs, modelTrain, selection).map((m) => m.precision10);
    const chosen = p10.reduce((best, v, i) => (v > p10[best]! + 1e-12 ? i : best), 0);
    const outerScores = scoreConfigs(source, candidates, songs, pool, test);
    const model = modelTrials.find((t) => t.model === modelName)!.outer;
    onLog(
      `${name}: unlearned ${configName(unlearned)}; chose ${configName(candidates[chosen]!)} on ${selection.length} selection songs, ` +
        `P@10 ${outerScores[chosen]!.precision10.toFixed(3)} (D alone ${outerScores[1]!.precision10.toFixed(3)}, unlearned ${outerScores[0]!.precision10.toFixed(3)}); ` +
        `user→song P@10 ${model.userToSong.precision10.toFixed(3)}, single-topic ${model.userToSongSingle.precision10.toFixed(3)}, pairwise ${model.userToSong.pairwise.toFixed(3)} ` +
        `(${modelTrain.length} training songs, best epoch ${trained.bestEpoch}/${trained.history.length}, ${(trained.trainMs / 1000).toFixed(0)} s)`,
    );
    return {
      unlearned,
      candidates,
      chosen,
      outer: outerScores,
      model,
      modelName,
      modelTrials,
      trainSongs: modelTrain.length,
      selectionSongs: selection.length,
      trainMs: trained.trainMs,
      bestEpoch: trained.bestEpoch,
    };
  } finally {
    learned.dispose();
  }
}
