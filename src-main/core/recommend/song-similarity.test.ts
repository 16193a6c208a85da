import { describe, expect, it } from 'vitest';
import { fitStandardizer, standardize } from '../model/data.ts';
import type { LoadedModel } from '../model/store.ts';
import { euclideanMatrix } from '../model/evaluate.ts';
import { DESCRIPTOR_INPUT_LENGTH } from '../model/inputs.ts';
import { distanceScorer } from './distance-kernel.ts';
import { RecommendIndex } from './recommender.ts';
import { mutualProximity } from './song-metrics.ts';
import {
  DESCRIPTOR_RANGE,
  SongSimilarity,
  withoutLearned,
  MORE_LIKE_THIS,
  SAMPLE,
  SHORTLIST,
  UNLEARNED_SONG_METRIC,
  type SimilaritySpec,
} from './song-similarity.ts';
import { DESCRIPTORS_AT, FLUCTUATION_LENGTH, SONG_VECTOR_LENGTH } from './song-vectors.ts';

/**
 * An index of n tracks and random song vectors; without a model (the unlearned metric needs none), or
 * with one whose D (a real distance scorer: 4-d embeddings, D = Σ w (a − b)²) the learned term reads.
 * Only the model's presence gates the learned term, so its record is left bare.
 */
function setup(n: number, withModel = false) {
  const tracks = Array.from({ length: n }, (_, i) => ({ id: i + 1, path: `/m/${i}.mp3`, artist: `a${i % 7}`, title: `t${i}` }));
  const layers = [
    { w: Float32Array.of(0.5, 1, 1.5, 2), b: new Float32Array(1), inputs: 4, outputs: 1 },
    { w: Float32Array.of(1), b: new Float32Array(1), inputs: 1, outputs: 1 },
  ];
  const embeddings = Float32Array.from({ length: n * 4 }, (_, i) => (withModel ? Math.cos(i * 1.37) : 0));
  const model = withModel ? ({ id: 1 } as LoadedModel) : null;
  const index = new RecommendIndex(model, tracks, distanceScorer(layers), embeddings);
  const vectors = Float32Array.from({ length: n * SONG_VECTOR_LENGTH }, (_, i) => Math.sin(i * 0.731) * (1 + (i % 5)));
  return { index, vectors };
}

/** The part of each vector at `at` (width w) as its own matrix. */
function part(vectors: Float32Array, n: number, at: number, w: number): Float32Array {
  const out = new Float32Array(n * w);
  for (let i = 0; i < n; i++) out.set(vectors.subarray(i * SONG_VECTOR_LENGTH + at, i * SONG_VECTOR_LENGTH + at + w), i * w);
  return out;
}

/** The mean and sd of every row's distances to the other songs (what the z-normalisation uses). */
function moments(rows: Float32Array[]): { mean: number; sd: number } {
  let s = 0;
  let s2 = 0;
  let c = 0;
  rows.forEach((r, q) => r.forEach((v, i) => i !== q && ((s += v), (s2 += v * v), c++)));
  const mean = s / c;
  return { mean, sd: Math.sqrt(s2 / c - mean * mean) };
}

