import { N_MFCC, HOP, SAMPLE_RATE } from '../analysis/dsp/constants.ts';
import {
  blendMatrices,
  cslsMatrix,
  frameGaussian,
  jensenShannon,
  mfccFluctuation,
  mutualProximityMatrix,
  pairMatrix,
  symmetricKl,
  type Gaussian,
} from '../recommend/song-metrics.ts';
import { artistGroups, fitStandardizer, inputMatrix, standardize, type Dataset, type Song } from './data.ts';
import { euclideanMatrix, mfccStatistics, songToSongMetrics, type SongToSong } from './evaluate.ts';

/**
 * Choices that cannot fit their own test songs (docs/benchmarks.md#quality-on-songs-nobody-tuned-on-issue-17):
 * a sealed quarter of the library by artist that no choice looks at, and nested cross-validation by
 * artist on the rest — every configuration is scored on inner folds of the outer-training songs, the
 * best is reported on the outer test songs. Song → song metrics only need the songs' own features, so
 * scoring one is computing a distance matrix.
 */

/** The artist key of artistGroups: case- and width-insensitive; an unknown artist is one artist per song. */
export function artistKey(song: Song): string {
  const name = song.artist.normalize('NFKC').trim().toLowerCase();
  return name === '' ? `#track-${song.trackId}` : name;
}

/** 32-bit FNV-1a of the UTF-8 bytes. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** MurmurHash3's 32-bit finaliser: FNV-1a's top bits barely change for names that differ at the end. */
export function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Where an artist falls in [0, 2^32): the sealed part is the artists below a fraction of it. */
export function artistHash(song: Song): number {
  return mix32(fnv1a(artistKey(song)));
}

/**
 * The sealed part: every song of an artist whose name hashes (FNV-1a, then mixed) below `fraction` of the 32-bit range. A
 * song's side depends on its artist's name alone (not on the rest of the library, a seed or the order),
 * so adding songs never moves one across.
 */
export function sealedSplit(songs: readonly Song[], fraction = 0.25): { development: number[]; sealed: number[] } {
  const development: number[] = [];
  const sealed: number[] = [];
  songs.forEach((s, i) => (artistHash(s) < fraction * 2 ** 32 ? sealed : development).push(i));
  return { development, sealed };
}

/** `k` artist-disjoint folds of `indices` (artists shuffled by `seed`, each dealt to the smallest fold). */
export function artistFolds(songs: readonly Song[], indices: readonly number[], k: number, seed: number): number[][] {
  const folds: number[][] = Array.from({ length: k }, () => []);
  for (const list of artistGroups(songs, indices, seed)) {
    const smallest = folds.reduce((best, f, i) => (f.length < folds[best]!.length ? i : best), 0);
    folds[smallest]!.push(...list);
  }
  return folds.map((f) => f.sort((a, b) => a - b));
}

// ---------------------------------------------------------------------------------------------
// Song metrics

export const BASE_METRICS = [
  'rawMfcc',
  'mfccStats',
  'descriptors',
  'fluctuation',
  'gaussSkl',
  'gaussJs',
  'learnedD',
  'unlearned',
] as const;
/** The bases that need no training. */
export const UNLEARNED_BASES: readonly BaseMetric[] = [
  'rawMfcc',
  'mfccStats',
  'descriptors',
  'fluctuation',
  'gaussSkl',
  'gaussJs',
];
export type BaseMetric = (typeof BASE_METRICS)[number];
export const HUBNESS = ['none', 'mp', 'csls'] as const;
export type Hubness = (typeof HUBNESS)[number];

export const BASE_LABELS: Record<BaseMetric, string> = {
  rawMfcc: 'raw MFCC (7560), Euclidean',
  mfccStats: 'MFCC mean + sd (36, standardised), Euclidean',
  descriptors: 'descriptors (311, standardised), Euclidean',
  fluctuation: 'MFCC fluctuation pattern (108, standardised), Euclidean',
  gaussSkl: 'MFCC Gaussian (18-d, full covariance), symmetric KL',
  gaussJs: 'MFCC Gaussian (18-d, full covariance), Jensen–Shannon',
  learnedD: 'learned D over φ',
  unlearned: 'the unlearned distance the inner folds chose',
};

/** A song → song distance: one base metric, or a blend w·a + (1 − w)·b of two z-normalised ones, then hubness reduction. */
export interface SongMetricConfig {
  a: BaseMetric;
  b?: BaseMetric;
  /** Weight of `a` in a blend (1 without `b`). */
  weight: number;
  hubness: Hubness;
}

