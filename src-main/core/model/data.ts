import type { Database } from 'better-sqlite3';
import { blobToFeatures } from '../analysis/feature-store.ts';
import { FEATURE_LENGTH, FEATURE_VERSION } from '../analysis/dsp/index.ts';
import { blobToFloat32, currentTopicModel } from '../topics/library-topics.ts';
import { createRng, type Rng } from '../topics/rng.ts';
import type { InputKind } from './definition.ts';
import { DESCRIPTOR_INPUT_LENGTH, descriptorInput } from './inputs.ts';
import type { FeatureMatrix, TripletBatch } from './step.ts';

/**
 * Training data: songs with features and topics, artist-disjoint splits, feature standardisation,
 * the 2^K − 1 user groups and the paper's three sampling modes. Pure except `loadLibraryDataset`.
 * Definitions: docs/model.md#training-data.
 */

export interface Song {
  trackId: number;
  artist: string;
  /** Topic set, 0-based, most probable first. */
  topics: number[];
  /** Dominant topic, 0-based. */
  dominant: number;
  /** The song's topic mix from its tags (length k), where the dataset comes from a library. */
  theta?: Float32Array;
}

export interface Dataset {
  k: number;
  songs: Song[];
  /** Raw MFCC features, songs.length × width, row-major (segment-major rows of FEATURE_VERSION); absent when loaded for a descriptor model. */
  features?: Float32Array;
  width: number;
  /** φ's input for descriptor models (inputs.ts), songs.length × descriptorWidth; absent before feature version 2 or when loaded for an MFCC model. */
  descriptors?: Float32Array;
  descriptorWidth?: number;
  featureVersion: number;
  topicFingerprint: string;
}

/** The matrix a model of the given input kind reads (raw, before standardisation). */
export function inputMatrix(dataset: Dataset, kind: InputKind = 'mfcc'): { data: Float32Array; width: number } {
  if (kind === 'mfcc') {
    if (!dataset.features) throw new Error('this dataset was loaded without the MFCC matrix: load it with the mfcc input');
    return { data: dataset.features, width: dataset.width };
  }
  if (!dataset.descriptors || !dataset.descriptorWidth) {
    throw new NotReadyError('this model reads the audio descriptors of feature version 2: run `cadenza analyze` to add them');
  }
  return { data: dataset.descriptors, width: dataset.descriptorWidth };
}

export class NotReadyError extends Error {}

/** Which stored inputs a dataset holds: one model's input, or both (the evaluation's baselines read both). */
export type DatasetInputs = InputKind | 'all';

export interface LoadOptions {
  /** Default 'all'. Training loads only what its model reads: the default model never reads the MFCC blobs. */
  inputs?: DatasetInputs;
  /** Rows read per query (keyset pages over the path). */
  pageRows?: number;
}

/**
 * Songs that have current features and topics of the active topic model, ordered by path. Read in
 * pages of `pageRows` inside one read transaction, selecting only what `inputs` asks for, straight into
 * preallocated typed arrays: memory is the matrices plus one page. The descriptors come from the narrow
 * track_model_inputs table (migration 0010), so a descriptor model never reads a track_features row's
 * blobs; the MFCC comes from track_features.
 */
