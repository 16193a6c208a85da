import { N_MFCC } from '../analysis/dsp/constants.ts';
import { allGroups, artistGroups, fitStandardizer, groupVector, inputMatrix, splitByArtist, standardize, topicMask, type Dataset, type SamplingMode, type Song } from './data.ts';
import { modelDefinition, resolveModelName } from './definition.ts';
import { Network } from './network.ts';
import { distanceMatrix, embedRows, embedUsers, type Objective } from './step.ts';
import { TRAIN_DEFAULTS, trainModel, type TrainedModel, type TrainOptions } from './trainer.ts';

/**
 * The paper's evaluation (docs/model.md#evaluation): songs split 80/20 by artist, models trained on
 * the 80 % (a tenth of it, again by artist, for early stopping), metrics on the 20 %.
 * The metric functions are pure and take a distance matrix, so other models reuse them.
 */

export interface UserToSong {
  /** Share of groups whose nearest test song has its dominant topic in the group. */
  top1: number;
  /** Mean share of the 10 nearest test songs with the dominant topic in the group. */
  precision10: number;
  /** Share of (positive, negative) test pairs with D(u, positive) < D(u, negative), mean over groups. */
  pairwise: number;
}

export interface SongToSong {
  /** Share of test songs whose nearest other test song has the same dominant topic. */
  top1: number;
  precision10: number;
}

function rankRow(row: Float32Array | Float64Array, exclude = -1): number[] {
  const order = Array.from({ length: row.length }, (_, i) => i).filter((i) => i !== exclude);
  return order.sort((a, b) => row[a]! - row[b]! || a - b);
}

/** `distances`: groups.length × songs.length, row-major (smaller = closer). */
export function userToSongMetrics(distances: Float32Array, groups: readonly number[], songs: readonly Song[]): UserToSong {
  const n = songs.length;
  const masks = songs.map((s) => topicMask(s.topics));
  let top1 = 0;
  let p10 = 0;
  let ranked = 0;
  let pairwise = 0;
  let pairGroups = 0;
  groups.forEach((g, r) => {
    const row = distances.subarray(r * n, (r + 1) * n);
    const isPos = songs.map((s) => (g & (1 << s.dominant)) !== 0);
    const isNeg = masks.map((m) => (g & m) === 0);
    if (isPos.some(Boolean)) {
      const order = rankRow(row);
      top1 += isPos[order[0]!] ? 1 : 0;
      const top = order.slice(0, Math.min(10, n));
      p10 += top.filter((i) => isPos[i]).length / top.length;
      ranked++;
    }
    const pos = row.filter((_, i) => isPos[i]);
    const neg = Float64Array.from(row.filter((_, i) => isNeg[i])).sort();
    if (pos.length > 0 && neg.length > 0) {
      let right = 0;
      for (const d of pos) right += neg.length - upperBound(neg, d) + 0.5 * (upperBound(neg, d) - lowerBound(neg, d));
      pairwise += right / (pos.length * neg.length);
      pairGroups++;
    }
  });
  return { top1: top1 / Math.max(1, ranked), precision10: p10 / Math.max(1, ranked), pairwise: pairwise / Math.max(1, pairGroups) };
}

/** What a random ranking scores on the same groups and songs (pairwise chance is 0.5). */
export function userToSongChance(groups: readonly number[], songs: readonly Song[]): UserToSong {
  let share = 0;
  let ranked = 0;
  for (const g of groups) {
    const pos = songs.filter((s) => (g & (1 << s.dominant)) !== 0).length;
    if (pos === 0) continue;
    share += pos / songs.length;
    ranked++;
  }
  const p = share / Math.max(1, ranked);
  return { top1: p, precision10: p, pairwise: 0.5 };
}

/** `distances`: n × n, row-major; the diagonal is ignored. */
export function songToSongMetrics(distances: Float32Array | Float64Array, songs: readonly Song[]): SongToSong {
  const n = songs.length;
  let top1 = 0;
  let p10 = 0;
  for (let i = 0; i < n; i++) {
    const order = rankRow(distances.subarray(i * n, (i + 1) * n), i);
    if (order.length === 0) continue;
    top1 += songs[order[0]!]!.dominant === songs[i]!.dominant ? 1 : 0;
    const top = order.slice(0, 10);
    p10 += top.filter((j) => songs[j]!.dominant === songs[i]!.dominant).length / top.length;
  }
  return { top1: top1 / Math.max(1, n), precision10: p10 / Math.max(1, n) };
}

