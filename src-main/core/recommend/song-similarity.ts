/**
 * "More like this" by the song metric the nested protocol chose (docs/benchmarks.md#quality-on-songs-nobody-tuned-on-issue-17):
 * a tree of z-normalised blends over base distances (the learned D over φ, the clip descriptors, the
 * raw MFCC matrix in DCT-compressed form, the MFCC fluctuation pattern), then mutual proximity. Per query: one SIMD pass per base over every
 * song, the blend, and mutual proximity over the best SHORTLIST of the blend (outside it the order of
 * the blend stands). The normalisations and each song's distance moments (for mutual proximity) are
 * estimated once per index on a fixed sample of SAMPLE songs, as the evaluation estimates them on
 * the songs it ranks.
 */
import type { Database } from 'better-sqlite3';
import { blobToFeatures } from '../analysis/feature-store.ts';
import { euclideanScorer, quantisedEuclideanScorer, type EuclideanScorer } from './euclidean-kernel.ts';
import type { RecommendIndex } from './recommender.ts';
import { normalCdf } from './song-metrics.ts';
import { DESCRIPTOR_INPUT_LENGTH } from '../model/inputs.ts';
import {
  DESCRIPTORS_AT,
  ensureSongVectors,
  FLUCTUATION_LENGTH,
  MFCC_DCT_LENGTH,
  RESIDUAL_AT,
  SONG_VECTOR_LENGTH,
  SONG_VECTOR_VERSION,
} from './song-vectors.ts';
import { smallestK } from './top-k.ts';

export type SimilarityBase = 'learnedD' | 'rawMfcc' | 'fluctuation' | 'descriptors';
export type SimilarityNode = { base: SimilarityBase } | { blend: readonly [SimilarityNode, SimilarityNode]; weight: number };
export interface SimilaritySpec {
  metric: SimilarityNode;
  hubness: 'none' | 'mp';
  /**
   * How the standardised parts (clip descriptors, fluctuation pattern) are held: int8 on a grid of
   * DESCRIPTOR_RANGE / 127 sd (default; the descriptors' pass over 100,000 songs reads 31 MB instead of
   * 124 MB, ~4× faster, the fluctuation's 11 MB instead of 43 MB) or float32 (exactly the evaluation's
   * numbers). docs/benchmarks.md gives the measured agreement on mer-dev.
   */
  precision?: 'int8' | 'float32';
}

/** Standardised values beyond ±this many sd are clipped when held as int8 (a grid step of 0.063 sd). */
export const DESCRIPTOR_RANGE = 8;

/**
 * The unlearned part: the final unlearned choice of `cadenza eval --nested` on mer-dev, 0.75 · clip
 * descriptors + 0.25 · MFCC fluctuation pattern (each z-normalised). Alone (then mutual proximity) it is
 * "more like this" for an index without a model.
 */
export const UNLEARNED_SONG_METRIC: SimilarityNode = {
  blend: [{ base: 'descriptors' }, { base: 'fluctuation' }],
  weight: 0.75,
};

/**
 * The final choice of `cadenza eval --nested` on mer-dev (docs/benchmarks.md#quality-on-songs-nobody-tuned-on-issue-17):
 * the learned procedure won on the outer folds (song → song P@10 28.0 against the unlearned procedure's
 * 26.8), and its final run chose 0.75 · z(learned D over φ) + 0.25 · z(the unlearned part), then mutual
 * proximity. Without a model the learned term drops out (withoutLearned) and the unlearned part remains.
 */
export const MORE_LIKE_THIS: SimilaritySpec = {
  metric: { blend: [{ base: 'learnedD' }, UNLEARNED_SONG_METRIC], weight: 0.75 },
  hubness: 'mp',
};

/** Songs whose distances estimate the normalisations and each song's distance moments. */
export const SAMPLE = 32;
/** Mutual proximity re-ranks this many of the blend's nearest songs. */
export const SHORTLIST = 1000;

interface NodeStats {
  mean: number;
  sd: number;
}