export function loadLibraryDataset(db: Database, options: LoadOptions = {}): Dataset {
  const topics = currentTopicModel(db);
  if (!topics) throw new NotReadyError('no topic model yet: run `cadenza topics fit` first');
  const inputs = options.inputs ?? 'all';
  const wantMfcc = inputs !== 'descriptors';
  const wantDescriptors = inputs !== 'mfcc';
  const pageRows = Math.max(1, options.pageRows ?? 2048);
  const songsFrom = (join: string) => `FROM tracks t
       ${join} track_features f ON f.track_id = t.id AND f.feature_version = ?
       ${join} track_topics tt ON tt.track_id = t.id AND tt.model_id = ?
       LEFT JOIN track_model_inputs i ON i.track_id = f.track_id AND i.feature_version = f.feature_version
       WHERE t.available = 1`;
  // The pages walk the tracks' path index (CROSS JOIN fixes the join order in SQLite): left to the planner,
  // a page scanned every song of the topic model and sorted them, reading every row's blobs once per page.
  // A descriptor model's pages join the narrow table instead of track_features: the count has checked
  // that every song's features row has its inputs row (the store writes both in one transaction).
  const from =
    inputs === 'descriptors'
      ? `FROM tracks t
       CROSS JOIN track_model_inputs i ON i.track_id = t.id AND i.feature_version = ?
       CROSS JOIN track_topics tt ON tt.track_id = t.id AND tt.model_id = ?
       WHERE t.available = 1`
      : songsFrom('CROSS JOIN');
  const columns = [
    't.path AS path',
    't.id AS trackId',
    "COALESCE(NULLIF(t.album_artist, ''), t.artist, '') AS artist",
    'tt.topic_set AS topicSet',
    'tt.dominant AS dominant',
    'tt.theta AS theta',
    ...(wantMfcc ? ['f.features AS features'] : []),
    ...(wantDescriptors ? ['i.clip_descriptors AS descriptors'] : []),
  ].join(', ');
  type Row = { path: string; trackId: number; artist: string; topicSet: string; dominant: number; theta: Buffer; features?: Buffer; descriptors?: Buffer | null };
  return db.transaction((): Dataset => {
    // The count is left to the planner: it reads only covering indexes, no row of track_features.
    const { n, withDescriptors } = db.prepare(`SELECT COUNT(*) AS n, COUNT(i.track_id) AS withDescriptors ${songsFrom('JOIN')}`).get(FEATURE_VERSION, topics.id) as { n: number; withDescriptors: number };
    const hasDescriptors = wantDescriptors && n > 0 && withDescriptors === n;
    if (inputs === 'descriptors' && !hasDescriptors) throw new NotReadyError('this model reads the audio descriptors of feature version 2: run `cadenza analyze` to add them');
    const features = wantMfcc ? new Float32Array(n * FEATURE_LENGTH) : undefined;
    const descriptors = hasDescriptors ? new Float32Array(n * DESCRIPTOR_INPUT_LENGTH) : undefined;
    const first = db.prepare(`SELECT ${columns} ${from} ORDER BY t.path LIMIT ?`);
    const next = db.prepare(`SELECT ${columns} ${from} AND t.path > ? ORDER BY t.path LIMIT ?`);
    const artists = new Map<string, string>(); // one string per artist, not per song
    const songs: Song[] = [];
    let last: string | null = null;
    while (songs.length < n) {
      const page = (last === null ? first.all(FEATURE_VERSION, topics.id, pageRows) : next.all(FEATURE_VERSION, topics.id, last, pageRows)) as Row[];
      if (page.length === 0) break;
      for (const row of page) {
        const i = songs.length;
        if (i >= n) break;
        if (features) {
          if (row.features!.byteLength !== FEATURE_LENGTH * 4) throw new Error(`track ${row.trackId}: stored MFCC has ${row.features!.byteLength / 4} values, expected ${FEATURE_LENGTH}`);
          features.set(blobToFeatures(row.features!), i * FEATURE_LENGTH);
        }
        if (descriptors) descriptors.set(descriptorInput(blobToFeatures(row.descriptors!)), i * DESCRIPTOR_INPUT_LENGTH);
        let artist = artists.get(row.artist);
        if (artist === undefined) artists.set(row.artist, (artist = row.artist));
        songs.push({ trackId: row.trackId, artist, topics: (JSON.parse(row.topicSet) as number[]).map((t) => t - 1), dominant: row.dominant - 1, theta: blobToFloat32(row.theta) });
      }
      last = page.at(-1)!.path;
    }
    if (songs.length !== n) throw new Error(`track_model_inputs disagrees with track_features: ${songs.length} of ${n} songs read`);
    return {
      k: topics.k,
      songs,
      ...(features ? { features } : {}),
      width: FEATURE_LENGTH,
      ...(descriptors ? { descriptors, descriptorWidth: DESCRIPTOR_INPUT_LENGTH } : {}),
      featureVersion: FEATURE_VERSION,
      topicFingerprint: topics.fingerprint,
    };
  })();
}

export function shuffleInPlace<T>(items: T[] | Int32Array, rng: Rng): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = items[i]!;
    items[i] = items[j]!;
    items[j] = t;
  }
}

/**
 * Song indices grouped by artist (names compared case- and width-insensitively; an unknown artist
 * counts as one artist per song), the groups in a seeded random order.
 */