export function songToSongChance(songs: readonly Song[]): SongToSong {
  const n = songs.length;
  let share = 0;
  for (let i = 0; i < n; i++) share += songs.filter((s, j) => j !== i && s.dominant === songs[i]!.dominant).length / Math.max(1, n - 1);
  const p = share / Math.max(1, n);
  return { top1: p, precision10: p };
}

/** Euclidean distances between rows of `features` (the raw-MFCC nearest-neighbour baseline). */
export function euclideanMatrix(features: Float32Array, width: number, rows: readonly number[]): Float64Array {
  const n = rows.length;
  const out = new Float64Array(n * n);
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) {
      let s = 0;
      const pa = rows[a]! * width;
      const pb = rows[b]! * width;
      for (let d = 0; d < width; d++) {
        const t = features[pa + d]! - features[pb + d]!;
        s += t * t;
      }
      out[a * n + b] = out[b * n + a] = Math.sqrt(s);
    }
  }
  return out;
}

function upperBound(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function lowerBound(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The K groups of a single topic (1, 2, 4, …): where a recommendation has the fewest right answers. */
export function singleTopicGroups(k: number): number[] {
  return Array.from({ length: k }, (_, t) => 1 << t);
}

export interface ModelMetrics {
  /** Over all 2^K − 1 groups. */
  userToSong: UserToSong;
  /** Over the K single-topic groups. */
  userToSongSingle: UserToSong;
  /** Song → song through the learned D over φ. */
  songToSong: SongToSong;
  /** Song → song by Euclidean distance between φ embeddings. */
  songToSongEuclidean: SongToSong;
}

/** User→song and song→song metrics of a trained model on the given test songs. */
export async function evaluateModel(trained: TrainedModel, dataset: Dataset, test: readonly number[]): Promise<ModelMetrics> {
  const net = new Network(trained.config, trained.weights);
  try {
    const k = dataset.k;
    const songs = test.map((i) => dataset.songs[i]!);
    const input = inputMatrix(dataset, trained.config.input);
    const items = await embedRows(net, standardize(input.data, input.width, trained.standardizer, test));
    const groups = allGroups(k);
    const users = new Float32Array(groups.length * k);
    groups.forEach((g, i) => users.set(groupVector(g, k), i * k));
    const userEmb = await embedUsers(net, users);
    const u2s = await distanceMatrix(net, userEmb, items);
    const userToSong = userToSongMetrics(u2s, groups, songs);
    // Single-topic groups are the rows of masks 1, 2, 4, … (row = mask − 1).
    const singles = singleTopicGroups(k);
    const n = songs.length;
    const singleRows = new Float32Array(singles.length * n);
    singles.forEach((g, r) => singleRows.set(u2s.subarray((g - 1) * n, g * n), r * n));
    const userToSongSingle = userToSongMetrics(singleRows, singles, songs);
    const songToSong = songToSongMetrics(await distanceMatrix(net, items, items), songs);
    const rows = Array.from({ length: n }, (_, i) => i);
    const songToSongEuclidean = songToSongMetrics(euclideanMatrix(items, trained.config.embedding, rows), songs);
    return { userToSong, userToSongSingle, songToSong, songToSongEuclidean };
  } finally {
    net.dispose();
  }
}

export interface EvalOptions {
  seeds: number;
  /** First seed (seeds are firstSeed, firstSeed + 1, …). */
  firstSeed: number;
  /** k-fold cross-validation by artist instead of seeded 80/20 splits (0: off). */
  folds: number;
  /** Epoch cap; null: the model definition's own (paper: 30 for eval, descriptors: its training default). */
  epochs: number | null;
  patience: number | null;
  /** Caps an epoch's triplets (uniform sub-sample; 0: no cap; null: paper 8192, other models as in training). */
  maxTripletsPerEpoch: number | null;
  /** Triplets per epoch once the full epoch is larger (null: the definition's own; 0: none). */
  tripletBudget: number | null;
  learningRate: number | null;
  batchSize: number;
  negatives: number;
  testFraction: number;
  validationFraction: number;
  /** 'paper' reproduces the paper's three tables; any other definition gets the quality report. */
  model: string;
}

/** Eval defaults. The paper's model gets fewer epochs than in training: its 7560-wide input overfits within a few. */
export const EVAL_DEFAULTS: EvalOptions = {
  seeds: 3,
  firstSeed: 1,
  folds: 0,
  epochs: null,
  patience: null,
  maxTripletsPerEpoch: null,
  tripletBudget: null,
  learningRate: null,
  batchSize: TRAIN_DEFAULTS.batchSize,
  negatives: 10,
  testFraction: 0.2,
  validationFraction: 0.1,
  model: 'paper',
};

/** The paper's model in eval: its 7560-wide input overfits within a few epochs, and eval trains 4 models per split. */
const PAPER_EVAL = { epochs: 30, patience: 5, maxTriplets: 8192 };

export interface Stat {
  mean: number;
  std: number;
}

type StatsOf<T> = { [K in keyof T]: Stat };

export interface EvalRun {
  name: string;
  objective: Objective;
  sampling: SamplingMode;
  epochsRun: number;
  bestEpoch: number;
  valAccuracy: number | null;
  trainMs: number;
}

interface ReportSettings extends EvalOptions {
  /** The definition evaluated ('default' resolved). */
  definition: string;
  songs: number;
  /** Test songs per split (seed or fold). */
  testSongs: number[];
  k: number;
}

export interface PaperReport {
  kind: 'paper';
  settings: ReportSettings;
  tableI: { triplet: StatsOf<UserToSong>; twonet: StatsOf<UserToSong>; chance: StatsOf<UserToSong> };
  tableII: { unbalanced: StatsOf<UserToSong>; balanced: StatsOf<UserToSong>; oneToN: StatsOf<UserToSong>; chance: StatsOf<UserToSong> };
  tableIII: { triplet: StatsOf<SongToSong>; rawMfcc: StatsOf<SongToSong>; chance: StatsOf<SongToSong> };
  /** The triplet network on the K single-topic groups. */
  singleTopic: { triplet: StatsOf<UserToSong>; chance: StatsOf<UserToSong> };
  runs: EvalRun[][];
  ms: number;
}

/** Song → song measures compared by the quality report; "more like this" uses the best (docs/benchmarks.md#quality). */
export const SONG_MEASURES = ['learnedD', 'embeddingEuclidean', 'descriptorsEuclidean', 'mfccStatsEuclidean', 'rawMfccEuclidean'] as const;
export type SongMeasure = (typeof SONG_MEASURES)[number];

export interface ModelReport {
  kind: 'model';
  settings: ReportSettings;
  userToSong: { model: StatsOf<UserToSong>; chance: StatsOf<UserToSong> };
  singleTopic: { model: StatsOf<UserToSong>; chance: StatsOf<UserToSong> };
  songToSong: Record<SongMeasure | 'chance', StatsOf<SongToSong>>;
  runs: EvalRun[][];
  ms: number;
}

export type EvalReport = PaperReport | ModelReport;

function stats<T extends object>(values: T[]): StatsOf<T> {
  const out: Record<string, Stat> = {};
  for (const key of Object.keys(values[0]!) as (keyof T & string)[]) {
    const xs = values.map((v) => v[key] as number);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const std = xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1)) : 0;
    out[key] = { mean, std };
  }
  return out as StatsOf<T>;
}

