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
  /** Raw features, songs.length × width, row-major (segment-major MFCC rows of FEATURE_VERSION). */
  features: Float32Array;
  width: number;
  /** φ's input for descriptor models (inputs.ts), songs.length × descriptorWidth; absent before feature version 2. */
  descriptors?: Float32Array;
  descriptorWidth?: number;
  featureVersion: number;
  topicFingerprint: string;
}

/** The matrix a model of the given input kind reads (raw, before standardisation). */
export function inputMatrix(dataset: Dataset, kind: InputKind = 'mfcc'): { data: Float32Array; width: number } {
  if (kind === 'mfcc') return { data: dataset.features, width: dataset.width };
  if (!dataset.descriptors || !dataset.descriptorWidth) {
    throw new NotReadyError('this model reads the audio descriptors of feature version 2: run `cadenza analyze` to add them');
  }
  return { data: dataset.descriptors, width: dataset.descriptorWidth };
}

export class NotReadyError extends Error {}

/** Songs that have current features and topics of the active topic model, ordered by path. */
export function loadLibraryDataset(db: Database): Dataset {
  const topics = currentTopicModel(db);
  if (!topics) throw new NotReadyError('no topic model yet: run `cadenza topics fit` first');
  const rows = db
    .prepare(
      `SELECT t.id AS trackId, COALESCE(NULLIF(t.album_artist, ''), t.artist, '') AS artist, f.features, f.descriptors, tt.topic_set AS topicSet, tt.dominant, tt.theta
       FROM tracks t
       JOIN track_features f ON f.track_id = t.id AND f.feature_version = ?
       JOIN track_topics tt ON tt.track_id = t.id AND tt.model_id = ?
       WHERE t.available = 1
       ORDER BY t.path`,
    )
    .all(FEATURE_VERSION, topics.id) as { trackId: number; artist: string; features: Buffer; descriptors: Buffer | null; topicSet: string; dominant: number; theta: Buffer }[];
  const features = new Float32Array(rows.length * FEATURE_LENGTH);
  const hasDescriptors = rows.length > 0 && rows.every((row) => row.descriptors !== null);
  const descriptors = hasDescriptors ? new Float32Array(rows.length * DESCRIPTOR_INPUT_LENGTH) : undefined;
  const songs = rows.map((row, i) => {
    features.set(blobToFeatures(row.features), i * FEATURE_LENGTH);
    if (descriptors) descriptors.set(descriptorInput(blobToFeatures(row.descriptors!)), i * DESCRIPTOR_INPUT_LENGTH);
    return { trackId: row.trackId, artist: row.artist, topics: (JSON.parse(row.topicSet) as number[]).map((t) => t - 1), dominant: row.dominant - 1, theta: blobToFloat32(row.theta) };
  });
  return {
    k: topics.k,
    songs,
    features,
    width: FEATURE_LENGTH,
    ...(descriptors ? { descriptors, descriptorWidth: DESCRIPTOR_INPUT_LENGTH } : {}),
    featureVersion: FEATURE_VERSION,
    topicFingerprint: topics.fingerprint,
  };
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
  positives: Map<number, number[]>;
  negatives: Map<number, number[]>;
}

/**
 * A song is a positive for group g when its dominant topic is in g, and a negative when none of its
 * topics is in g (a song with a minor topic in g is neither). Groups lacking positives or negatives
 * (always the group of all K topics, which has no negatives) give no triplets.
 */
export function groupPools(songs: readonly Song[], pool: readonly number[], k: number): GroupPools {
  const positives = new Map<number, number[]>();
  const negatives = new Map<number, number[]>();
  const groups: number[] = [];
  const masks = pool.map((i) => topicMask(songs[i]!.topics));
  for (const g of allGroups(k)) {
    const pos: number[] = [];
    const neg: number[] = [];
    pool.forEach((i, j) => {
      if (g & (1 << songs[i]!.dominant)) pos.push(i);
      if ((g & masks[j]!) === 0) neg.push(i);
    });
    positives.set(g, pos);
    negatives.set(g, neg);
    if (pos.length > 0 && neg.length > 0) groups.push(g);
  }
  return { groups, positives, negatives };
}

/**
 * One epoch of triplets, freshly drawn:
 * - `unbalanced`: every positive of every group once, each with one random negative — groups get
 *   pairs as the library falls (a group of common topics gets many).
 * - `balanced`: every group gets the same number of pairs, m = the smallest group's positive count:
 *   the larger groups are under-sampled (m positives without replacement), one random negative each.
 * - `1-to-n`: as balanced, with n distinct random negatives per positive.
 * The order is shuffled; `maxTriplets` caps the epoch by uniform sub-sampling.
 */
export function sampleTriplets(pools: GroupPools, options: SamplingOptions, rng: Rng): Triplets {
  const group: number[] = [];
  const pos: number[] = [];
  const neg: number[] = [];
  const n = options.mode === '1-to-n' ? Math.max(1, options.negativesPerPositive ?? 10) : 1;
  const m = Math.min(...pools.groups.map((g) => pools.positives.get(g)!.length));
  for (const g of pools.groups) {
    const positives = pools.positives.get(g)!;
    const negatives = pools.negatives.get(g)!;
    let chosen: number[];
    if (options.mode === 'unbalanced') {
      chosen = positives;
    } else {
      const copy = positives.slice();
      partialShuffle(copy, m, rng);
      chosen = copy.slice(0, m);
    }
    for (const p of chosen) {
      const negs = n === 1 ? [negatives[rng.int(negatives.length)]!] : drawDistinct(negatives, n, rng);
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