export function artistGroups(songs: readonly Song[], indices: readonly number[], seed: number): number[][] {
  const byArtist = new Map<string, number[]>();
  for (const i of indices) {
    const name = songs[i]!.artist.normalize('NFKC').trim().toLowerCase();
    const key = name === '' ? `#track-${songs[i]!.trackId}` : name;
    const list = byArtist.get(key);
    if (list) list.push(i);
    else byArtist.set(key, [i]);
  }
  const artists = [...byArtist.keys()].sort();
  shuffleInPlace(artists, createRng(seed));
  return artists.map((artist) => byArtist.get(artist)!);
}

/**
 * Splits song indices so that no artist is on both sides: artists are shuffled (seeded) and assigned
 * to the held-out side until it holds at least `fraction` of the songs.
 */
export function splitByArtist(songs: readonly Song[], indices: readonly number[], fraction: number, seed: number): { kept: number[]; held: number[] } {
  const target = Math.round(indices.length * fraction);
  const held: number[] = [];
  const kept: number[] = [];
  for (const list of artistGroups(songs, indices, seed)) {
    if (held.length < target) held.push(...list);
    else kept.push(...list);
  }
  return { kept: kept.sort((a, b) => a - b), held: held.sort((a, b) => a - b) };
}

export interface Standardizer {
  mean: Float32Array;
  std: Float32Array;
}

/** Per-dimension mean and standard deviation over the given rows (floored at 1e-3 of the mean std). */
export function fitStandardizer(features: Float32Array, width: number, rows: readonly number[]): Standardizer {
  const sum = new Float64Array(width);
  const sumSq = new Float64Array(width);
  for (const r of rows) {
    const base = r * width;
    for (let d = 0; d < width; d++) {
      const v = features[base + d]!;
      sum[d] = sum[d]! + v;
      sumSq[d] = sumSq[d]! + v * v;
    }
  }
  const n = Math.max(1, rows.length);
  const mean = new Float32Array(width);
  const std = new Float32Array(width);
  let meanStd = 0;
  for (let d = 0; d < width; d++) {
    const m = sum[d]! / n;
    mean[d] = m;
    std[d] = Math.sqrt(Math.max(0, sumSq[d]! / n - m * m));
    meanStd += std[d]! / width;
  }
  const floor = Math.max(1e-6, meanStd * 1e-3);
  for (let d = 0; d < width; d++) std[d] = Math.max(std[d]!, floor);
  return { mean, std };
}

/** (x − mean) / std for every row (all rows when `rows` is omitted), as a new matrix. */
export function standardize(features: Float32Array, width: number, s: Standardizer, rows?: readonly number[]): FeatureMatrix {
  const list = rows ?? Array.from({ length: features.length / width }, (_, i) => i);
  const out = new Float32Array(list.length * width);
  list.forEach((r, i) => {
    const src = r * width;
    const dst = i * width;
    for (let d = 0; d < width; d++) out[dst + d] = (features[src + d]! - s.mean[d]!) / s.std[d]!;
  });
  return { data: out, rows: list.length, width };
}

// ---------------------------------------------------------------------------------------------
// User groups and triplets

/** Every non-empty subset of the K topics as a bit mask (bit t = topic t, 0-based): 1 … 2^K − 1. */
export function allGroups(k: number): number[] {
  return Array.from({ length: 2 ** k - 1 }, (_, i) => i + 1);
}

export function topicMask(topics: readonly number[]): number {
  return topics.reduce((m, t) => m | (1 << t), 0);
}

/** The k-hot vector of a group mask. */
export function groupVector(mask: number, k: number): Float32Array {
  const v = new Float32Array(k);
  for (let t = 0; t < k; t++) if (mask & (1 << t)) v[t] = 1;
  return v;
}

export const SAMPLING_MODES = ['unbalanced', 'balanced', '1-to-n'] as const;
export type SamplingMode = (typeof SAMPLING_MODES)[number];

export interface SamplingOptions {
  mode: SamplingMode;
  /** Negatives per positive in `1-to-n` (default 10). */
  negativesPerPositive?: number;
  /** An epoch larger than this is cut down to it by uniform sub-sampling (0 or absent: no cap). */
  maxTriplets?: number;
  /**
   * `unbalanced` only: when the full epoch (every positive of every group) would hold more triplets
   * than this, an epoch is `budget` triplets drawn by `budgetTriplets` instead, without building the
   * full epoch (0 or absent: no budget). Smaller libraries train exactly as without it.
   */
  budget?: number;
}

export interface Triplets {
  /** Group mask per triplet. */
  group: Int32Array;
  /** Index into the song list of the positive and of the negative. */
  pos: Int32Array;
  neg: Int32Array;
}