export interface EvalSplit {
  /** 'seed 3' or 'fold 2/5'. */
  name: string;
  seed: number;
  train: number[];
  validation: number[];
  test: number[];
}

/**
 * Artist-disjoint splits: `folds` > 1 gives k-fold cross-validation (artists shuffled by the first
 * seed and dealt to the fold with the fewest songs so far, each fold the test set once), otherwise one
 * 80/20 split per seed. Validation songs (early stopping) are split off the rest, again by artist.
 */
export function evaluationSplits(songs: readonly Song[], options: Pick<EvalOptions, 'seeds' | 'firstSeed' | 'folds' | 'testFraction' | 'validationFraction'>): EvalSplit[] {
  const all = songs.map((_, i) => i);
  const splits: EvalSplit[] = [];
  if (options.folds > 1) {
    const folds: number[][] = Array.from({ length: options.folds }, () => []);
    for (const songsOfArtist of artistGroups(songs, all, options.firstSeed)) {
      const smallest = folds.reduce((best, f, i) => (f.length < folds[best]!.length ? i : best), 0);
      folds[smallest]!.push(...songsOfArtist);
    }
    folds.forEach((fold, f) => {
      const test = fold.slice().sort((a, b) => a - b);
      const inFold = new Set(fold);
      const rest = all.filter((i) => !inFold.has(i));
      const seed = options.firstSeed + f;
      const { kept: train, held: validation } = splitByArtist(songs, rest, options.validationFraction, seed + 1000);
      splits.push({ name: `fold ${f + 1}/${options.folds}`, seed, train, validation, test });
    });
    return splits;
  }
  for (let s = 0; s < options.seeds; s++) {
    const seed = options.firstSeed + s;
    const { kept, held: test } = splitByArtist(songs, all, options.testFraction, seed);
    const { kept: train, held: validation } = splitByArtist(songs, kept, options.validationFraction, seed + 1000);
    splits.push({ name: `seed ${seed}`, seed, train, validation, test });
  }
  return splits;
}