/** The spec without its learned terms (for an index without a model). */
export function withoutLearned(node: SimilarityNode): SimilarityNode | null {
  if ('base' in node) return node.base === 'learnedD' ? null : node;
  const a = withoutLearned(node.blend[0]);
  const b = withoutLearned(node.blend[1]);
  if (a && b) return { blend: [a, b], weight: node.weight };
  return a ?? b;
}

function basesOf(node: SimilarityNode, out = new Set<SimilarityBase>()): Set<SimilarityBase> {
  if ('base' in node) out.add(node.base);
  else node.blend.forEach((n) => basesOf(n, out));
  return out;
}

/** Per-song vectors of the unlearned bases, in the index's track order, standardised where the evaluation standardised. */
export class SongSimilarity {
  private readonly raw: EuclideanScorer | null;
  private readonly fluct: EuclideanScorer | null;
  private readonly descriptors: EuclideanScorer | null;
  /** Left-out energy of the DCT-compressed MFCC, per song. */
  private readonly residual: Float32Array;
  private readonly stats = new Map<SimilarityNode, NodeStats>();
  private readonly moments: { mean: Float32Array; sd: Float32Array } | null;
  readonly spec: SimilaritySpec;
  private readonly out: Float32Array;
  /** The metric flattened to Σ coef · base row − offset (the blends are linear): one buffer per query, no copies. */
  private readonly terms: { base: SimilarityBase; coef: number }[] = [];
  private offset = 0;
  private readonly row: Float32Array;

  constructor(
    private readonly index: RecommendIndex,
    vectors: Float32Array,
    spec: SimilaritySpec = MORE_LIKE_THIS,
  ) {
    const metric = index.model ? spec.metric : withoutLearned(spec.metric);
    if (!metric) throw new Error('the song metric has no term usable without a model');
    this.spec = { metric, hubness: spec.hubness, precision: spec.precision ?? 'int8' };
    const n = index.count;
    const bases = basesOf(metric);
    this.residual = new Float32Array(n);
    this.raw = bases.has('rawMfcc') ? euclideanScorer(MFCC_DCT_LENGTH) : null;
    const standardisedScorer = (width: number) =>
      this.spec.precision === 'float32' ? euclideanScorer(width) : quantisedEuclideanScorer(width, DESCRIPTOR_RANGE);
    this.fluct = bases.has('fluctuation') ? standardisedScorer(FLUCTUATION_LENGTH) : null;
    if (this.raw) {
      const part = new Float32Array(n * MFCC_DCT_LENGTH);
      for (let i = 0; i < n; i++) {
        part.set(
          vectors.subarray(
            i * SONG_VECTOR_LENGTH + FLUCTUATION_LENGTH,
            i * SONG_VECTOR_LENGTH + FLUCTUATION_LENGTH + MFCC_DCT_LENGTH,
          ),
          i * MFCC_DCT_LENGTH,
        );
        this.residual[i] = vectors[i * SONG_VECTOR_LENGTH + RESIDUAL_AT]!;
      }
      this.raw.setItems(part);
    }
    if (this.fluct) this.fluct.setItems(standardisedPart(vectors, n, 0, FLUCTUATION_LENGTH));
    this.descriptors = bases.has('descriptors') ? standardisedScorer(DESCRIPTOR_INPUT_LENGTH) : null;
    if (this.descriptors) this.descriptors.setItems(standardisedPart(vectors, n, DESCRIPTORS_AT, DESCRIPTOR_INPUT_LENGTH));
    this.out = new Float32Array(n);
    this.row = new Float32Array(n);
    // The sample's base rows are computed once and kept while the statistics are estimated (SAMPLE × bases × n floats).
    const sample = this.sampleRows();
    const caches = sample.map((q) => new Map([...bases].map((b) => [b, this.baseRow(b, q)] as const)));
    this.estimateStats(metric, sample, caches);
    this.flatten(metric, 1);
    this.moments = this.spec.hubness === 'mp' ? this.estimateMoments(sample, caches) : null;
  }

