import { allGroups, groupVector, splitByArtist, standardize, topicMask, type Dataset, type SamplingMode, type Song } from './data.ts';
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

/** User→song and song→song metrics of a trained model on the given test songs. */
export async function evaluateModel(trained: TrainedModel, dataset: Dataset, test: readonly number[]): Promise<{ userToSong: UserToSong; songToSong: SongToSong }> {
  const net = new Network(trained.config, trained.weights);
  try {
    const k = dataset.k;
    const songs = test.map((i) => dataset.songs[i]!);
    const items = await embedRows(net, standardize(dataset.features, dataset.width, trained.standardizer, test));
    const groups = allGroups(k);
    const users = new Float32Array(groups.length * k);
    groups.forEach((g, i) => users.set(groupVector(g, k), i * k));
    const userEmb = await embedUsers(net, users);
    const userToSong = userToSongMetrics(await distanceMatrix(net, userEmb, items), groups, songs);
    const songToSong = songToSongMetrics(await distanceMatrix(net, items, items), songs);
    return { userToSong, songToSong };
  } finally {
    net.dispose();
  }
}

export interface EvalOptions {
  seeds: number;
  /** First seed (seeds are firstSeed, firstSeed + 1, …). */
  firstSeed: number;
  epochs: number;
  patience: number;
  /** Caps an epoch's triplets (uniform sub-sample): keeps eval quick on a large library. */
  maxTripletsPerEpoch: number;
  learningRate: number;
  batchSize: number;
  negatives: number;
  testFraction: number;
  validationFraction: number;
  model: string;
}

/** Eval defaults: fewer epochs than training (the 7560-wide input overfits within a few epochs). */
export const EVAL_DEFAULTS: EvalOptions = {
  seeds: 3,
  firstSeed: 1,
  epochs: 30,
  patience: 5,
  maxTripletsPerEpoch: 8192,
  learningRate: TRAIN_DEFAULTS.learningRate,
  batchSize: TRAIN_DEFAULTS.batchSize,
  negatives: 10,
  testFraction: 0.2,
  validationFraction: 0.1,
  model: 'paper',
};

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

export interface EvalReport {
  settings: EvalOptions & { songs: number; testSongs: number[]; k: number };
  tableI: { triplet: StatsOf<UserToSong>; twonet: StatsOf<UserToSong>; chance: StatsOf<UserToSong> };
  tableII: { unbalanced: StatsOf<UserToSong>; balanced: StatsOf<UserToSong>; oneToN: StatsOf<UserToSong>; chance: StatsOf<UserToSong> };
  tableIII: { triplet: StatsOf<SongToSong>; rawMfcc: StatsOf<SongToSong>; chance: StatsOf<SongToSong> };
  runs: EvalRun[][];
  ms: number;
}

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

const RUNS: { name: string; objective: Objective; sampling: SamplingMode }[] = [
  { name: 'triplet/unbalanced', objective: 'triplet', sampling: 'unbalanced' },
  { name: 'twonet/unbalanced', objective: 'twonet', sampling: 'unbalanced' },
  { name: 'triplet/balanced', objective: 'triplet', sampling: 'balanced' },
  { name: 'triplet/1-to-n', objective: 'triplet', sampling: '1-to-n' },
];

