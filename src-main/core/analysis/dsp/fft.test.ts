import { describe, expect, it } from 'vitest';
import { RealFft } from './fft.ts';

function naiveDft(x: Float64Array): { re: Float64Array; im: Float64Array } {
  const n = x.length;
  const re = new Float64Array(n / 2 + 1);
  const im = new Float64Array(n / 2 + 1);
  for (let k = 0; k <= n / 2; k++) {
    let a = 0;
    let b = 0;
    for (let j = 0; j < n; j++) {
      const ang = (2 * Math.PI * ((j * k) % n)) / n;
      a += (x[j] ?? 0) * Math.cos(ang);
      b -= (x[j] ?? 0) * Math.sin(ang);
    }
    re[k] = a;
    im[k] = b;
  }
  return { re, im };
}

function testSignal(n: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => Math.sin(i * 1.3) + Math.cos(i * i * 0.01) + (i % 7) / 7);
}

describe('RealFft', () => {
  // 8: fused first stages only; 16, 64: odd count of remaining stages; 32, 2048: even count.
  for (const n of [8, 16, 32, 64, 128, 2048]) {
    it(`matches a direct DFT for size ${n}`, () => {
      const x = testSignal(n);
      const fft = new RealFft(n);
      const re = new Float64Array(n / 2 + 1);
      const im = new Float64Array(n / 2 + 1);
      const power = new Float64Array(n / 2 + 1);
      fft.spectrum(x, re, im);
      fft.powerSpectrum(x, power);
      const ref = naiveDft(x);
      let err = 0;
      let scale = 1;
      for (let k = 0; k <= n / 2; k++) {
        const a = ref.re[k] ?? 0;
        const b = ref.im[k] ?? 0;
        scale = Math.max(scale, a * a + b * b);
        err = Math.max(err, Math.abs(a - (re[k] ?? 0)), Math.abs(b - (im[k] ?? 0)));
        expect(Math.abs(a * a + b * b - (power[k] ?? 0))).toBeLessThan(1e-9 * (1 + a * a + b * b) + 1e-9 * scale);
      }
      expect(err).toBeLessThan(1e-9 * n);
    });
  }

  it('powerSpectrumWindowed equals powerSpectrum of the windowed slice', () => {
    const n = 2048;
    const x = Float32Array.from({ length: 5000 }, (_, i) => Math.sin(i * 0.37) * 0.8);
    const w = Float64Array.from({ length: n }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n));
    const fft = new RealFft(n);
    const a = new Float64Array(n / 2 + 1);
    const b = new Float64Array(n / 2 + 1);
    fft.powerSpectrumWindowed(x, 1000, w, a);
    const frame = Float64Array.from({ length: n }, (_, j) => (x[1000 + j] ?? 0) * (w[j] ?? 0));
    fft.powerSpectrum(frame, b);
    for (let k = 0; k <= n / 2; k++) expect(a[k]).toBeCloseTo(b[k] ?? NaN, 9);
  });

  it('a sine on bin k puts its energy in bin k', () => {
    const n = 64;
    const x = Float64Array.from({ length: n }, (_, i) => Math.cos((2 * Math.PI * 5 * i) / n));
    const p = new Float64Array(n / 2 + 1);
    new RealFft(n).powerSpectrum(x, p);
    expect(p[5]).toBeCloseTo((n / 2) ** 2, 8);
    expect(p[4]).toBeLessThan(1e-20);
    expect(p[6]).toBeLessThan(1e-20);
  });

  it('rejects sizes that are not powers of two', () => {
    expect(() => new RealFft(1000)).toThrow(RangeError);
    expect(() => new RealFft(4)).toThrow(RangeError);
  });
});