  /** The index's vectors from track_song_vectors (computed first where missing or stale). */
  static load(db: Database, index: RecommendIndex, spec: SimilaritySpec = MORE_LIKE_THIS): SongSimilarity {
    ensureSongVectors(db);
    const vectors = new Float32Array(index.count * SONG_VECTOR_LENGTH);
    const found = new Uint8Array(index.count);
    const rows = db
      .prepare('SELECT track_id AS trackId, vector FROM track_song_vectors WHERE layout_version = ?')
      .iterate(SONG_VECTOR_VERSION) as IterableIterator<{
      trackId: number;
      vector: Buffer;
    }>;
    for (const row of rows) {
      const i = index.indexOf(row.trackId);
      if (i === undefined) continue;
      vectors.set(blobToFeatures(row.vector), i * SONG_VECTOR_LENGTH);
      found[i] = 1;
    }
    const missing = found.indexOf(0);
    if (missing >= 0)
      throw new Error(
        `track ${index.tracks.id(missing)} has an embedding but no current features for the song metric: run \`cadenza analyze\``,
      );
    return new SongSimilarity(index, vectors, spec);
  }

  private sampleRows(): number[] {
    const n = this.index.count;
    const s = Math.min(SAMPLE, n);
    return Array.from({ length: s }, (_, k) => Math.floor(((k + 0.5) * n) / s));
  }

  /** Each node's mean and sd over the sample's distances to every song (children first). */
  private estimateStats(node: SimilarityNode, sample: readonly number[], caches: Map<SimilarityBase, Float32Array>[]): void {
    if ('blend' in node) node.blend.forEach((c) => this.estimateStats(c, sample, caches));
    let s = 0;
    let s2 = 0;
    let count = 0;
    for (let k = 0; k < sample.length; k++) {
      const q = sample[k]!;
      const row = this.nodeRow(node, q, caches[k]!);
      for (let i = 0; i < row.length; i++) {
        if (i === q) continue;
        s += row[i]!;
        s2 += row[i]! * row[i]!;
        count++;
      }
    }
    const mean = s / Math.max(1, count);
    this.stats.set(node, { mean, sd: Math.sqrt(Math.max(1e-24, s2 / Math.max(1, count) - mean * mean)) });
  }