/** Trains the four models per seed and evaluates them. `onLog` gets one line per finished run. */
export async function runEvaluation(dataset: Dataset, options: EvalOptions, onLog: (line: string) => void = () => {}, isCancelled: () => boolean = () => false): Promise<EvalReport> {
  const started = performance.now();
  const per: Record<string, UserToSong[]> = {};
  const s2s: { triplet: SongToSong[]; rawMfcc: SongToSong[]; chance: SongToSong[] } = { triplet: [], rawMfcc: [], chance: [] };
  const chances: UserToSong[] = [];
  const runs: EvalRun[][] = [];
  const testSizes: number[] = [];
  const groups = allGroups(dataset.k);
  const all = dataset.songs.map((_, i) => i);
  for (let s = 0; s < options.seeds; s++) {
    const seed = options.firstSeed + s;
    const { kept, held: test } = splitByArtist(dataset.songs, all, options.testFraction, seed);
    const { kept: train, held: validation } = splitByArtist(dataset.songs, kept, options.validationFraction, seed + 1000);
    testSizes.push(test.length);
    const testSongs = test.map((i) => dataset.songs[i]!);
    chances.push(userToSongChance(groups, testSongs));
    s2s.chance.push(songToSongChance(testSongs));
    s2s.rawMfcc.push(songToSongMetrics(euclideanMatrix(dataset.features, dataset.width, test), testSongs));
    const seedRuns: EvalRun[] = [];
    for (const run of RUNS) {
      if (isCancelled()) throw new Error('cancelled');
      const trainOptions: TrainOptions = {
        ...TRAIN_DEFAULTS,
        objective: run.objective,
        model: options.model,
        epochs: options.epochs,
        patience: options.patience,
        learningRate: options.learningRate,
        batchSize: options.batchSize,
        sampling: { mode: run.sampling, negativesPerPositive: options.negatives, maxTriplets: options.maxTripletsPerEpoch },
        seed,
      };
      const trained = await trainModel(dataset, { train, validation }, trainOptions, { isCancelled });
      const metrics = await evaluateModel(trained, dataset, test);
      (per[run.name] ??= []).push(metrics.userToSong);
      if (run.name === 'triplet/unbalanced') s2s.triplet.push(metrics.songToSong);
      const info: EvalRun = { ...run, epochsRun: trained.history.length, bestEpoch: trained.bestEpoch, valAccuracy: trained.valAccuracy, trainMs: trained.trainMs };
      seedRuns.push(info);
      const u = metrics.userToSong;
      onLog(
        `seed ${seed} ${run.name}: top-1 ${u.top1.toFixed(3)}, P@10 ${u.precision10.toFixed(3)}, pairwise ${u.pairwise.toFixed(3)} ` +
          `(best epoch ${trained.bestEpoch}/${trained.history.length}, val ${trained.valAccuracy?.toFixed(3) ?? '—'}, ${(trained.trainMs / 1000).toFixed(1)} s)`,
      );
    }
    runs.push(seedRuns);
  }
  const chance = stats(chances);
  return {
    settings: { ...options, songs: dataset.songs.length, testSongs: testSizes, k: dataset.k },
    tableI: { triplet: stats(per['triplet/unbalanced']!), twonet: stats(per['twonet/unbalanced']!), chance },
    tableII: { unbalanced: stats(per['triplet/unbalanced']!), balanced: stats(per['triplet/balanced']!), oneToN: stats(per['triplet/1-to-n']!), chance },
    tableIII: { triplet: stats(s2s.triplet), rawMfcc: stats(s2s.rawMfcc), chance: stats(s2s.chance) },
    runs,
    ms: performance.now() - started,
  };
}

const pct = (s: Stat) => `${(100 * s.mean).toFixed(2)} ± ${(100 * s.std).toFixed(2)}`;

/** The three tables as markdown (percentages, mean ± standard deviation over the seeds). */
export function formatEvalMarkdown(r: EvalReport): string {
  const u = (name: string, m: StatsOf<UserToSong>, paper: string) => `| ${name} | ${pct(m.top1)} | ${pct(m.precision10)} | ${pct(m.pairwise)} | ${paper} |`;
  const s = (name: string, m: StatsOf<SongToSong>, paper: string) => `| ${name} | ${pct(m.top1)} | ${pct(m.precision10)} | ${paper} |`;
  const head = `${r.settings.songs} songs, ${r.settings.seeds} seed(s), test songs per seed: ${r.settings.testSongs.join(', ')}; epochs ≤ ${r.settings.epochs}, patience ${r.settings.patience}, ≤ ${r.settings.maxTripletsPerEpoch || '∞'} triplets/epoch`;
  return [
    head,
    '',
    'Table I — user → song (%, mean ± sd over seeds)',
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
    'Table III — song → song (%)',
    '',
    '| method | top-1 | precision@10 | paper top-1 |',
    '| --- | --- | --- | --- |',
    s('Triplet (learned D over φ)', r.tableIII.triplet, '87.42'),
    s('raw MFCC, Euclidean nearest neighbour', r.tableIII.rawMfcc, '71.89'),
    s('chance', r.tableIII.chance, ''),
  ].join('\n');
}