/** Per coefficient mean and standard deviation of the MFCC matrix (420 frames × 18): 36 values per song. */
export function mfccStatistics(dataset: Dataset): { data: Float32Array; width: number } {
  const coeffs = N_MFCC;
  const frames = dataset.width / coeffs;
  const mfcc = inputMatrix(dataset, 'mfcc').data;
  const out = new Float32Array(dataset.songs.length * 2 * coeffs);
  for (let s = 0; s < dataset.songs.length; s++) {
    const base = s * dataset.width;
    for (let c = 0; c < coeffs; c++) {
      let sum = 0;
      let sumSq = 0;
      for (let f = 0; f < frames; f++) {
        const v = mfcc[base + f * coeffs + c]!;
        sum += v;
        sumSq += v * v;
      }
      const mean = sum / frames;
      out[s * 2 * coeffs + c] = mean;
      out[s * 2 * coeffs + coeffs + c] = Math.sqrt(Math.max(0, sumSq / frames - mean * mean));
    }
  }
  return { data: out, width: 2 * coeffs };
}

/** Nearest-neighbour song → song over standardised features (statistics from the training songs). */
function featureNeighbours(m: { data: Float32Array; width: number }, split: EvalSplit, testSongs: readonly Song[]): SongToSong {
  const standardised = standardize(m.data, m.width, fitStandardizer(m.data, m.width, split.train), split.test);
  return songToSongMetrics(euclideanMatrix(standardised.data, m.width, split.test.map((_, i) => i)), testSongs);
}

const RUNS: { name: string; objective: Objective; sampling: SamplingMode }[] = [
  { name: 'triplet/unbalanced', objective: 'triplet', sampling: 'unbalanced' },
  { name: 'twonet/unbalanced', objective: 'twonet', sampling: 'unbalanced' },
  { name: 'triplet/balanced', objective: 'triplet', sampling: 'balanced' },
  { name: 'triplet/1-to-n', objective: 'triplet', sampling: '1-to-n' },
];

/** Training options of one evaluation run: the definition's own settings, then the eval's overrides. */
function evalTrainOptions(options: EvalOptions, run: { objective: Objective; sampling: SamplingMode }, seed: number): TrainOptions {
  const name = resolveModelName(options.model);
  const { maxTriplets, tripletBudget, ...own } = name === 'paper' ? { ...PAPER_EVAL, tripletBudget: 0 } : { maxTriplets: 0, tripletBudget: 0, ...modelDefinition(name).training };
  return {
    ...TRAIN_DEFAULTS,
    ...own,
    objective: run.objective,
    model: name,
    ...(options.epochs !== null ? { epochs: options.epochs } : {}),
    ...(options.patience !== null ? { patience: options.patience } : {}),
    ...(options.learningRate !== null ? { learningRate: options.learningRate } : {}),
    batchSize: options.batchSize,
    sampling: { mode: run.sampling, negativesPerPositive: options.negatives, maxTriplets: options.maxTripletsPerEpoch ?? maxTriplets, budget: options.tripletBudget ?? tripletBudget },
    seed,
  };
}

