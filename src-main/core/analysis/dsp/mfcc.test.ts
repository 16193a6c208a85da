import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CLIP_SAMPLES,
  FEATURE_LENGTH,
  FEATURE_VERSION,
  FRAMES_PER_SEGMENT,
  HOP,
  N_FFT,
  N_FRAMES,
  N_MELS,
  N_MFCC,
  SAMPLE_RATE,
  SEGMENT_LENGTH,
  SEGMENTS,
} from './constants.ts';
import { hannPeriodic, mfcc, segmentView, toSegments } from './mfcc.ts';
import { noise, REFERENCE_SIGNALS, twoTone } from './test-signals.ts';

interface MfccRef {
  params: Record<string, unknown>;
  signals: Record<string, number[]>;
}

function loadRef(): MfccRef {
  const text = readFileSync(new URL('./references/mfcc.json', import.meta.url), 'utf8');
  const ref = JSON.parse(text) as MfccRef;
  if (typeof ref.signals !== 'object') throw new Error('bad reference file');
  return ref;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] ?? NaN) - (b[i] ?? NaN)));
  return m;
}

function allFinite(x: Float32Array): boolean {
  return x.every((v) => Number.isFinite(v));
}

describe('constants', () => {
  it('are consistent', () => {
    expect(SAMPLE_RATE).toBe(22050);
    expect(N_FFT).toBe(2048);
    expect(HOP).toBe(1575);
    expect(N_MELS).toBe(128);
    expect(N_MFCC).toBe(18);
    expect(N_FRAMES * HOP).toBe(CLIP_SAMPLES);
    expect(SEGMENTS * FRAMES_PER_SEGMENT).toBe(N_FRAMES);
    expect(SEGMENT_LENGTH).toBe(378);
    expect(FEATURE_LENGTH).toBe(7560);
    expect(Number.isInteger(FEATURE_VERSION) && FEATURE_VERSION >= 1).toBe(true);
  });

  it('the window is the periodic Hann', () => {
    const w = hannPeriodic(N_FFT);
    expect(w[0]).toBe(0);
    expect(w[N_FFT / 2]).toBe(1);
    expect(w[1]).toBeCloseTo(w[N_FFT - 1] ?? NaN, 15); // periodic: w[n] = w[N-n]
  });
});

// Reference: torchaudio Spectrogram(reflect, periodic Hann) → MelScale(slaney, slaney) →
// amplitude_to_DB(top_db=80) → create_dct(ortho), in float64 on the same float32 samples
// (scripts/dsp-references.py). Values are stored rounded to 4 decimals (±5e-5); our
// output is float32 (ulp ≤ 1.2e-4 for |v| < 2048); the float64 arithmetic differs by
// < 1e-6. Tolerance: max |error| ≤ 1e-3 dB-units (measured ≤ 6.3e-5).
describe('mfcc matches torchaudio (stored references)', () => {
  const ref = loadRef();
  const signals = REFERENCE_SIGNALS;
  it('reference parameters are the pipeline parameters', () => {
    expect(ref.params).toMatchObject({
      n_fft: N_FFT,
      hop: HOP,
      n_mels: N_MELS,
      n_mfcc: N_MFCC,
      n_frames: N_FRAMES,
      pad_mode: 'reflect',
      top_db: 80,
    });
    expect(Object.keys(ref.signals).sort()).toEqual(Object.keys(signals).sort());
  });
  for (const [name, make] of Object.entries(signals)) {
    it(name, () => {
      const expected = ref.signals[name] ?? [];
      expect(expected.length).toBe(N_FRAMES * N_MFCC);
      const got = mfcc(make());
      expect(got.length).toBe(N_FRAMES * N_MFCC);
      expect(maxAbsDiff(got, expected)).toBeLessThan(1e-3);
    });
  }
});