describe('the song metric of more like this', () => {
  it('drops learned terms for an index without a model', () => {
    expect(withoutLearned({ blend: [{ base: 'learnedD' }, { base: 'fluctuation' }], weight: 0.5 })).toEqual({
      base: 'fluctuation',
    });
    expect(withoutLearned({ base: 'learnedD' })).toBeNull();
    expect(withoutLearned(MORE_LIKE_THIS.metric)).toEqual(UNLEARNED_SONG_METRIC);
  });

  it('a single base ranks exactly as the evaluation’s standardised Euclidean over the same songs (float32 descriptors)', () => {
    const n = 60;
    const { index, vectors } = setup(n);
    const spec: SimilaritySpec = { metric: { base: 'descriptors' }, hubness: 'none', precision: 'float32' };
    const sim = new SongSimilarity(index, vectors, spec);
    const d = part(vectors, n, DESCRIPTORS_AT, DESCRIPTOR_INPUT_LENGTH);
    const all = Array.from({ length: n }, (_, i) => i);
    const s = standardize(d, DESCRIPTOR_INPUT_LENGTH, fitStandardizer(d, DESCRIPTOR_INPUT_LENGTH, all));
    const m = euclideanMatrix(s.data, DESCRIPTOR_INPUT_LENGTH, all);
    for (const q of [0, 17, 59]) {
      const row = sim.metricRow(q);
      for (let i = 0; i < n; i++) expect(row[i]).toBeCloseTo(m[q * n + i]!, 2);
    }
  });

  it('int8 descriptors (the default) stay within the grid’s bound of the evaluation’s distances and keep the nearest songs', () => {
    const n = 200;
    const { index, vectors } = setup(n);
    const sim = new SongSimilarity(index, vectors, { metric: { base: 'descriptors' }, hubness: 'none' });
    expect(sim.spec.precision).toBe('int8');
    const d = part(vectors, n, DESCRIPTORS_AT, DESCRIPTOR_INPUT_LENGTH);
    const all = Array.from({ length: n }, (_, i) => i);
    const s = standardize(d, DESCRIPTOR_INPUT_LENGTH, fitStandardizer(d, DESCRIPTOR_INPUT_LENGTH, all));
    const m = euclideanMatrix(s.data, DESCRIPTOR_INPUT_LENGTH, all);
    // Each value moves by at most half a step, so a distance by at most √width · step (none is clipped here).
    const bound = Math.sqrt(DESCRIPTOR_INPUT_LENGTH) * (DESCRIPTOR_RANGE / 127);
    expect(Math.max(...Array.from(s.data, Math.abs))).toBeLessThan(DESCRIPTOR_RANGE);
    let worst = 0;
    let overlap = 0;
    const nearest = (row: ArrayLike<number>, q: number) =>
      all
        .filter((i) => i !== q)
        .sort((a, b) => row[a]! - row[b]!)
        .slice(0, 10);
    for (let q = 0; q < n; q++) {
      const row = sim.metricRow(q);
      expect(row[q]).toBe(0);
      for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(row[i]! - m[q * n + i]!));
      const exact = nearest(m.subarray(q * n, (q + 1) * n), q);
      overlap += nearest(row, q).filter((i) => exact.includes(i)).length / 10 / n;
    }
    expect(worst).toBeLessThan(bound);
    expect(worst).toBeGreaterThan(0); // really quantised
    expect(overlap).toBeGreaterThan(0.95);
  });

  it('the fluctuation pattern is held as int8 too: within the grid’s bound of float32, and float32 on request', () => {
    const n = 120;
    const { index, vectors } = setup(n);
    const spec = { metric: { base: 'fluctuation' }, hubness: 'none' } as const;
    const int8 = new SongSimilarity(index, vectors, spec);
    const float32 = new SongSimilarity(index, vectors, { ...spec, precision: 'float32' });
    const bound = Math.sqrt(FLUCTUATION_LENGTH) * (DESCRIPTOR_RANGE / 127);
    let worst = 0;
    for (const q of [0, 41, 119]) {
      const a = int8.metricRow(q);
      const b = float32.metricRow(q);
      for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
    }
    expect(worst).toBeGreaterThan(0); // really quantised
    expect(worst).toBeLessThan(bound);
  });

  it('blends z-normalised bases with the spec’s weight (the normalisation estimated on the sample)', () => {
    const n = SAMPLE; // every song is sampled, so the statistics are exact
    const { index, vectors } = setup(n);
    const only = (base: 'descriptors' | 'fluctuation') =>
      new SongSimilarity(index, vectors, { metric: { base }, hubness: 'none' });
    const blend = new SongSimilarity(index, vectors, {
      metric: { blend: [{ base: 'descriptors' }, { base: 'fluctuation' }], weight: 0.75 },
      hubness: 'none',
    });
    const a = only('descriptors');
    const b = only('fluctuation');
    const ra = Array.from({ length: n }, (_, q) => a.metricRow(q));
    const rb = Array.from({ length: n }, (_, q) => b.metricRow(q));
    const za = moments(ra);
    const zb = moments(rb);
    for (const q of [3, 21]) {
      const row = blend.metricRow(q);
      for (let i = 0; i < n; i++)
        expect(row[i]).toBeCloseTo(0.75 * ((ra[q]![i]! - za.mean) / za.sd) + 0.25 * ((rb[q]![i]! - zb.mean) / zb.sd), 3);
    }
    expect(FLUCTUATION_LENGTH).toBe(108);
  });

  it('with a model, more like this blends z(learned D) with z(the unlearned part) at the chosen weight', () => {
    const n = SAMPLE; // every song is sampled, so the statistics are exact
    const { index, vectors } = setup(n, true);
    const learned = new SongSimilarity(index, vectors, { metric: MORE_LIKE_THIS.metric, hubness: 'none' });
    expect(learned.spec.metric).toEqual(MORE_LIKE_THIS.metric);
    const unlearned = new SongSimilarity(setup(n).index, vectors, { metric: UNLEARNED_SONG_METRIC, hubness: 'none' });
    const rd = Array.from({ length: n }, (_, q) =>
      Float32Array.from(index.scorer.score(Float32Array.from(index.scorer.item(q)))),
    );
    const ru = Array.from({ length: n }, (_, q) => unlearned.metricRow(q));
    const zd = moments(rd);
    const zu = moments(ru);
    expect(zd.sd).toBeGreaterThan(0);
    const w = (MORE_LIKE_THIS.metric as { weight: number }).weight;
    for (const q of [2, 19]) {
      const row = learned.metricRow(q);
      for (let i = 0; i < n; i++)
        expect(row[i]).toBeCloseTo(w * ((rd[q]![i]! - zd.mean) / zd.sd) + (1 - w) * ((ru[q]![i]! - zu.mean) / zu.sd), 3);
    }
    // Without a model the same spec is the unlearned part alone.
    expect(new SongSimilarity(setup(n).index, vectors, MORE_LIKE_THIS).spec.metric).toEqual(UNLEARNED_SONG_METRIC);
  });

  it('mutual proximity re-ranks the shortlist with each song’s distance moments; the rest follow it', () => {
    const n = SHORTLIST + 200;
    const { index, vectors } = setup(n);
    const sim = new SongSimilarity(index, vectors, MORE_LIKE_THIS);
    const q = 5;
    const row = sim.metricRow(q);
    const scores = sim.score([q]).slice();
    const inList = Array.from(scores).filter((v, i) => i !== q && v <= 1).length;
    expect(inList).toBe(SHORTLIST);
    // Everything off the shortlist scores above everything on it, and keeps the blend's order.
    const off = Array.from({ length: n }, (_, i) => i).filter((i) => scores[i]! > 1);
    for (let k = 1; k < off.length; k++)
      expect(Math.sign(scores[off[k]!]! - scores[off[0]!]!)).toBe(Math.sign(row[off[k]!]! - row[off[0]!]!));
    // A shortlisted score is MP from the moments: check against a direct computation for two songs.
    const moments = (sim as unknown as { moments: { mean: Float32Array; sd: Float32Array } }).moments;
    for (const i of [0, 1, 2].map((k) => Array.from(scores).findIndex((v, j) => j !== q && v <= 1 && j > k * 10))) {
      expect(scores[i]).toBeCloseTo(
        mutualProximity(row[i]!, moments.mean[q]!, moments.sd[q]!, moments.mean[i]!, moments.sd[i]!),
        5,
      );
    }
    // Two seeds: the mean of the two seeds' scores.
    const s2 = sim.score([q, 9]).slice();
    const a = sim.score([q]).slice();
    const b = sim.score([9]).slice();
    for (const i of [0, 100, 700]) expect(s2[i]).toBeCloseTo((a[i]! + b[i]!) / 2, 5);
  });
});