function runInfo(run: { name: string; objective: Objective; sampling: SamplingMode }, trained: TrainedModel): EvalRun {
  return { ...run, epochsRun: trained.history.length, bestEpoch: trained.bestEpoch, valAccuracy: trained.valAccuracy, trainMs: trained.trainMs };
}

function logLine(split: EvalSplit, name: string, m: ModelMetrics, trained: TrainedModel): string {
  const u = m.userToSong;
  return (
    `${split.name} ${name}: top-1 ${u.top1.toFixed(3)}, P@10 ${u.precision10.toFixed(3)}, pairwise ${u.pairwise.toFixed(3)}, ` +
    `single-topic P@10 ${m.userToSongSingle.precision10.toFixed(3)}, song→song top-1 ${m.songToSong.top1.toFixed(3)} ` +
    `(best epoch ${trained.bestEpoch}/${trained.history.length}, val ${trained.valAccuracy?.toFixed(3) ?? '—'}, ${(trained.trainMs / 1000).toFixed(1)} s)`
  );
}

/**
 * `cadenza eval`: the paper's three tables for `--model paper`; for any other model the quality
 * report (user → song over all groups and single-topic groups, song → song by every measure).
 */
export async function runEvaluation(dataset: Dataset, options: EvalOptions, onLog: (line: string) => void = () => {}, isCancelled: () => boolean = () => false): Promise<EvalReport> {
  return resolveModelName(options.model) === 'paper' ? paperEvaluation(dataset, options, onLog, isCancelled) : modelEvaluation(dataset, options, onLog, isCancelled);
}

function settingsOf(dataset: Dataset, options: EvalOptions, splits: EvalSplit[]): ReportSettings {
  return { ...options, definition: resolveModelName(options.model), songs: dataset.songs.length, testSongs: splits.map((s) => s.test.length), k: dataset.k };
}

async function paperEvaluation(dataset: Dataset, options: EvalOptions, onLog: (line: string) => void, isCancelled: () => boolean): Promise<PaperReport> {
  const started = performance.now();
  const per: Record<string, UserToSong[]> = {};
  const s2s: { triplet: SongToSong[]; rawMfcc: SongToSong[]; chance: SongToSong[] } = { triplet: [], rawMfcc: [], chance: [] };
  const chances: UserToSong[] = [];
  const singles: UserToSong[] = [];
  const singleChances: UserToSong[] = [];
  const runs: EvalRun[][] = [];
  const groups = allGroups(dataset.k);
  const splits = evaluationSplits(dataset.songs, options);
  for (const split of splits) {
    const testSongs = split.test.map((i) => dataset.songs[i]!);
    chances.push(userToSongChance(groups, testSongs));
    singleChances.push(userToSongChance(singleTopicGroups(dataset.k), testSongs));
    s2s.chance.push(songToSongChance(testSongs));
    s2s.rawMfcc.push(songToSongMetrics(euclideanMatrix(inputMatrix(dataset, 'mfcc').data, dataset.width, split.test), testSongs));
    const splitRuns: EvalRun[] = [];
    for (const run of RUNS) {
      if (isCancelled()) throw new Error('cancelled');
      const trained = await trainModel(dataset, split, evalTrainOptions(options, run, split.seed), { isCancelled });
      const metrics = await evaluateModel(trained, dataset, split.test);
      (per[run.name] ??= []).push(metrics.userToSong);
      if (run.name === 'triplet/unbalanced') {
        s2s.triplet.push(metrics.songToSong);
        singles.push(metrics.userToSongSingle);
      }
      splitRuns.push(runInfo(run, trained));
      onLog(logLine(split, run.name, metrics, trained));
    }
    runs.push(splitRuns);
  }
  const chance = stats(chances);
  return {
    kind: 'paper',
    settings: settingsOf(dataset, options, splits),
    tableI: { triplet: stats(per['triplet/unbalanced']!), twonet: stats(per['twonet/unbalanced']!), chance },
    tableII: { unbalanced: stats(per['triplet/unbalanced']!), balanced: stats(per['triplet/balanced']!), oneToN: stats(per['triplet/1-to-n']!), chance },
    tableIII: { triplet: stats(s2s.triplet), rawMfcc: stats(s2s.rawMfcc), chance: stats(s2s.chance) },
    singleTopic: { triplet: stats(singles), chance: stats(singleChances) },
    runs,
    ms: performance.now() - started,
  };
}

