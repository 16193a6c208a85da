import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  cslsMatrix,
  frameGaussian,
  gaussianOf,
  jensenShannon,
  klDivergence,
  mfccFluctuation,
  mutualProximityMatrix,
  normalCdf,
  sklItemVector,
  sklQuery,
  symmetricKl,
  FLUCTUATION_BANDS,
} from './song-metrics.ts';

/** numpy / scipy values from scripts/song-metric-references.py. */
const ref = JSON.parse(readFileSync(new URL('./references/song-metrics.json', import.meta.url), 'utf8')) as {
  songs: { dim: number; frames: number[]; mean: number[]; logDet: number }[];
  pairs: { a: number; b: number; kl: number; skl: number; js: number }[];
  matrix: number[];
  mutualProximity: number[];
  cslsK: number;
  csls: number[];
  normalCdf: [number, number][];
  fluctuation: { frames: number[]; dim: number; frameRate: number; values: number[] };
};

const gaussians = ref.songs.map((s) => frameGaussian(Float32Array.from(s.frames), 0, s.frames.length / s.dim, s.dim));

describe('Gaussian divergences', () => {
  it('match hand-computed values for 1-d Gaussians', () => {
    const p = gaussianOf(Float64Array.of(0), Float64Array.of(1));
    const q = gaussianOf(Float64Array.of(1), Float64Array.of(2));
    // KL(N(0,1) ‖ N(1,2)) = ½ ln 2 + (1 + 1)/4 − ½; KL(q ‖ p) = −½ ln 2 + (2 + 1)/2 − ½.
    expect(klDivergence(p, q)).toBeCloseTo(0.5 * Math.log(2), 12);
    expect(klDivergence(q, p)).toBeCloseTo(1 - 0.5 * Math.log(2), 12);
    expect(symmetricKl(p, q)).toBeCloseTo(1, 12);
    // Moment-matched mixture: variance ½(1 + 2) + ¼ = 1.75; JS = ½ ln 1.75 − ¼ (0 + ln 2).
    expect(jensenShannon(p, q)).toBeCloseTo(0.5 * Math.log(1.75) - 0.25 * Math.log(2), 12);
    expect(jensenShannon(p, p)).toBeCloseTo(0, 12);
  });

  it('fit the frames like numpy (mean, log det with the ridge)', () => {
    ref.songs.forEach((s, i) => {
      const g = gaussians[i]!;
      s.mean.forEach((m, c) => expect(g.mean[c]).toBeCloseTo(m, 9));
      expect(g.logDet).toBeCloseTo(s.logDet, 8);
      // inv really is the inverse of cov.
      const d = g.dim;
      for (let a = 0; a < d; a++) {
        for (let b = 0; b < d; b++) {
          let v = 0;
          for (let k = 0; k < d; k++) v += g.cov[a * d + k]! * g.inv[k * d + b]!;
          expect(v).toBeCloseTo(a === b ? 1 : 0, 8);
        }
      }
    });
  });

  it('give numpy’s KL, symmetric KL and Jensen–Shannon for 3-d and 18-d Gaussians', () => {
    expect(ref.pairs.length).toBeGreaterThanOrEqual(12);
    for (const p of ref.pairs) {
      const a = gaussians[p.a]!;
      const b = gaussians[p.b]!;
      expect(klDivergence(a, b)).toBeCloseTo(p.kl, 6);
      expect(symmetricKl(a, b)).toBeCloseTo(p.skl, 6);
      expect(jensenShannon(a, b)).toBeCloseTo(p.js, 8);
    }
  });

  it('the linear form of the symmetric KL equals the direct one', () => {
    for (const p of ref.pairs) {
      const { query, offset } = sklQuery(gaussians[p.a]!);
      const item = sklItemVector(gaussians[p.b]!);
      let s = offset;
      for (let i = 0; i < item.length; i++) s += query[i]! * item[i]!;
      expect(s).toBeCloseTo(p.skl, 1);
      expect(Math.abs(s - p.skl) / p.skl).toBeLessThan(1e-4);
    }
  });
});

describe('hubness reduction', () => {
  const n = 6;
  const m = Float64Array.from(ref.matrix);
  it('mutual proximity matches scipy’s normal CDF form', () => {
    const mp = mutualProximityMatrix(m, n);
    for (let i = 0; i < n * n; i++) if (i % (n + 1) !== 0) expect(mp[i]).toBeCloseTo(ref.mutualProximity[i]!, 6);
  });
  it('CSLS matches the reference', () => {
    const c = cslsMatrix(m, n, ref.cslsK);
    for (let i = 0; i < n * n; i++) if (i % (n + 1) !== 0) expect(c[i]).toBeCloseTo(ref.csls[i]!, 10);
  });
  it('the normal CDF is accurate deep in the lower tail (relative error < 1e-6)', () => {
    for (const [z, p] of ref.normalCdf) expect(Math.abs(normalCdf(z) - p) / p).toBeLessThan(1e-6);
  });
});

describe('MFCC fluctuation pattern', () => {
  it('matches numpy’s FFT version and peaks in the band of a 2.5 Hz modulation', () => {
    const f = ref.fluctuation;
    const frames = f.frames.length / f.dim;
    const v = mfccFluctuation(Float32Array.from(f.frames), 0, frames, f.dim, f.frameRate);
    expect(v.length).toBe(f.dim * FLUCTUATION_BANDS.length);
    f.values.forEach((x, i) => expect(v[i]).toBeCloseTo(x, 4));
    const first = Array.from(v.subarray(0, FLUCTUATION_BANDS.length));
    expect(first.indexOf(Math.max(...first))).toBe(3); // [2, 3) Hz
  });
});
