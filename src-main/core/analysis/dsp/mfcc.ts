/**
 * MFCC front end (definition in docs/features.md):
 * 30 s mono at 22,050 Hz → 420 frames × 18 coefficients.
 */
import {
  CLIP_SAMPLES,
  F_MAX,
  F_MIN,
  FEATURE_LENGTH,
  HOP,
  N_BINS,
  N_FFT,
  N_FRAMES,
  N_MELS,
  N_MFCC,
  POWER_FLOOR,
  SAMPLE_RATE,
  SEGMENT_LENGTH,
  SEGMENTS,
  TOP_DB,
} from './constants.ts';
import { RealFft } from './fft.ts';
import { dctMatrix, melFilterbank, type MelFilterbank } from './mel.ts';

export interface MfccOptions {
  /** Optional output buffer of N_FRAMES × N_MFCC values (written and returned). */
  out?: Float32Array;
  /**
   * When given, the intermediate spectra are kept there (the descriptors reuse them instead of
   * recomputing the STFT; see `newMfccSpectra`).
   */
  spectra?: MfccSpectra;
}

/** The MFCC's intermediate spectra of one clip, kept for the descriptors. */
export interface MfccSpectra {
  /** N_FRAMES × N_BINS power spectra |X[k]|² (index = frame · N_BINS + bin). */
  readonly power: Float64Array;
  /** N_FRAMES × N_MELS clamped dB mel spectrogram (index = frame · N_MELS + band), as the DCT reads it. */
  readonly melDb: Float64Array;
}

/** Buffers for `MfccOptions.spectra` (3.9 MB; reuse them across clips). */
export function newMfccSpectra(): MfccSpectra {
  return { power: new Float64Array(N_FRAMES * N_BINS), melDb: new Float64Array(N_FRAMES * N_MELS) };
}

/** Periodic Hann window (torch.hann_window default, scipy `sym=False`). */
export function hannPeriodic(n: number): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
  return w;
}

interface Plan {
  readonly fft: RealFft;
  readonly window: Float64Array;
  readonly mel: MelFilterbank;
  readonly dct: Float64Array;
  readonly frame: Float64Array;
  readonly power: Float64Array;
  readonly melDb: Float64Array;
}

let plan: Plan | undefined;

function getPlan(): Plan {
  plan ??= {
    fft: new RealFft(N_FFT),
    window: hannPeriodic(N_FFT),
    mel: melFilterbank(N_BINS, N_MELS, SAMPLE_RATE, F_MIN, F_MAX),
    dct: dctMatrix(N_MFCC, N_MELS),
    frame: new Float64Array(N_FFT),
    power: new Float64Array(N_BINS),
    melDb: new Float64Array(N_FRAMES * N_MELS),
  };
  return plan;
}

/** Returns the input itself when it is all finite, otherwise a copy with non-finite samples set to 0. */
function sanitize(x: Float32Array): Float32Array {
  let probe = 0;
  for (let i = 0; i < x.length; i++) probe += (x[i] ?? 0) * 0;
  if (probe === 0) return x;
  const y = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i] ?? 0;
    y[i] = Number.isFinite(v) ? v : 0;
  }
  return y;
}

/**
 * MFCCs of a mono 22,050 Hz clip. The clip is the first CLIP_SAMPLES (30 s) of
 * `mono22050`, zero-padded at the end when shorter. Returns N_FRAMES × N_MFCC
 * values, row = frame (index = frame * N_MFCC + coefficient).
 */