async function modelEvaluation(dataset: Dataset, options: EvalOptions, onLog: (line: string) => void, isCancelled: () => boolean): Promise<ModelReport> {
  const started = performance.now();
  const definition = modelDefinition(options.model);
  const run = { name: `triplet/${definition.name}`, objective: 'triplet' as const, sampling: 'unbalanced' as const };
  const u2s: UserToSong[] = [];
  const u2sChance: UserToSong[] = [];
  const single: UserToSong[] = [];
  const singleChance: UserToSong[] = [];
  const s2s: Record<SongMeasure | 'chance', SongToSong[]> = { learnedD: [], embeddingEuclidean: [], descriptorsEuclidean: [], mfccStatsEuclidean: [], rawMfccEuclidean: [], chance: [] };
  const runs: EvalRun[][] = [];
  const mfccStats = mfccStatistics(dataset);
  const descriptors = inputMatrix(dataset, definition.input);
  const splits = evaluationSplits(dataset.songs, options);
  for (const split of splits) {
    if (isCancelled()) throw new Error('cancelled');
    const testSongs = split.test.map((i) => dataset.songs[i]!);
    u2sChance.push(userToSongChance(allGroups(dataset.k), testSongs));
    singleChance.push(userToSongChance(singleTopicGroups(dataset.k), testSongs));
    s2s.chance.push(songToSongChance(testSongs));
    s2s.rawMfccEuclidean.push(songToSongMetrics(euclideanMatrix(inputMatrix(dataset, 'mfcc').data, dataset.width, split.test), testSongs));
    s2s.mfccStatsEuclidean.push(featureNeighbours(mfccStats, split, testSongs));
    s2s.descriptorsEuclidean.push(featureNeighbours(descriptors, split, testSongs));
    const trained = await trainModel(dataset, split, evalTrainOptions(options, run, split.seed), { isCancelled });
    const metrics = await evaluateModel(trained, dataset, split.test);
    u2s.push(metrics.userToSong);
    single.push(metrics.userToSongSingle);
    s2s.learnedD.push(metrics.songToSong);
    s2s.embeddingEuclidean.push(metrics.songToSongEuclidean);
    runs.push([runInfo(run, trained)]);
    onLog(logLine(split, run.name, metrics, trained));
  }
  return {
    kind: 'model',
    settings: settingsOf(dataset, options, splits),
    userToSong: { model: stats(u2s), chance: stats(u2sChance) },
    singleTopic: { model: stats(single), chance: stats(singleChance) },
    songToSong: {
      learnedD: stats(s2s.learnedD),
      embeddingEuclidean: stats(s2s.embeddingEuclidean),
      descriptorsEuclidean: stats(s2s.descriptorsEuclidean),
      mfccStatsEuclidean: stats(s2s.mfccStatsEuclidean),
      rawMfccEuclidean: stats(s2s.rawMfccEuclidean),
      chance: stats(s2s.chance),
    },
    runs,
    ms: performance.now() - started,
  };
}

const pct = (s: Stat) => `${(100 * s.mean).toFixed(2)} ± ${(100 * s.std).toFixed(2)}`;

function headLine(r: EvalReport): string {
  const st = r.settings;
  const how = st.folds > 1 ? `${st.folds}-fold cross-validation by artist` : `${st.seeds} seed(s), artist-disjoint 80/20`;
  const cap = st.maxTripletsPerEpoch ?? (st.definition === 'paper' ? PAPER_EVAL.maxTriplets : 0);
  const budget = st.tripletBudget ?? (st.definition === 'paper' ? 0 : (modelDefinition(st.definition).training?.tripletBudget ?? 0));
  return `${st.songs} songs, model ${st.definition}, ${how}, test songs per split: ${st.testSongs.join(', ')}; ≤ ${cap || '∞'} triplets/epoch${budget ? `, budget ${budget} triplets/epoch once the full epoch is larger` : ''}`;
}

