/**
 * Deterministic fixture signals, mirrored formula for formula in
 * scripts/dsp-references.py (float64 arithmetic, rounded to float32).
 */

import { CLIP_SAMPLES, SAMPLE_RATE } from './constants.ts';

/** xorshift32 (13, 17, 5); value = state / 2^32 − 0.5 in [−0.5, 0.5). */
export function xorshiftUniform(n: number, seed: number): Float64Array {
  const out = new Float64Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (s ^ (s << 13)) >>> 0;
    s = (s ^ (s >>> 17)) >>> 0;
    s = (s ^ (s << 5)) >>> 0;
    out[i] = s / 4294967296 - 0.5;
  }
  return out;
}

/** Linear chirp 50 Hz → 10 kHz over 30 s, amplitude 0.5. */
export function chirp(n: number, rate: number): Float32Array {
  const x = new Float32Array(n);
  const f0 = 50,
    f1 = 10000,
    dur = 30;
  for (let i = 0; i < n; i++) {
    const t = i / rate;
    x[i] = 0.5 * Math.sin(2 * Math.PI * (f0 * t + ((f1 - f0) * t * t) / (2 * dur)));
  }
  return x;
}

export function twoTone(n: number, rate: number): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = 0.4 * Math.sin((2 * Math.PI * 440 * i) / rate) + 0.3 * Math.sin((2 * Math.PI * 3520.5 * i) / rate);
  }
  return x;
}

export function noise(n: number, seed: number): Float32Array {
  return Float32Array.from(xorshiftUniform(n, seed));
}

export function clicks(n: number, period: number): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i += period) x[i] = 0.9;
  return x;
}

/** Tones at 997, 5001 and 8999 Hz plus broadband noise (resampler fixture). */
export function resampleMix(n: number, rate: number): Float32Array {
  const u = xorshiftUniform(n, 12345);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const tones =
      0.3 * Math.sin((2 * Math.PI * 997 * i) / rate) +
      0.2 * Math.sin((2 * Math.PI * 5001 * i) / rate) +
      0.1 * Math.sin((2 * Math.PI * 8999 * i) / rate);
    x[i] = tones + 0.2 * (u[i] ?? 0);
  }
  return x;
}

/** Sine of amplitude `amp` at `freq` Hz. */
export function sine(n: number, rate: number, freq: number, amp = 1): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = amp * Math.sin((2 * Math.PI * freq * i) / rate);
  return x;
}

/**
 * The signals of the stored MFCC and descriptor references, by the names scripts/dsp-references.py and
 * scripts/descriptor-references.py give them (both reference sets cover the same five).
 */
export const REFERENCE_SIGNALS: Readonly<Record<string, () => Float32Array>> = {
  chirp: () => chirp(CLIP_SAMPLES, SAMPLE_RATE),
  'two-tone': () => twoTone(CLIP_SAMPLES, SAMPLE_RATE),
  noise: () => noise(CLIP_SAMPLES, 20240601),
  clicks: () => clicks(CLIP_SAMPLES, 11025),
  'short-two-tone': () => twoTone(SAMPLE_RATE / 2, SAMPLE_RATE),
};