export function mfcc(mono22050: Float32Array, opts: MfccOptions = {}): Float32Array {
  const out = opts.out ?? new Float32Array(N_FRAMES * N_MFCC);
  if (out.length !== N_FRAMES * N_MFCC) throw new RangeError(`out must hold ${N_FRAMES * N_MFCC} values`);
  // Local copies: keeps the hot loops free of module-binding lookups under any loader.
  const nFft = N_FFT,
    hop = HOP,
    nFrames = N_FRAMES,
    nMels = N_MELS,
    clip = CLIP_SAMPLES;
  const p = getPlan();
  const { fft, window, mel, dct, frame, power, melDb } = p;
  const x = sanitize(mono22050);
  const avail = Math.min(x.length, clip);
  const half = nFft >> 1;
  const { start, count, offset, weights } = mel;
  const spectra = opts.spectra;
  if (spectra && (spectra.power.length !== nFrames * N_BINS || spectra.melDb.length !== nFrames * nMels)) {
    throw new RangeError('spectra buffers have the wrong size (use newMfccSpectra())');
  }
  // With kept spectra each frame's power spectrum is written straight into its row.
  const pw = spectra ? spectra.power : power;
  const nBins = N_BINS;

  for (let t = 0; t < nFrames; t++) {
    const first = t * hop - half;
    const base = spectra ? t * nBins : 0;
    if (first >= 0 && first + nFft <= avail) {
      fft.powerSpectrumWindowed(x, first, window, pw, base);
    } else {
      for (let j = 0; j < nFft; j++) {
        let i = first + j;
        // centre padding: reflect about the clip's first / last sample (torch "reflect")
        if (i < 0) i = -i;
        else if (i >= clip) i = 2 * (clip - 1) - i;
        const v = i < avail ? (x[i] ?? 0) : 0;
        frame[j] = v * (window[j] ?? 0);
      }
      fft.powerSpectrum(frame, pw, base);
    }
    const row = t * nMels;
    for (let m = 0; m < nMels; m++) {
      const s = start[m] ?? 0;
      const c = count[m] ?? 0;
      const o = offset[m] ?? 0;
      let acc = 0;
      const ps = base + s;
      for (let k = 0; k < c; k++) acc += (weights[o + k] ?? 0) * (pw[ps + k] ?? 0);
      melDb[row + m] = acc;
    }
  }

  // power → dB with floor, then clamp to (clip max − TOP_DB)
  let max = -Infinity;
  for (let i = 0; i < melDb.length; i++) {
    const v = melDb[i] ?? 0;
    const db = 10 * Math.log10(v > POWER_FLOOR ? v : POWER_FLOOR);
    melDb[i] = db;
    if (db > max) max = db;
  }
  const floor = max - TOP_DB;
  for (let i = 0; i < melDb.length; i++) {
    const v = melDb[i] ?? 0;
    if (v < floor) melDb[i] = floor;
  }

  if (spectra) spectra.melDb.set(melDb);
  dctRows(melDb, dct, out);
  return out;
}

/**
 * DCT-II (ortho) of each clamped log-mel row, first N_MFCC coefficients, into `out` (N_FRAMES × N_MFCC).
 * Shared with the descriptors, which reuse this arithmetic so their MFCCs are bit-identical to `mfcc()`.
 */
export function dctRows(melDb: Float64Array, dct: Float64Array, out: Float32Array = new Float32Array(N_FRAMES * N_MFCC)): Float32Array {
  const nFrames = N_FRAMES,
    nMels = N_MELS,
    nMfcc = N_MFCC;
  for (let t = 0; t < nFrames; t++) {
    const row = t * nMels;
    for (let k = 0; k < nMfcc; k++) {
      const d = k * nMels;
      let acc = 0;
      for (let m = 0; m < nMels; m++) acc += (dct[d + m] ?? 0) * (melDb[row + m] ?? 0);
      out[t * nMfcc + k] = acc;
    }
  }
  return out;
}

/**
 * Lays the N_FRAMES × N_MFCC matrix out as SEGMENTS segments of FRAMES_PER_SEGMENT
 * frames, frame-major inside each segment: index = seg * 378 + frameInSeg * 18 + coef.
 * (This equals the frame-major matrix order, so the values are copied unchanged.)
 */
export function toSegments(frames: Float32Array): Float32Array {
  if (frames.length !== FEATURE_LENGTH) {
    throw new RangeError(`expected ${FEATURE_LENGTH} values (${N_FRAMES} × ${N_MFCC}), got ${frames.length}`);
  }
  return frames.slice();
}

/** View of segment `seg` (SEGMENT_LENGTH values) inside a FEATURE_LENGTH vector. */
export function segmentView(features: Float32Array, seg: number): Float32Array {
  if (!Number.isInteger(seg) || seg < 0 || seg >= SEGMENTS) throw new RangeError(`segment ${seg} out of range`);
  return features.subarray(seg * SEGMENT_LENGTH, (seg + 1) * SEGMENT_LENGTH);
}