/** Songs (indices into `songs`, restricted to `pool`) that are positive / negative for each group. */
export interface GroupPools {
  groups: number[];
  positives: Map<number, Int32Array>;
  negatives: Map<number, Int32Array>;
  /** The pool's songs that are a positive of at least one of `groups`, in pool order. */
  songs: Int32Array;
  /** Per topic t (0-based): the groups of `groups` that contain t (a song's groups as a positive). */
  groupsWithTopic: Int32Array[];
  /** Dominant topic of every song index (0-based; −1 outside the pool). */
  dominant: Int8Array;
}

/**
 * A song is a positive for group g when its dominant topic is in g, and a negative when none of its
 * topics is in g (a song with a minor topic in g is neither). Groups lacking positives or negatives
 * (always the group of all K topics, which has no negatives) give no triplets.
 */
export function groupPools(songs: readonly Song[], pool: readonly number[], k: number): GroupPools {
  const positives = new Map<number, Int32Array>();
  const negatives = new Map<number, Int32Array>();
  const groups: number[] = [];
  const masks = Int32Array.from(pool, (i) => topicMask(songs[i]!.topics));
  const dominantOf = Int32Array.from(pool, (i) => songs[i]!.dominant);
  const scratchPos = new Int32Array(pool.length);
  const scratchNeg = new Int32Array(pool.length);
  for (const g of allGroups(k)) {
    let np = 0;
    let nn = 0;
    for (let j = 0; j < pool.length; j++) {
      if (g & (1 << dominantOf[j]!)) scratchPos[np++] = pool[j]!;
      if ((g & masks[j]!) === 0) scratchNeg[nn++] = pool[j]!;
    }
    positives.set(g, scratchPos.slice(0, np));
    negatives.set(g, scratchNeg.slice(0, nn));
    if (np > 0 && nn > 0) groups.push(g);
  }
  const groupsWithTopic = Array.from({ length: k }, (_, t) => Int32Array.from(groups.filter((g) => g & (1 << t))));
  const dominant = new Int8Array(songs.length).fill(-1);
  for (let j = 0; j < pool.length; j++) dominant[pool[j]!] = dominantOf[j]!;
  const withGroups = pool.filter((i) => groupsWithTopic[songs[i]!.dominant]!.length > 0);
  return { groups, positives, negatives, songs: Int32Array.from(withGroups), groupsWithTopic, dominant };
}

/** Triplets in the full `unbalanced` epoch: every positive of every group once. */
export function fullEpochSize(pools: GroupPools): number {
  return pools.groups.reduce((n, g) => n + pools.positives.get(g)!.length, 0);
}

/**
 * One epoch of triplets, freshly drawn:
 * - `unbalanced`: every positive of every group once, each with one random negative — groups get
 *   pairs as the library falls (a group of common topics gets many). With a `budget` smaller than
 *   that, `budgetTriplets` draws the epoch instead (pass `epoch` and `seed` for its song rotation).
 * - `balanced`: every group gets the same number of pairs, m = the smallest group's positive count:
 *   the larger groups are under-sampled (m positives without replacement), one random negative each.
 * - `1-to-n`: as balanced, with n distinct random negatives per positive.
 * The order is shuffled; `maxTriplets` caps the epoch by uniform sub-sampling.
 */
export function sampleTriplets(pools: GroupPools, options: SamplingOptions, rng: Rng, rotation: { seed: number; epoch: number } = { seed: 1, epoch: 0 }): Triplets {
  if (options.mode === 'unbalanced' && options.budget && options.budget > 0 && fullEpochSize(pools) > options.budget) {
    const t = budgetTriplets(pools, options.budget, rotation.seed, rotation.epoch, rng);
    return options.maxTriplets && options.maxTriplets > 0 && options.maxTriplets < t.pos.length
      ? { group: t.group.slice(0, options.maxTriplets), pos: t.pos.slice(0, options.maxTriplets), neg: t.neg.slice(0, options.maxTriplets) }
      : t;
  }
  const group: number[] = [];
  const pos: number[] = [];
  const neg: number[] = [];
  const n = options.mode === '1-to-n' ? Math.max(1, options.negativesPerPositive ?? 10) : 1;
  const m = Math.min(...pools.groups.map((g) => pools.positives.get(g)!.length));
  for (const g of pools.groups) {
    const positives = Array.from(pools.positives.get(g)!);
    const negatives = pools.negatives.get(g)!;
    let chosen: number[];
    if (options.mode === 'unbalanced') {
      chosen = positives;
    } else {
      partialShuffle(positives, m, rng);
      chosen = positives.slice(0, m);
    }
    for (const p of chosen) {
      const negs = n === 1 ? [negatives[rng.int(negatives.length)]!] : drawDistinct(Array.from(negatives), n, rng);
      for (const q of negs) {
        group.push(g);
        pos.push(p);
        neg.push(q);
      }
    }
  }
  const order = Array.from({ length: group.length }, (_, i) => i);
  shuffleInPlace(order, rng);
  const keep = options.maxTriplets && options.maxTriplets > 0 ? order.slice(0, options.maxTriplets) : order;
  return { group: Int32Array.from(keep, (i) => group[i]!), pos: Int32Array.from(keep, (i) => pos[i]!), neg: Int32Array.from(keep, (i) => neg[i]!) };
}