/** The report as markdown tables (percentages, mean ± standard deviation over the splits, chance beside). */
export function formatEvalMarkdown(r: EvalReport): string {
  const u = (name: string, m: StatsOf<UserToSong>, paper: string) => `| ${name} | ${pct(m.top1)} | ${pct(m.precision10)} | ${pct(m.pairwise)} | ${paper} |`;
  const s = (name: string, m: StatsOf<SongToSong>, paper: string) => `| ${name} | ${pct(m.top1)} | ${pct(m.precision10)} | ${paper} |`;
  if (r.kind === 'model') {
    const measures: Record<SongMeasure, string> = {
      learnedD: 'learned D over φ (the model)',
      embeddingEuclidean: 'Euclidean over φ',
      descriptorsEuclidean: 'descriptors, Euclidean nearest neighbour',
      mfccStatsEuclidean: 'MFCC mean + std, Euclidean nearest neighbour',
      rawMfccEuclidean: 'raw MFCC, Euclidean nearest neighbour',
    };
    return [
      headLine(r),
      '',
      'User → song (%, mean ± sd over splits)',
      '',
      '| groups | model top-1 | model precision@10 | model pairwise | chance top-1 / precision@10 / pairwise |',
      '| --- | --- | --- | --- | --- |',
      `| all ${2 ** r.settings.k - 1} | ${pct(r.userToSong.model.top1)} | ${pct(r.userToSong.model.precision10)} | ${pct(r.userToSong.model.pairwise)} | ${pct(r.userToSong.chance.top1)} / ${pct(r.userToSong.chance.precision10)} / 50 |`,
      `| single-topic (${r.settings.k}) | ${pct(r.singleTopic.model.top1)} | ${pct(r.singleTopic.model.precision10)} | ${pct(r.singleTopic.model.pairwise)} | ${pct(r.singleTopic.chance.top1)} / ${pct(r.singleTopic.chance.precision10)} / 50 |`,
      '',
      'Song → song (%): the nearest test song shares the dominant topic',
      '',
      '| measure | top-1 | precision@10 | chance |',
      '| --- | --- | --- | --- |',
      ...SONG_MEASURES.map((m) => `| ${measures[m]} | ${pct(r.songToSong[m].top1)} | ${pct(r.songToSong[m].precision10)} | ${pct(r.songToSong.chance.top1)} |`),
    ].join('\n');
  }
  return [
    headLine(r),
    '',
    'Table I — user → song (%, mean ± sd over splits)',
    '',
    '| model | top-1 | precision@10 | pairwise | paper top-1 |',
    '| --- | --- | --- | --- | --- |',
    u('Triplet', r.tableI.triplet, '57.53'),
    u('Twonet', r.tableI.twonet, '48.24'),
    u('chance', r.tableI.chance, ''),
    '',
    'Table II — triplet network by sampling (%)',
    '',
    '| sampling | top-1 | precision@10 | pairwise | paper top-1 |',
    '| --- | --- | --- | --- | --- |',
    u('unbalanced', r.tableII.unbalanced, '57.53'),
    u('balanced', r.tableII.balanced, '60.04'),
    u(`1-to-n (n = ${r.settings.negatives})`, r.tableII.oneToN, '62.89'),
    u('chance', r.tableII.chance, ''),
    '',
    `Single-topic groups (${r.settings.k}), triplet network (%)`,
    '',
    '| | top-1 | precision@10 | pairwise | |',
    '| --- | --- | --- | --- | --- |',
    u('Triplet', r.singleTopic.triplet, ''),
    u('chance', r.singleTopic.chance, ''),
    '',
    'Table III — song → song (%)',
    '',
    '| method | top-1 | precision@10 | paper top-1 |',
    '| --- | --- | --- | --- |',
    s('Triplet (learned D over φ)', r.tableIII.triplet, '87.42'),
    s('raw MFCC, Euclidean nearest neighbour', r.tableIII.rawMfcc, '71.89'),
    s('chance', r.tableIII.chance, ''),
  ].join('\n');
}
