import { describe, expect, it } from 'vitest';
import { dctMatrix, hzToMel, melFilterbank, melFilterbankDense, melToHz } from './mel.ts';

describe('Slaney mel scale', () => {
  it('is linear below 1 kHz and logarithmic above', () => {
    expect(hzToMel(0)).toBe(0);
    expect(hzToMel(500)).toBeCloseTo(7.5, 12);
    expect(hzToMel(1000)).toBeCloseTo(15, 12);
    expect(hzToMel(6400)).toBeCloseTo(15 + 27, 10); // log step = ln(6.4)/27
    for (const hz of [0, 123.4, 999.9, 1000, 4321, 11025]) expect(melToHz(hzToMel(hz))).toBeCloseTo(hz, 8);
  });
});

describe('mel filterbank', () => {
  const nBins = 1025;
  const nMels = 128;
  const dense = melFilterbankDense(nBins, nMels, 22050, 0, 11025);

  it('has Slaney area normalisation (each triangle integrates to ~1 over Hz)', () => {
    const df = 11025 / (nBins - 1);
    for (const m of [40, 80, 127]) {
      let area = 0;
      for (let k = 0; k < nBins; k++) area += (dense[k * nMels + m] ?? 0) * df;
      expect(area).toBeGreaterThan(0.95);
      expect(area).toBeLessThan(1.05);
    }
  });

  it('sparse form holds exactly the non-zero weights of the dense form', () => {
    const fb = melFilterbank(nBins, nMels, 22050, 0, 11025);
    let nonZero = 0;
    for (const v of dense) if (v > 0) nonZero++;
    expect(fb.weights.length).toBeGreaterThanOrEqual(nonZero);
    for (let m = 0; m < nMels; m++) {
      const s = fb.start[m] ?? 0;
      for (let j = 0; j < (fb.count[m] ?? 0); j++) {
        expect(fb.weights[(fb.offset[m] ?? 0) + j]).toBe(dense[(s + j) * nMels + m]);
      }
    }
    // band centres increase
    for (let m = 1; m < nMels; m++) expect(fb.start[m]).toBeGreaterThanOrEqual(fb.start[m - 1] ?? 0);
  });
});

describe('DCT-II ortho', () => {
  it('is orthonormal', () => {
    const n = 128;
    const d = dctMatrix(n, n);
    for (const [a, b] of [
      [0, 0],
      [1, 1],
      [17, 17],
      [0, 1],
      [3, 90],
      [127, 127],
    ] as const) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += (d[a * n + i] ?? 0) * (d[b * n + i] ?? 0);
      expect(dot).toBeCloseTo(a === b ? 1 : 0, 12);
    }
  });
});