/**
 * An epoch of `budget` triplets whose cost does not grow with groups × songs. The positives are
 * stratified over songs: the pool's songs in a seeded random order, consumed as one stream across
 * epochs (epoch e takes positions e·budget … (e+1)·budget − 1, a fresh order each full pass), so every
 * song is a positive equally often (⌊budget / songs⌋ or one more per epoch in a small library; once
 * per ⌈songs / budget⌉ epochs in a large one). Each positive gets one of its groups uniformly and a
 * random negative of that group: over a pass, groups get pairs as the library falls, as in the full
 * `unbalanced` epoch, of which this is a stratified sub-sample.
 */
export function budgetTriplets(pools: GroupPools, budget: number, seed: number, epoch: number, rng: Rng): Triplets {
  const n = pools.songs.length;
  const size = n === 0 ? 0 : Math.max(1, Math.floor(budget));
  const group = new Int32Array(size);
  const pos = new Int32Array(size);
  const neg = new Int32Array(size);
  let cycle = -1;
  let order = new Int32Array(0);
  const start = epoch * size;
  for (let i = 0; i < size; i++) {
    const at = start + i;
    const c = Math.floor(at / n);
    if (c !== cycle) {
      cycle = c;
      order = pools.songs.slice();
      shuffleInPlace(order, createRng(seed * 7_919 + cycle * 104_729 + 13));
    }
    const p = order[at - c * n]!;
    const groups = pools.groupsWithTopic[pools.dominant[p]!]!;
    const g = groups[rng.int(groups.length)]!;
    const negatives = pools.negatives.get(g)!;
    group[i] = g;
    pos[i] = p;
    neg[i] = negatives[rng.int(negatives.length)]!;
  }
  // Shuffle the epoch so a batch mixes songs from across the stream.
  for (let i = size - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const tg = group[i]!;
    const tp = pos[i]!;
    const tn = neg[i]!;
    group[i] = group[j]!;
    pos[i] = pos[j]!;
    neg[i] = neg[j]!;
    group[j] = tg;
    pos[j] = tp;
    neg[j] = tn;
  }
  return { group, pos, neg };
}

function partialShuffle(items: number[], count: number, rng: Rng): void {
  for (let i = 0; i < Math.min(count, items.length - 1); i++) {
    const j = i + rng.int(items.length - i);
    const t = items[i]!;
    items[i] = items[j]!;
    items[j] = t;
  }
}

function drawDistinct(items: readonly number[], n: number, rng: Rng): number[] {
  if (n >= items.length) return items.slice();
  const copy = items.slice();
  partialShuffle(copy, n, rng);
  return copy.slice(0, n);
}

/**
 * A batch of triplets [start, end) with indices remapped through `rowOf` (song index → row of the
 * feature matrix the batch is read from).
 */
export function tripletBatch(t: Triplets, start: number, end: number, k: number, rowOf: Int32Array): TripletBatch {
  const size = end - start;
  const users = new Float32Array(size * k);
  const pos = new Int32Array(size);
  const neg = new Int32Array(size);
  for (let i = 0; i < size; i++) {
    const g = t.group[start + i]!;
    for (let b = 0; b < k; b++) if (g & (1 << b)) users[i * k + b] = 1;
    pos[i] = rowOf[t.pos[start + i]!]!;
    neg[i] = rowOf[t.neg[start + i]!]!;
  }
  return { users, pos, neg };
}