/** CSLS neighbourhood size. */
export const CSLS_K = 10;

export function configName(c: SongMetricConfig): string {
  const base = c.b === undefined ? c.a : `${c.weight}·${c.a} + ${Math.round((1 - c.weight) * 100) / 100}·${c.b}`;
  return c.hubness === 'none' ? base : `${base} | ${c.hubness}`;
}

/** Distances between `evalRows` (|evalRows|² row-major); `trainRows` may only feed label-free statistics (standardisation). */
export interface MetricSource {
  matrix(base: BaseMetric, trainRows: readonly number[], evalRows: readonly number[]): Float64Array;
}

/** Every unlearned base, each alone and each pair blended at 0.25 / 0.5 / 0.75, each with every hubness setting. */
export function unlearnedConfigs(bases: readonly BaseMetric[] = UNLEARNED_BASES): SongMetricConfig[] {
  const out: SongMetricConfig[] = [];
  for (const hubness of HUBNESS) {
    for (const a of bases) out.push({ a, weight: 1, hubness });
    for (let i = 0; i < bases.length; i++) {
      for (let j = i + 1; j < bases.length; j++)
        for (const weight of [0.25, 0.5, 0.75]) out.push({ a: bases[i]!, b: bases[j]!, weight, hubness });
    }
  }
  return out;
}

/** The distance matrix of one configuration over `evalRows`, from base matrices computed once per call site. */
export function configMatrix(c: SongMetricConfig, n: number, baseMatrix: (b: BaseMetric) => Float64Array): Float64Array {
  const m = c.b === undefined ? baseMatrix(c.a) : blendMatrices(baseMatrix(c.a), baseMatrix(c.b), n, c.weight);
  if (c.hubness === 'mp') return mutualProximityMatrix(m, n);
  if (c.hubness === 'csls') return cslsMatrix(m, n, CSLS_K);
  return m;
}

/** Song → song metrics of every configuration on `evalRows`. */
export function scoreConfigs(
  source: MetricSource,
  configs: readonly SongMetricConfig[],
  songs: readonly Song[],
  trainRows: readonly number[],
  evalRows: readonly number[],
): SongToSong[] {
  const cache = new Map<BaseMetric, Float64Array>();
  const base = (b: BaseMetric) => {
    let m = cache.get(b);
    if (!m) cache.set(b, (m = source.matrix(b, trainRows, evalRows)));
    return m;
  };
  const evalSongs = evalRows.map((i) => songs[i]!);
  return configs.map((c) => songToSongMetrics(configMatrix(c, evalRows.length, base), evalSongs));
}

export interface Selection {
  /** Index into the configurations. */
  chosen: number;
  /** Mean inner precision@10 of every configuration. */
  innerPrecision10: number[];
}

/**
 * Picks the configuration with the best mean precision@10 over `innerFolds` artist folds of `pool`
 * (top-1 breaks ties, then the earlier configuration). Only songs of `pool` are ever read.
 */
export function selectConfig(
  source: MetricSource,
  configs: readonly SongMetricConfig[],
  songs: readonly Song[],
  pool: readonly number[],
  innerFolds: number,
  seed: number,
): Selection {
  const folds = artistFolds(songs, pool, innerFolds, seed);
  const p10 = new Array<number>(configs.length).fill(0);
  const top1 = new Array<number>(configs.length).fill(0);
  for (const test of folds) {
    const inTest = new Set(test);
    const train = pool.filter((i) => !inTest.has(i));
    scoreConfigs(source, configs, songs, train, test).forEach((m, c) => {
      p10[c]! += m.precision10 / folds.length;
      top1[c]! += m.top1 / folds.length;
    });
  }
  let chosen = 0;
  for (let c = 1; c < configs.length; c++) {
    if (p10[c]! > p10[chosen]! + 1e-12 || (Math.abs(p10[c]! - p10[chosen]!) <= 1e-12 && top1[c]! > top1[chosen]!)) chosen = c;
  }
  return { chosen, innerPrecision10: p10 };
}

export interface OuterFold {
  test: number[];
  train: number[];
  /** The configuration the inner folds chose. */
  chosen: number;
  /** Every configuration on this outer fold's test songs (the chosen one's is the nested number). */
  outer: SongToSong[];
}

