import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { firKernel } from './fir-kernel.ts';
import {
  besselI0,
  resample,
  resampledLength,
  resampleWith,
  RESAMPLE_BETA,
  RESAMPLE_ROLLOFF,
  RESAMPLE_ZERO_CROSSINGS,
} from './resample.ts';
import { resampleMix, sine } from './test-signals.ts';

interface ResampleCase {
  from: number;
  to: number;
  inputLength: number;
  outputLength: number;
  index: number[];
  value: number[];
}
interface ResampleRef {
  params: { lowpass_filter_width: number; rolloff: number; beta: number };
  cases: ResampleCase[];
}

function loadRef(): ResampleRef {
  const text = readFileSync(new URL('./references/resample.json', import.meta.url), 'utf8');
  const ref = JSON.parse(text) as ResampleRef;
  if (!Array.isArray(ref.cases) || ref.cases.length === 0) throw new Error('bad reference file');
  return ref;
}

/** Least-squares amplitude of a tone of known frequency over y[from..to). */
function toneAmplitude(y: Float32Array, rate: number, freq: number, from: number, to: number): number {
  let ss = 0,
    sc = 0,
    cc = 0,
    ys = 0,
    yc = 0;
  for (let i = from; i < to; i++) {
    const a = (2 * Math.PI * freq * i) / rate;
    const s = Math.sin(a);
    const c = Math.cos(a);
    const v = y[i] ?? 0;
    ss += s * s;
    sc += s * c;
    cc += c * c;
    ys += v * s;
    yc += v * c;
  }
  const det = ss * cc - sc * sc;
  const a = (ys * cc - yc * sc) / det;
  const b = (yc * ss - ys * sc) / det;
  return Math.hypot(a, b);
}

function rms(y: Float32Array, from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += (y[i] ?? 0) ** 2;
  return Math.sqrt(s / (to - from));
}

const db = (r: number): number => 20 * Math.log10(r);