  /** Each song's mean and sd of the final distance to the sample songs (mutual proximity's N(μ, σ²)). */
  private estimateMoments(
    sample: readonly number[],
    caches: Map<SimilarityBase, Float32Array>[],
  ): { mean: Float32Array; sd: Float32Array } {
    const n = this.index.count;
    const sum = new Float64Array(n);
    const sum2 = new Float64Array(n);
    for (let k = 0; k < sample.length; k++) {
      const q = sample[k]!;
      const row = this.nodeRow(this.spec.metric, q, caches[k]!);
      for (let i = 0; i < n; i++) {
        if (i === q) continue;
        sum[i]! += row[i]!;
        sum2[i]! += row[i]! * row[i]!;
      }
    }
    const mean = new Float32Array(n);
    const sd = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const m = sample.length - (sample.includes(i) ? 1 : 0);
      mean[i] = sum[i]! / Math.max(1, m);
      sd[i] = Math.sqrt(Math.max(1e-12, sum2[i]! / Math.max(1, m) - mean[i]! * mean[i]!));
    }
    return { mean, sd };
  }

  /** Distances of a base from song q to every song (a fresh array). */
  private baseRow(base: SimilarityBase, q: number): Float32Array {
    const n = this.index.count;
    if (base === 'learnedD') return Float32Array.from(this.index.scorer.score(Float32Array.from(this.index.scorer.item(q))));
    if (base === 'fluctuation' || base === 'descriptors') {
      const scorer = base === 'fluctuation' ? this.fluct! : this.descriptors!;
      const s = scorer.score(scorer.item(q));
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = Math.sqrt(Math.max(0, s[i]!));
      return out;
    }
    const s = this.raw!.score(this.raw!.item(q));
    const rq = this.residual[q]!;
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = Math.sqrt(Math.max(0, s[i]! + rq + this.residual[i]!));
    return out;
  }

  /** A node's raw value row (before its own normalisation); base rows are cached per query. */
  private nodeRow(node: SimilarityNode, q: number, cache: Map<SimilarityBase, Float32Array>): Float32Array {
    if ('base' in node) {
      let row = cache.get(node.base);
      if (!row) cache.set(node.base, (row = this.baseRow(node.base, q)));
      return row;
    }
    const [a, b] = node.blend;
    const ra = this.nodeRow(a, q, cache);
    const rb = this.nodeRow(b, q, cache);
    const sa = this.stats.get(a)!;
    const sb = this.stats.get(b)!;
    const wa = node.weight / sa.sd;
    const wb = (1 - node.weight) / sb.sd;
    const ca = wa * sa.mean + wb * sb.mean;
    const out = new Float32Array(ra.length);
    for (let i = 0; i < out.length; i++) out[i] = wa * ra[i]! + wb * rb[i]! - ca;
    return out;
  }

  /** Adds `node` × `scale` to the flat terms (children first), its blend constants to the offset. */
  private flatten(node: SimilarityNode, scale: number): void {
    if ('base' in node) {
      const term = this.terms.find((t) => t.base === node.base);
      if (term) term.coef += scale;
      else this.terms.push({ base: node.base, coef: scale });
      return;
    }
    const [a, b] = node.blend;
    const sa = this.stats.get(a)!;
    const sb = this.stats.get(b)!;
    const wa = node.weight / sa.sd;
    const wb = (1 - node.weight) / sb.sd;
    this.offset += scale * (wa * sa.mean + wb * sb.mean);
    this.flatten(a, scale * wa);
    this.flatten(b, scale * wb);
  }

  /**
   * The blended metric from song q to every song, into a reused buffer (valid until the next call):
   * each base's kernel pass, then one loop over the songs for all the terms, with no row allocated per
   * node. With `into`, the same loop adds scale · row + shift to it (a seed's share of the scores).
   */
  private fusedRow(q: number, into?: Float32Array, scale = 0, shift = 0): Float32Array {
    const n = this.index.count;
    const out = this.row;
    // Each term's kernel output (a distinct buffer per scorer, valid until that scorer's next pass); an
    // absent term reads zeros with coefficient 0, so that one loop without branches serves every spec.
    const zeros = (this.zeros ??= new Float32Array(n));
    let linear = zeros;
    let linearCoef = 0;
    let raw = zeros;
    let rawCoef = 0;
    const roots = [zeros, zeros];
    const rootCoefs = [0, 0];
    let r = 0;
    for (const { base, coef } of this.terms) {
      if (base === 'learnedD') {
        linear = this.index.scorer.score(Float32Array.from(this.index.scorer.item(q)));
        linearCoef = coef;
      } else if (base === 'rawMfcc') {
        raw = this.raw!.score(this.raw!.item(q));
        rawCoef = coef;
      } else {
        const scorer = base === 'fluctuation' ? this.fluct! : this.descriptors!;
        roots[r] = scorer.score(scorer.item(q));
        rootCoefs[r++] = coef;
      }
    }
    const [r0, r1] = roots as [Float32Array, Float32Array];
    const [c0, c1] = rootCoefs as [number, number];
    const offset = this.offset;
    const rq = this.residual[q]!;
    const residual = this.residual;
    const sum = into ?? (this.sink ??= new Float32Array(n));
    for (let i = 0; i < n; i++) {
      const v =
        linearCoef * linear[i]! +
        c0 * Math.sqrt(Math.max(0, r0[i]!)) +
        c1 * Math.sqrt(Math.max(0, r1[i]!)) +
        rawCoef * Math.sqrt(Math.max(0, raw[i]! + rq + residual[i]!)) -
        offset;
      out[i] = v;
      sum[i]! += scale * v + shift;
    }
    return out;
  }

  private zeros: Float32Array | null = null;
  /** Where a row without a destination adds its zeros (metricRow). */
  private sink: Float32Array | null = null;

  /** The blended metric (before hubness reduction) from song q to every song (a fresh array). */
  metricRow(q: number): Float32Array {
    return this.fusedRow(q).slice();
  }

  /**
   * Scores for "more like this" from one or several seed songs (lower = closer; a reused buffer): the
   * mean over seeds of mutual proximity on each seed's shortlist, 1 + the normalised blend elsewhere.
   * A blend with subtraction ("less like these", `unlike`) adds `weight` × the mean closeness to the
   * unlike songs, closeness = 1 − their score clipped to [0, 1] (1 for the nearest, 0 off their shortlists).
   */
  score(seeds: readonly number[], unlike: readonly number[] = [], weight = 1): Float32Array {
    this.accumulate(this.out, seeds);
    if (unlike.length === 0 || weight === 0) return this.out;
    const away = (this.away ??= new Float32Array(this.index.count));
    this.accumulate(away, unlike);
    for (let i = 0; i < away.length; i++) this.out[i]! += weight * Math.max(0, 1 - away[i]!);
    return this.out;
  }

  private away: Float32Array | null = null;

  /** `out` = the mean over `seeds` of each seed's score row. */
  private accumulate(out: Float32Array, seeds: readonly number[]): void {
    const n = this.index.count;
    out.fill(0);
    const share = 1 / seeds.length;
    for (const q of seeds) {
      if (!this.moments) {
        this.fusedRow(q, out, share, 0);
        continue;
      }
      // Off the shortlist a song scores 2 + z(row): added to every song with the row, replaced on the shortlist.
      const st = this.stats.get(this.spec.metric)!;
      const scale = share / st.sd;
      const shift = share * (2 - st.mean / st.sd);
      const row = this.fusedRow(q, out, scale, shift);
      const shortlist = smallestK(row, Math.min(SHORTLIST, n), (i) => i === q);
      const mq = this.moments.mean[q]!;
      const sq = this.moments.sd[q]!;
      for (const i of shortlist) {
        const pa = normalCdf((row[i]! - mq) / sq);
        const pb = normalCdf((row[i]! - this.moments.mean[i]!) / this.moments.sd[i]!);
        out[i]! += share * (pa + pb - pa * pb) - (scale * row[i]! + shift);
      }
    }
  }
}