export interface NestedResult {
  configs: SongMetricConfig[];
  folds: OuterFold[];
}

export interface NestedOptions {
  outerFolds: number;
  innerFolds: number;
  seed: number;
}

/** Nested cross-validation of song → song metrics over `development` (the sealed songs are never passed in). */
export function nestedSongMetrics(
  source: MetricSource,
  configs: readonly SongMetricConfig[],
  songs: readonly Song[],
  development: readonly number[],
  options: NestedOptions,
  onLog: (line: string) => void = () => {},
): NestedResult {
  const folds: OuterFold[] = [];
  artistFolds(songs, development, options.outerFolds, options.seed).forEach((test, f) => {
    const inTest = new Set(test);
    const train = development.filter((i) => !inTest.has(i));
    const { chosen } = selectConfig(source, configs, songs, train, options.innerFolds, options.seed + 1 + f);
    const outer = scoreConfigs(source, configs, songs, train, test);
    onLog(
      `outer fold ${f + 1}/${options.outerFolds}: chose ${configName(configs[chosen]!)}, P@10 ${outer[chosen]!.precision10.toFixed(3)} (${test.length} test songs)`,
    );
    folds.push({ test, train, chosen, outer });
  });
  return { configs: [...configs], folds };
}

// ---------------------------------------------------------------------------------------------
// The unlearned bases over a dataset

/** Per-song features of the unlearned bases, computed once per dataset (none depends on labels). */
export class DatasetMetrics implements MetricSource {
  readonly gaussians: Gaussian[];
  private readonly stats: { data: Float32Array; width: number };
  private readonly fluctuation: { data: Float32Array; width: number };
  private readonly features: Float32Array;

  constructor(
    private readonly dataset: Dataset,
    private readonly learned: ((evalRows: readonly number[]) => Float64Array) | null = null,
  ) {
    if (!dataset.features) throw new Error('the song metrics read the MFCC matrix: load the dataset with its MFCC features');
    const features = (this.features = dataset.features);
    const frames = dataset.width / N_MFCC;
    this.gaussians = dataset.songs.map((_, s) => frameGaussian(features, s * dataset.width, frames, N_MFCC));
    this.stats = mfccStatistics(dataset);
    const rows = dataset.songs.map((_, s) => mfccFluctuation(features, s * dataset.width, frames, N_MFCC, SAMPLE_RATE / HOP));
    const width = rows[0]?.length ?? 0;
    const data = new Float32Array(rows.length * width);
    rows.forEach((r, i) => data.set(r, i * width));
    this.fluctuation = { data, width };
  }

  /** The same features with a learned D over the given rows. */
  withLearned(learned: (evalRows: readonly number[]) => Float64Array): MetricSource {
    return { matrix: (b, train, rows) => (b === 'learnedD' ? learned(rows) : this.matrix(b, train, rows)) };
  }

  matrix(base: BaseMetric, trainRows: readonly number[], evalRows: readonly number[]): Float64Array {
    const n = evalRows.length;
    switch (base) {
      case 'rawMfcc':
        return euclideanMatrix(this.features, this.dataset.width, evalRows);
      case 'mfccStats':
        return standardisedEuclidean(this.stats, trainRows, evalRows);
      case 'descriptors':
        return standardisedEuclidean(inputMatrix(this.dataset, 'descriptors'), trainRows, evalRows);
      case 'fluctuation':
        return standardisedEuclidean(this.fluctuation, trainRows, evalRows);
      case 'gaussSkl':
        return pairMatrix(n, (a, b) => symmetricKl(this.gaussians[evalRows[a]!]!, this.gaussians[evalRows[b]!]!));
      case 'gaussJs':
        return pairMatrix(n, (a, b) => jensenShannon(this.gaussians[evalRows[a]!]!, this.gaussians[evalRows[b]!]!));
      case 'learnedD':
        if (!this.learned) throw new Error('no learned D in this source');
        return this.learned(evalRows);
      case 'unlearned':
        throw new Error('the chosen unlearned distance is a base of the learned side only (nested-learned.ts)');
    }
  }
}

function standardisedEuclidean(
  m: { data: Float32Array; width: number },
  trainRows: readonly number[],
  evalRows: readonly number[],
): Float64Array {
  const s = standardize(m.data, m.width, fitStandardizer(m.data, m.width, trainRows), evalRows);
  return euclideanMatrix(
    s.data,
    m.width,
    evalRows.map((_, i) => i),
  );
}