describe('resample', () => {
  it('uses the WebAssembly SIMD kernel on this runtime', () => {
    expect(firKernel().kind).toBe('wasm-simd');
  });

  it('returns ceil(n * to / from) samples', () => {
    expect(resampledLength(44100, 44100, 22050)).toBe(22050);
    expect(resampledLength(44101, 44100, 22050)).toBe(22051);
    expect(resampledLength(1000, 48000, 22050)).toBe(460); // 459.375 → 460
    expect(resample(new Float32Array(1000), 48000, 22050).length).toBe(460);
    expect(resample(new Float32Array(0), 48000, 22050).length).toBe(0);
    expect(resample(new Float32Array(1), 16000, 22050).length).toBe(2);
  });

  it('copies when the rates are equal and rejects invalid rates', () => {
    const x = Float32Array.of(1, 2, 3);
    const y = resample(x, 22050, 22050);
    expect(Array.from(y)).toEqual([1, 2, 3]);
    expect(y).not.toBe(x);
    expect(() => resample(x, 0, 22050)).toThrow(RangeError);
    expect(() => resample(x, 44100.5, 22050)).toThrow(RangeError);
    expect(() => resample(x, 44100, -1)).toThrow(RangeError);
  });

  const passband: [number, number][] = [
    [44100, 100],
    [44100, 1000],
    [44100, 5000],
    [44100, 9000],
    [48000, 440],
    [48000, 7000],
    [48000, 9000],
    [32000, 3000],
    [32000, 9000],
    [24000, 8000],
    [16000, 2000],
    [16000, 6500],
  ];
  for (const [from, freq] of passband) {
    it(`keeps a ${freq} Hz sine from ${from} Hz within 0.1 dB`, () => {
      const x = sine(from, from, freq, 0.5); // 1 s
      const y = resample(x, from, 22050);
      const amp = toneAmplitude(y, 22050, freq, 2000, y.length - 2000);
      expect(Math.abs(db(amp / 0.5))).toBeLessThan(0.1);
    });
  }

  const stopband: [number, number][] = [
    [48000, 15000],
    [48000, 11100],
    [44100, 12000],
    [44100, 20000],
    [32000, 13000],
    // Opus clips arrive at 24 kHz (decode/ogg.ts): what lies between 11.025 and 12 kHz must not alias in.
    [24000, 11100],
    [24000, 11900],
  ];
  for (const [from, freq] of stopband) {
    it(`attenuates a ${freq} Hz sine from ${from} Hz by at least 60 dB`, () => {
      const x = sine(from, from, freq, 1);
      const y = resample(x, from, 22050);
      const level = rms(y, 2000, y.length - 2000) / Math.SQRT1_2;
      expect(db(level)).toBeLessThan(-60);
    });
  }

  it('keeps DC gain at 1 away from the edges', () => {
    const y = resample(new Float32Array(48000).fill(0.5), 48000, 22050);
    for (let i = 500; i < y.length - 500; i += 97) expect(y[i]).toBeCloseTo(0.5, 4);
  });

  it('upsampling suppresses spectral images (16 kHz → 22.05 kHz)', () => {
    // A 6 kHz tone at 16 kHz has its first image at 10 kHz, inside the new band.
    const y = resample(sine(16000, 16000, 6000, 0.5), 16000, 22050);
    expect(Math.abs(db(toneAmplitude(y, 22050, 6000, 2000, y.length - 2000) / 0.5))).toBeLessThan(0.1);
    expect(db(toneAmplitude(y, 22050, 10000, 2000, y.length - 2000) / 0.5)).toBeLessThan(-60);
  });

  it('the WebAssembly and JavaScript kernels agree', () => {
    const x = resampleMix(24000, 48000);
    const a = resampleWith(x, 48000, 22050, 'auto');
    const b = resampleWith(x, 48000, 22050, 'js');
    expect(a.length).toBe(b.length);
    let err = 0;
    for (let i = 0; i < a.length; i++) err = Math.max(err, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
    expect(err).toBeLessThan(1e-6);
  });

  it('matches the direct kernel formula across block boundaries (long input)', () => {
    const from = 48000;
    const to = 22050;
    const x = resampleMix(from * 7, from); // 154,350 outputs: three blocks of 65,536
    const y = resample(x, from, to);
    const base = RESAMPLE_ROLLOFF * Math.min(from, to);
    const w = RESAMPLE_ZERO_CROSSINGS;
    const direct = (n: number): number => {
      const centre = (n * from) / to;
      const reach = (w * from) / base;
      let acc = 0;
      for (let k = Math.ceil(centre - reach); k <= Math.floor(centre + reach); k++) {
        const t = (k / from - n / to) * base;
        if (k < 0 || k >= x.length || Math.abs(t) >= w) continue;
        const win = besselI0(RESAMPLE_BETA * Math.sqrt(1 - (t / w) ** 2)) / besselI0(RESAMPLE_BETA);
        const sinc = t === 0 ? 1 : Math.sin(Math.PI * t) / (Math.PI * t);
        acc += (x[k] ?? 0) * sinc * win * (base / from);
      }
      return acc;
    };
    for (const n of [0, 1, 2, 65535, 65536, 65537, 131071, 131072, y.length - 2, y.length - 1]) {
      expect(Math.abs((y[n] ?? NaN) - direct(n))).toBeLessThan(1e-5);
    }
  });

  it('handles exotic rates (quantised phases) accurately', () => {
    // 44056 Hz: 11025 phases > 4096 → quantised to 4096 phases
    const from = 44056;
    const y = resample(sine(from, from, 3000, 0.5), from, 22050);
    expect(y.length).toBe(resampledLength(from, from, 22050));
    const ideal = sine(y.length, 22050, 3000, 0.5);
    let err = 0;
    for (let i = 2000; i < y.length - 2000; i++) err = Math.max(err, Math.abs((y[i] ?? 0) - (ideal[i] ?? 0)));
    expect(err).toBeLessThan(1e-3);
  });

  // Reference: torchaudio.functional.resample(x, from, 22050, lowpass_filter_width=32, rolloff=0.91,
  // resampling_method="kaiser_window", beta=9.0) on float64 input (scripts/dsp-references.py).
  // Same kernel definition, so the only differences are float32 arithmetic here (~1e-7 on
  // unit-scale signals) and the 7-decimal rounding of the stored values (5e-8).
  // Tolerance: max |error| <= 1e-5 (measured ~1.5e-7).
  describe('matches torchaudio (stored references)', () => {
    const ref = loadRef();
    it('uses the same filter parameters as the reference', () => {
      expect(ref.params.lowpass_filter_width).toBe(32);
      expect(ref.params.rolloff).toBe(0.91);
      expect(ref.params.beta).toBe(9);
    });
    for (const c of ref.cases) {
      it(`${c.from} Hz → ${c.to} Hz`, () => {
        const y = resample(resampleMix(c.inputLength, c.from), c.from, c.to);
        expect(y.length).toBe(c.outputLength);
        let err = 0;
        c.index.forEach((ix, j) => {
          err = Math.max(err, Math.abs((y[ix] ?? NaN) - (c.value[j] ?? NaN)));
        });
        expect(err).toBeLessThan(1e-5);
      });
    }
  });
});