/** One part of every vector, standardised per dimension over the library (as the evaluation standardises over its songs). */
function standardisedPart(vectors: Float32Array, n: number, at: number, w: number): Float32Array {
  const mean = new Float64Array(w);
  const sq = new Float64Array(w);
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < w; d++) {
      const v = vectors[i * SONG_VECTOR_LENGTH + at + d]!;
      mean[d]! += v;
      sq[d]! += v * v;
    }
  }
  const sd = new Float64Array(w);
  let meanSd = 0;
  for (let d = 0; d < w; d++) {
    mean[d]! /= Math.max(1, n);
    sd[d] = Math.sqrt(Math.max(0, sq[d]! / Math.max(1, n) - mean[d]! ** 2));
    meanSd += sd[d]! / w;
  }
  const floor = Math.max(1e-6, meanSd * 1e-3);
  const out = new Float32Array(n * w);
  for (let i = 0; i < n; i++)
    for (let d = 0; d < w; d++) out[i * w + d] = (vectors[i * SONG_VECTOR_LENGTH + at + d]! - mean[d]!) / Math.max(sd[d]!, floor);
  return out;
}

const loaded = new WeakMap<RecommendIndex, SongSimilarity>();

/** Uses `similarity` for the index's "more like this" (the benchmark's generated library has no stored features). */
export function setSongSimilarity(index: RecommendIndex, similarity: SongSimilarity): void {
  loaded.set(index, similarity);
}

/** The index's song metric, built on first use and kept as long as the index. */
export function songSimilarity(db: Database, index: RecommendIndex): SongSimilarity {
  let s = loaded.get(index);
  if (!s) loaded.set(index, (s = SongSimilarity.load(db, index)));
  return s;
}