describe('mfcc edge cases', () => {
  it('silence gives the floored constant: c0 = -100·√128, others 0', () => {
    const y = mfcc(new Float32Array(CLIP_SAMPLES));
    expect(allFinite(y)).toBe(true);
    for (let t = 0; t < N_FRAMES; t += 37) {
      expect(y[t * N_MFCC]).toBeCloseTo(-100 * Math.sqrt(N_MELS), 3);
      for (let k = 1; k < N_MFCC; k++) expect(Math.abs(y[t * N_MFCC + k] ?? NaN)).toBeLessThan(1e-3);
    }
  });

  it('short and empty inputs are zero-padded to 30 s', () => {
    const short = twoTone(100, SAMPLE_RATE);
    const padded = new Float32Array(CLIP_SAMPLES);
    padded.set(short);
    const a = mfcc(short);
    expect(allFinite(a)).toBe(true);
    expect(maxAbsDiff(a, mfcc(padded))).toBe(0);
    const empty = mfcc(new Float32Array(0));
    expect(allFinite(empty)).toBe(true);
    expect(maxAbsDiff(empty, mfcc(new Float32Array(CLIP_SAMPLES)))).toBe(0);
  });

  it('longer inputs use the first 30 s only', () => {
    const long = noise(CLIP_SAMPLES + 5000, 7);
    expect(maxAbsDiff(mfcc(long), mfcc(long.subarray(0, CLIP_SAMPLES)))).toBe(0);
  });

  it('non-finite samples are treated as silence (output is NaN-free)', () => {
    const x = twoTone(CLIP_SAMPLES, SAMPLE_RATE);
    const clean = x.slice();
    for (const i of [0, 5, 100_000, 400_001]) clean[i] = 0;
    x[0] = NaN;
    x[5] = Infinity;
    x[100_000] = -Infinity;
    x[400_001] = NaN;
    const y = mfcc(x);
    expect(allFinite(y)).toBe(true);
    expect(maxAbsDiff(y, mfcc(clean))).toBe(0);
  });

  it('clamps to 80 dB below the clip maximum', () => {
    // one click in silence: the silent frames sit on the clamp (max − 80 dB), not at the −100 dB floor
    const x = new Float32Array(CLIP_SAMPLES);
    x[CLIP_SAMPLES / 2] = 1;
    const y = mfcc(x);
    const c0Silent = y[0] ?? NaN; // frame 0 is silent
    let c0Max = -Infinity;
    for (let t = 0; t < N_FRAMES; t++) c0Max = Math.max(c0Max, y[t * N_MFCC] ?? -Infinity);
    expect(c0Silent).toBeGreaterThan(-100 * Math.sqrt(N_MELS) + 1);
    // a constant (max − 80) over all bands gives c0 = (max − 80)·√128, so c0 ≥ c0Silent everywhere
    expect(c0Max).toBeGreaterThan(c0Silent);
  });

  it('writes into a caller-supplied buffer', () => {
    const out = new Float32Array(N_FRAMES * N_MFCC);
    const x = noise(CLIP_SAMPLES, 3);
    const y = mfcc(x, { out });
    expect(y).toBe(out);
    expect(maxAbsDiff(out, mfcc(x))).toBe(0);
    expect(() => mfcc(x, { out: new Float32Array(10) })).toThrow(RangeError);
  });
});

describe('toSegments / segmentView', () => {
  it('lays out 20 segments × 21 frames × 18 coefficients, frame-major', () => {
    const frames = Float32Array.from({ length: FEATURE_LENGTH }, (_, i) => i);
    const seg = toSegments(frames);
    expect(seg.length).toBe(FEATURE_LENGTH);
    expect(seg).not.toBe(frames);
    for (const [s, f, c] of [
      [0, 0, 0],
      [3, 7, 11],
      [19, 20, 17],
      [10, 0, 5],
    ] as const) {
      const frame = s * FRAMES_PER_SEGMENT + f;
      expect(seg[s * SEGMENT_LENGTH + f * N_MFCC + c]).toBe(frames[frame * N_MFCC + c]);
    }
    const v = segmentView(seg, 2);
    expect(v.length).toBe(SEGMENT_LENGTH);
    expect(v[0]).toBe(2 * SEGMENT_LENGTH);
    expect(() => toSegments(new Float32Array(10))).toThrow(RangeError);
    expect(() => segmentView(seg, 20)).toThrow(RangeError);
  });
});
