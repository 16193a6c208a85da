/**
 * Richer audio descriptors (part of feature version 2), computed from the same 30-s
 * mono 22,050 Hz clip and on the same frame grid as the MFCCs (Hann 2048, hop 1575,
 * 420 frames, centre/reflect padding). Definitions: docs/features.md, section
 * "Descriptors". Pure functions over typed arrays.
 */
import {
  CLIP_SAMPLES,
  F_MAX,
  F_MIN,
  FRAMES_PER_SEGMENT,
  HOP,
  N_BINS,
  N_FFT,
  N_FRAMES,
  N_MELS,
  N_MFCC,
  POWER_FLOOR,
  SAMPLE_RATE,
  SEGMENTS,
  TOP_DB,
} from './constants.ts';
import { RealFft } from './fft.ts';
import { dctMatrix, melFilterbank, type MelFilterbank } from './mel.ts';
import { dctRows, hannPeriodic, type MfccSpectra } from './mfcc.ts';

/** Bump whenever any definition or parameter below changes the produced numbers. */
export const DESCRIPTOR_VERSION = 1;

/** Delta (regression) window: frames t−4 … t+4. */
export const DELTA_WIDTH = 9;
export const ROLLOFF_PERCENT = 0.85;
export const CONTRAST_FMIN = 200;
export const CONTRAST_BANDS = 6; // octave sub-bands; +1 band above them
export const CONTRAST_QUANTILE = 0.02;
export const N_CHROMA = 12;
/** Chroma filterbank weights below this fraction of the largest weight are dropped (Gaussian tails). */
export const CHROMA_WEIGHT_CUTOFF = 1e-9;
/** Zero-crossing threshold: |x| ≤ this counts as 0 (and 0 counts as positive). */
export const ZCR_THRESHOLD = 1e-10;
/** Onset envelope used only for the tempo estimate (finer than the 1575-sample grid). */
export const TEMPO_N_FFT = 512;
export const TEMPO_HOP = 512;
export const TEMPO_N_MELS = 64;
export const TEMPO_MIN_BPM = 30;
export const TEMPO_MAX_BPM = 320;
export const TEMPO_PRIOR_BPM = 120;
/** Standard deviation of the log-normal tempo prior, in octaves. */
export const TEMPO_PRIOR_OCTAVES = 1;
/** The tempo onset envelope is smoothed with a Gaussian of this σ (frames), truncated at ±3σ. */
export const TEMPO_SMOOTH_SIGMA = 1;

/** Frame-level descriptor dimensions, in layout order. */
export const DESCRIPTOR_DIMS: readonly string[] = [
  ...Array.from({ length: N_MFCC }, (_, i) => `mfcc${i}`),
  ...Array.from({ length: N_MFCC }, (_, i) => `dmfcc${i}`),
  'centroid',
  'bandwidth',
  'rolloff',
  'flatness',
  ...Array.from({ length: CONTRAST_BANDS + 1 }, (_, i) => `contrast${i}`),
  ...Array.from({ length: N_CHROMA }, (_, i) => `chroma${i}`),
  'rms',
  'zcr',
  'onset',
];
/** Number of frame-level dimensions (62). */
export const N_DIMS = DESCRIPTOR_DIMS.length;
const D_MFCC = 0;
const D_DMFCC = N_MFCC;
const D_CENTROID = 2 * N_MFCC;
const D_BANDWIDTH = D_CENTROID + 1;
const D_ROLLOFF = D_CENTROID + 2;
const D_FLATNESS = D_CENTROID + 3;
const D_CONTRAST = D_CENTROID + 4;
const D_CHROMA = D_CONTRAST + CONTRAST_BANDS + 1;
const D_RMS = D_CHROMA + N_CHROMA;
const D_ZCR = D_RMS + 1;
const D_ONSET = D_RMS + 2;

/** Clip statistics per dimension, in layout order. Percentiles: linear interpolation (numpy default). */
export const CLIP_STATS = ['mean', 'std', 'p10', 'p50', 'p90'] as const;
export const SEGMENT_STATS = ['mean', 'std'] as const;
/** Clip vector length: 62 × 5 statistics + tempo = 311. */
export const CLIP_DESCRIPTOR_LENGTH = N_DIMS * CLIP_STATS.length + 1;
/** Values per segment: 62 × (mean, std) = 124. */
export const SEGMENT_DESCRIPTOR_LENGTH = N_DIMS * SEGMENT_STATS.length;
/** All segments: 20 × 124 = 2480. */
export const SEGMENTS_DESCRIPTOR_LENGTH = SEGMENTS * SEGMENT_DESCRIPTOR_LENGTH;

/** One stored "view" (one analysed clip): the clip vector followed by the segments, 311 + 2480 = 2791 values. */
export const DESCRIPTOR_LENGTH = CLIP_DESCRIPTOR_LENGTH + SEGMENTS_DESCRIPTOR_LENGTH;

/** Names of the clip vector entries ("centroid.mean", "chroma3.p90", …, "tempo"). */
export const CLIP_DESCRIPTOR_NAMES: readonly string[] = [
  ...DESCRIPTOR_DIMS.flatMap((d) => CLIP_STATS.map((s) => `${d}.${s}`)),
  'tempo',
];
/** Names of the entries of one segment (index inside the segment's 124 values). */
export const SEGMENT_DESCRIPTOR_NAMES: readonly string[] = DESCRIPTOR_DIMS.flatMap((d) => SEGMENT_STATS.map((s) => `${d}.${s}`));

export interface DescriptorOptions {
  /**
   * The clip's MFCCs (N_FRAMES × N_MFCC, as `mfcc()` returns) when already computed. Without it they are
   * computed in the same pass from the same power spectra (bit-identical to `mfcc()`).
   */
  mfcc?: Float32Array;
  /**
   * The clip's spectra kept by `mfcc(clip, { spectra })`: the STFT and the log-mel are then not recomputed
   * (same numbers, about 7 ms less per clip). They must come from the same clip.
   */
  spectra?: MfccSpectra;
}

export interface FrameDescriptors {
  /** The MFCCs used (N_FRAMES × N_MFCC, identical to `mfcc(mono22050)`). */
  mfcc: Float32Array;
  /** N_FRAMES × N_DIMS values, row = frame (index = frame · N_DIMS + dim). */
  frames: Float32Array;
  /** Clip tempo in BPM (0 when the onset envelope is silent). */
  tempo: number;
}

export interface ClipDescriptors {
  /** CLIP_DESCRIPTOR_LENGTH values: index = dim · 5 + stat, then tempo last. */
  clip: Float32Array;
  /** SEGMENTS_DESCRIPTOR_LENGTH values: index = segment · 124 + dim · 2 + (0 mean | 1 std). */
  segments: Float32Array;
  /** Names of `clip`'s entries. */
  names: string[];
  /** Names of one segment's 124 entries. */
  segmentNames: string[];
}

/** Sparse chroma filterbank: chroma c sums runs rStart[r] .. rStart[r]+rCount[r]-1 for r in runs[c] .. runs[c+1]-1. */
interface ChromaWeights {
  readonly runs: Uint32Array;
  readonly rStart: Uint32Array;
  readonly rCount: Uint32Array;
  readonly rOffset: Uint32Array;
  readonly weights: Float64Array;
}

interface ContrastBand {
  readonly first: number;
  /** Number of bins ranked (after librosa's "drop the last bin" for the octave bands). */
  readonly count: number;
  /** Number of bins averaged for peak and valley. */
  readonly q: number;
}

interface Plan {
  readonly fft: RealFft;
  readonly window: Float64Array;
  readonly mel: MelFilterbank;
  readonly power: Float64Array;
  readonly mag: Float64Array;
  readonly chroma: ChromaWeights;
  readonly bands: readonly ContrastBand[];
  readonly melDb: Float64Array;
  readonly dct: Float64Array;
  readonly tempoFft: RealFft;
  readonly tempoWindow: Float64Array;
  readonly tempoMel: MelFilterbank;
  readonly tempoPower: Float64Array;
  readonly tempoMelDb: Float64Array;
  readonly padded: Float32Array;
  readonly lo: Float64Array;
  readonly hi: Float64Array;
  readonly extremes: Float64Array;
  readonly chromaAcc: Float64Array;
  readonly onset: Float64Array;
  readonly tempoOnset: Float64Array;
  /** describeClip's frame matrix (summarised, never returned). */
  readonly frames: Float32Array;
}

const PAD = N_FFT / 2;
const TEMPO_FRAMES = Math.floor(CLIP_SAMPLES / TEMPO_HOP) + 1; // 1292 (centre framing)

/** numpy.rint: round half to even. */
function rint(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** librosa `filters.chroma(sr, n_fft, n_chroma=12, tuning=0, ctroct=5, octwidth=2, norm=2, base_c=True)`, bins 0..n_fft/2. */
export function chromaFilterbankDense(nFft: number, sampleRate: number): Float64Array {
  const nBins = nFft / 2 + 1;
  const frq = new Float64Array(nBins + 1);
  for (let k = 1; k <= nBins; k++) frq[k] = N_CHROMA * Math.log2((k * sampleRate) / nFft / (440 / 16));
  frq[0] = (frq[1] ?? 0) - 1.5 * N_CHROMA;
  const half = Math.round(N_CHROMA / 2);
  const w = new Float64Array(N_CHROMA * nBins); // row = chroma (A-based before the roll), col = bin
  for (let k = 0; k < nBins; k++) {
    const bw = k < nFft - 1 ? Math.max((frq[k + 1] ?? 0) - (frq[k] ?? 0), 1) : 1;
    let norm = 0;
    for (let c = 0; c < N_CHROMA; c++) {
      const raw = (frq[k] ?? 0) - c + half + 10 * N_CHROMA;
      const d = raw - N_CHROMA * Math.floor(raw / N_CHROMA) - half;
      const v = Math.exp(-0.5 * ((2 * d) / bw) ** 2);
      w[c * nBins + k] = v;
      norm += v * v;
    }
    norm = Math.sqrt(norm);
    const oct = Math.exp(-0.5 * (((frq[k] ?? 0) / N_CHROMA - 5) / 2) ** 2);
    for (let c = 0; c < N_CHROMA; c++) w[c * nBins + k] = ((w[c * nBins + k] ?? 0) / norm) * oct;
  }
  // roll by −3 so that index 0 is C: out[c] = in[(c + 3) mod 12]
  const out = new Float64Array(N_CHROMA * nBins);
  for (let c = 0; c < N_CHROMA; c++)
    out.set(w.subarray(((c + 3) % N_CHROMA) * nBins, (((c + 3) % N_CHROMA) + 1) * nBins), c * nBins);
  return out;
}

function chromaWeights(): ChromaWeights {
  const dense = chromaFilterbankDense(N_FFT, SAMPLE_RATE);
  let max = 0;
  for (const v of dense) max = Math.max(max, v);
  const cutoff = max * CHROMA_WEIGHT_CUTOFF;
  const runs = new Uint32Array(N_CHROMA + 1);
  const rStart: number[] = [];
  const rCount: number[] = [];
  const rOffset: number[] = [];
  const weights: number[] = [];
  for (let c = 0; c < N_CHROMA; c++) {
    runs[c] = rStart.length;
    let k = 0;
    while (k < N_BINS) {
      if ((dense[c * N_BINS + k] ?? 0) <= cutoff) {
        k++;
        continue;
      }
      rStart.push(k);
      rOffset.push(weights.length);
      let n = 0;
      while (k < N_BINS && (dense[c * N_BINS + k] ?? 0) > cutoff) {
        weights.push(dense[c * N_BINS + k] ?? 0);
        k++;
        n++;
      }
      rCount.push(n);
    }
  }
  runs[N_CHROMA] = rStart.length;
  return {
    runs,
    rStart: Uint32Array.from(rStart),
    rCount: Uint32Array.from(rCount),
    rOffset: Uint32Array.from(rOffset),
    weights: Float64Array.from(weights),
  };
}

/** librosa `spectral_contrast(fmin=200, n_bands=6, quantile=0.02)` band layout on bins 0..1024. */
function contrastBands(): ContrastBand[] {
  const bands: ContrastBand[] = [];
  const edges = [0];
  for (let i = 0; i <= CONTRAST_BANDS; i++) edges.push(CONTRAST_FMIN * 2 ** i);
  for (let b = 0; b <= CONTRAST_BANDS; b++) {
    const lo = edges[b] ?? 0;
    const hi = edges[b + 1] ?? 0;
    let first = -1;
    let last = -1;
    for (let k = 0; k < N_BINS; k++) {
      const f = (k * SAMPLE_RATE) / N_FFT;
      if (f >= lo && f <= hi) {
        if (first < 0) first = k;
        last = k;
      }
    }
    if (b > 0) first -= 1;
    if (b === CONTRAST_BANDS) last = N_BINS - 1;
    const n = last - first + 1;
    const q = Math.max(1, rint(CONTRAST_QUANTILE * n));
    bands.push({ first, count: b < CONTRAST_BANDS ? n - 1 : n, q });
  }
  return bands;
}

let plan: Plan | undefined;

function getPlan(): Plan {
  if (plan) return plan;
  const bands = contrastBands();
  const maxQ = Math.max(...bands.map((b) => b.q));
  plan = {
    fft: new RealFft(N_FFT),
    window: hannPeriodic(N_FFT),
    mel: melFilterbank(N_BINS, N_MELS, SAMPLE_RATE, F_MIN, F_MAX),
    power: new Float64Array(N_BINS),
    mag: new Float64Array(N_BINS),
    chroma: chromaWeights(),
    bands,
    melDb: new Float64Array(N_FRAMES * N_MELS),
    dct: dctMatrix(N_MFCC, N_MELS),
    tempoFft: new RealFft(TEMPO_N_FFT),
    tempoWindow: hannPeriodic(TEMPO_N_FFT),
    tempoMel: melFilterbank(TEMPO_N_FFT / 2 + 1, TEMPO_N_MELS, SAMPLE_RATE, F_MIN, F_MAX),
    tempoPower: new Float64Array(TEMPO_N_FFT / 2 + 1),
    tempoMelDb: new Float64Array(TEMPO_FRAMES * TEMPO_N_MELS),
    padded: new Float32Array(CLIP_SAMPLES + 2 * PAD),
    lo: new Float64Array(maxQ),
    hi: new Float64Array(maxQ),
    extremes: new Float64Array(2),
    chromaAcc: new Float64Array(N_CHROMA),
    onset: new Float64Array(N_FRAMES),
    tempoOnset: new Float64Array(TEMPO_FRAMES),
    frames: new Float32Array(N_FRAMES * N_DIMS),
  };
  return plan;
}

/** The clip (first CLIP_SAMPLES, zero-padded, non-finite → 0) with PAD reflected samples on each side. */
function fillPadded(x: Float32Array, xp: Float32Array): void {
  const clip = CLIP_SAMPLES;
  const avail = Math.min(x.length, clip);
  xp.set(avail === x.length ? x : x.subarray(0, avail), PAD);
  xp.fill(0, PAD + avail, PAD + clip);
  // One cheap pass to see whether anything is non-finite (x · 0 is NaN only for NaN and ±∞); rarely a second.
  let probe = 0;
  for (let i = PAD; i < PAD + avail; i++) probe += xp[i]! * 0;
  if (probe !== 0) {
    for (let i = PAD; i < PAD + avail; i++) {
      const v = xp[i] ?? 0;
      if (v - v !== 0) xp[i] = 0; // NaN, ±∞
    }
  }
  for (let i = 1; i <= PAD; i++) {
    xp[PAD - i] = xp[PAD + i] ?? 0;
    xp[PAD + clip - 1 + i] = xp[PAD + clip - 1 - i] ?? 0;
  }
}

/** Mean of the q smallest (→ out[0]) and q largest (→ out[1]) of v[first .. first+count) (q ≤ count). */
function extremesMean(
  v: Float64Array,
  first: number,
  count: number,
  q: number,
  lo: Float64Array,
  hi: Float64Array,
  out: Float64Array,
): void {
  const end = first + count;
  if (q === 1) {
    let mn = Infinity;
    let mx = -Infinity;
    for (let k = first; k < end; k++) {
      const x = v[k]!;
      if (x < mn) mn = x;
      if (x > mx) mx = x;
    }
    out[0] = mn;
    out[1] = mx;
    return;
  }
  // lo: ascending q smallest so far; hi: descending q largest so far; loTop / hiTop: their last (entry bar)
  for (let i = 0; i < q; i++) {
    lo[i] = Infinity;
    hi[i] = -Infinity;
  }
  let loTop = Infinity;
  let hiTop = -Infinity;
  const last = q - 1;
  for (let k = first; k < end; k++) {
    const x = v[k]!;
    if (x < loTop) {
      let j = last;
      while (j > 0 && lo[j - 1]! > x) {
        lo[j] = lo[j - 1]!;
        j--;
      }
      lo[j] = x;
      loTop = lo[last]!;
    }
    if (x > hiTop) {
      let j = last;
      while (j > 0 && hi[j - 1]! < x) {
        hi[j] = hi[j - 1]!;
        j--;
      }
      hi[j] = x;
      hiTop = hi[last]!;
    }
  }
  let a = 0;
  let b = 0;
  for (let i = 0; i < q; i++) {
    a += lo[i] ?? 0;
    b += hi[i] ?? 0;
  }
  out[0] = a / q;
  out[1] = b / q;
}

/** Power → clamped dB (floor POWER_FLOOR, then max − TOP_DB over the whole matrix), in place. */
function toDb(m: Float64Array): void {
  const amin = POWER_FLOOR;
  let max = -Infinity;
  for (let i = 0; i < m.length; i++) {
    const v = m[i] ?? 0;
    const db = 10 * Math.log10(v > amin ? v : amin);
    m[i] = db;
    if (db > max) max = db;
  }
  const floor = max - TOP_DB;
  for (let i = 0; i < m.length; i++) if ((m[i] ?? 0) < floor) m[i] = floor;
}

/**
 * toDb for the tempo grid: the same definition, with 10·ln(v)/ln(10) instead of Math.log10 (twice as fast
 * in V8; equal to ~1e-15 relative). The MFCC grid keeps toDb, whose numbers must equal mfcc()'s bit for bit.
 */
function toDbLn(m: Float64Array): void {
  const amin = POWER_FLOOR;
  const scale = 10 / Math.LN10;
  let max = -Infinity;
  for (let i = 0; i < m.length; i++) {
    const v = m[i] ?? 0;
    const db = scale * Math.log(v > amin ? v : amin);
    m[i] = db;
    if (db > max) max = db;
  }
  const floor = max - TOP_DB;
  for (let i = 0; i < m.length; i++) if ((m[i] ?? 0) < floor) m[i] = floor;
}

/** Mel band powers of one spectrum, summed in the order mfcc() sums them (the MFCCs must match bit for bit). */
function applyMel(mel: MelFilterbank, power: Float64Array, out: Float64Array, row: number): void {
  const { start, count, offset, weights, nMels } = mel;
  for (let m = 0; m < nMels; m++) {
    const s = start[m] ?? 0;
    const c = count[m] ?? 0;
    const o = offset[m] ?? 0;
    let acc = 0;
    for (let k = 0; k < c; k++) acc += (weights[o + k] ?? 0) * (power[s + k] ?? 0);
    out[row + m] = acc;
  }
}

/** applyMel with two partial sums (faster; summation order differs): the tempo grid only. */
function applyMelPairs(mel: MelFilterbank, power: Float64Array, out: Float64Array, row: number): void {
  const { start, count, offset, weights, nMels } = mel;
  for (let m = 0; m < nMels; m++) {
    const s = start[m] ?? 0;
    const c = count[m] ?? 0;
    const o = offset[m] ?? 0;
    let a0 = 0;
    let a1 = 0;
    let k = 0;
    for (; k + 1 < c; k += 2) {
      a0 += weights[o + k]! * power[s + k]!;
      a1 += weights[o + k + 1]! * power[s + k + 1]!;
    }
    if (k < c) a0 += weights[o + k]! * power[s + k]!;
    out[row + m] = a0 + a1;
  }
}

/** Spectral flux onset envelope of a (frames × nMels) dB matrix: o[0] = 0, o[t] = mean_m max(0, dB[t,m] − dB[t−1,m]). */
function onsetEnvelope(db: Float64Array, frames: number, nMels: number, out: Float64Array): void {
  out[0] = 0;
  for (let t = 1; t < frames; t++) {
    const r = t * nMels;
    const p = r - nMels;
    let acc = 0;
    for (let m = 0; m < nMels; m++) {
      const d = (db[r + m] ?? 0) - (db[p + m] ?? 0);
      if (d > 0) acc += d;
    }
    out[t] = acc / nMels;
  }
}

/** Convolution with a unit-sum Gaussian (σ = TEMPO_SMOOTH_SIGMA frames, ±3σ taps), zeros outside ("same" size). */
function smooth(x: Float64Array): Float64Array {
  const r = Math.round(3 * TEMPO_SMOOTH_SIGMA);
  const k = new Float64Array(2 * r + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) {
    const v = Math.exp(-0.5 * (i / TEMPO_SMOOTH_SIGMA) ** 2);
    k[i + r] = v;
    sum += v;
  }
  for (let i = 0; i < k.length; i++) k[i] = (k[i] ?? 0) / sum;
  const n = x.length;
  const y = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    let acc = 0;
    for (let i = -r; i <= r; i++) {
      const j = t - i;
      if (j >= 0 && j < n) acc += (k[i + r] ?? 0) * (x[j] ?? 0);
    }
    y[t] = acc;
  }
  return y;
}

/**
 * Tempo (BPM) from an onset envelope sampled at `fps` frames per second; 0 when the envelope is all zero.
 * Definition: docs/features.md ("tempo").
 */
export function estimateTempo(envelope: Float64Array, fps: number): number {
  const onset = smooth(envelope);
  const n = onset.length;
  let r0 = 0;
  for (let t = 0; t < n; t++) r0 += (onset[t] ?? 0) * (onset[t] ?? 0);
  r0 /= n;
  if (!(r0 > 1e-12)) return 0;
  const lMin = Math.ceil((60 * fps) / TEMPO_MAX_BPM);
  const lMax = Math.min(n - 2, Math.floor((60 * fps) / TEMPO_MIN_BPM));
  if (lMax < lMin) return 0;
  const score = new Float64Array(lMax + 2);
  let best = -1;
  let bestScore = -Infinity;
  for (let l = lMin - 1; l <= lMax + 1; l++) {
    if (l < 1) continue;
    let acc = 0;
    for (let t = 0; t + l < n; t++) acc += (onset[t] ?? 0) * (onset[t + l] ?? 0);
    const r = acc / (n - l);
    const bpm = (60 * fps) / l;
    const s = Math.log(1e-6 + r / r0) - 0.5 * (Math.log2(bpm / TEMPO_PRIOR_BPM) / TEMPO_PRIOR_OCTAVES) ** 2;
    score[l] = s;
    if (l >= lMin && l <= lMax && s > bestScore) {
      bestScore = s;
      best = l;
    }
  }
  let lag = best;
  if (best - 1 >= 1) {
    const a = score[best - 1] ?? 0;
    const b = score[best] ?? 0;
    const c = score[best + 1] ?? 0;
    const den = a - 2 * b + c;
    if (den < 0) lag = best + Math.max(-0.5, Math.min(0.5, (0.5 * (a - c)) / den));
  }
  return (60 * fps) / lag;
}

/**
 * Frame-level descriptors (N_FRAMES × N_DIMS, layout DESCRIPTOR_DIMS) and the clip's tempo.
 * The clip is the first CLIP_SAMPLES of `mono22050`, zero-padded; non-finite samples count as 0.
 */
export function frameDescriptors(mono22050: Float32Array, opts: DescriptorOptions = {}): FrameDescriptors {
  return computeFrames(mono22050, opts, new Float32Array(N_FRAMES * N_DIMS));
}

/** frameDescriptors into `out` (N_FRAMES × N_DIMS; describeClip passes a reused buffer). */
function computeFrames(mono22050: Float32Array, opts: DescriptorOptions, out: Float32Array): FrameDescriptors {
  const nFrames = N_FRAMES,
    nDims = N_DIMS,
    nBins = N_BINS,
    nMels = N_MELS;
  const p = getPlan();
  const { fft, window, mel, power, padded: xp } = p;
  if (opts.mfcc && opts.mfcc.length !== nFrames * N_MFCC) throw new RangeError(`mfcc must hold ${nFrames * N_MFCC} values`);
  const spectra = opts.spectra;
  if (spectra && (spectra.power.length !== nFrames * nBins || spectra.melDb.length !== nFrames * nMels)) {
    throw new RangeError('spectra buffers have the wrong size (use newMfccSpectra())');
  }
  fillPadded(mono22050, xp);
  // Power spectra: the kept MFCC ones (row t at t · nBins), else computed here frame by frame into `power`.
  const pw = spectra ? spectra.power : power;
  const melDb = spectra ? spectra.melDb : p.melDb;

  // Each step is its own small function: V8 optimises those far better than one large loop body.
  for (let t = 0; t < nFrames; t++) {
    const row = t * nDims;
    const first = t * HOP; // in padded coordinates (= t·hop − 1024 in clip coordinates)
    let base = 0;
    if (spectra) base = t * nBins;
    else fft.powerSpectrumWindowed(xp, first, window, power);
    spectralShape(pw, base, p.mag, out, row);
    contrastFrame(p, out, row);
    chromaFrame(p.chroma, pw, base, p.chromaAcc, out, row);
    // mel power for the onset envelope (already kept, as clamped dB, with the MFCC spectra)
    if (!spectra) applyMel(mel, power, melDb, t * nMels);
    rmsZcr(xp, first, out, row);
  }

  // log-mel (clamped dB, as the MFCC front end) → MFCC (unless given) and the onset strength on the frame grid
  if (!spectra) toDb(melDb);
  const cc = opts.mfcc ?? dctRows(melDb, p.dct);
  for (let t = 0; t < nFrames; t++) for (let k = 0; k < N_MFCC; k++) out[t * nDims + D_MFCC + k] = cc[t * N_MFCC + k] ?? 0;
  const onset = p.onset;
  onsetEnvelope(melDb, nFrames, nMels, onset);
  for (let t = 0; t < nFrames; t++) out[t * nDims + D_ONSET] = onset[t] ?? 0;
  deltas(cc, out);
  return { mfcc: cc, frames: out, tempo: tempoOfPadded(xp, p) };
}

/**
 * Magnitudes (into `mag`), centroid, bandwidth (from the moments Σ S k and Σ S k²), roll-off and flatness
 * (log of products of ≤ 16 floored powers: in [1e-160, 1e112]) of one power spectrum pw[base .. base + N_BINS).
 */
function spectralShape(pw: Float64Array, base: number, mag: Float64Array, out: Float32Array, row: number): void {
  // Local copies: under a loader that turns imports into getters (tsx) hot loops must not read imported bindings.
  const nBins = N_BINS,
    floor = POWER_FLOOR;
  let sumS = 0,
    sumKS = 0,
    sumKKS = 0;
  for (let k = 0; k < nBins; k++) {
    const s = Math.sqrt(pw[base + k]!);
    mag[k] = s;
    sumS += s;
    const ks = k * s;
    sumKS += ks;
    sumKKS += k * ks;
  }
  // Flatness in its own loop: the Math.log call every 16 bins would otherwise slow the loop above.
  let sumP = 0,
    logSum = 0;
  for (let k0 = 0; k0 < nBins; k0 += 16) {
    let prod = 1;
    const end = Math.min(nBins, k0 + 16);
    for (let k = k0; k < end; k++) {
      const pwk = pw[base + k]!;
      const pf = pwk > floor ? pwk : floor;
      sumP += pf;
      prod *= pf;
    }
    logSum += Math.log(prod);
  }
  const df = SAMPLE_RATE / N_FFT;
  let centroid = 0;
  let bw = 0;
  let rolloff = 0;
  if (sumS > 1e-20) {
    const kc = sumKS / sumS; // centroid in bins
    centroid = kc * df;
    const v = sumKKS / sumS - kc * kc; // Σ S (k − kc)² / Σ S
    bw = v > 0 ? Math.sqrt(v) * df : 0;
    const thr = ROLLOFF_PERCENT * sumS;
    let cum = 0;
    for (let k = 0; k < nBins; k++) {
      cum += mag[k] ?? 0;
      if (cum >= thr) {
        rolloff = k * df;
        break;
      }
    }
  }
  out[row + D_CENTROID] = centroid;
  out[row + D_BANDWIDTH] = bw;
  out[row + D_ROLLOFF] = rolloff;
  out[row + D_FLATNESS] = Math.exp(logSum / nBins - Math.log(sumP / nBins));
}

/** Spectral contrast of the magnitudes in p.mag (dB of mean magnitudes): 10·log10(peak) − 10·log10(valley), both floored. */
function contrastFrame(p: Plan, out: Float32Array, row: number): void {
  const { bands, mag, lo, hi, extremes } = p;
  const amin = POWER_FLOOR;
  for (let b = 0; b < bands.length; b++) {
    const band = bands[b]!;
    extremesMean(mag, band.first, band.count, band.q, lo, hi, extremes);
    const valley = extremes[0] ?? 0;
    const peak = extremes[1] ?? 0;
    out[row + D_CONTRAST + b] =
      10 * Math.log10(peak > amin ? peak : amin) - 10 * Math.log10(valley > amin ? valley : amin);
  }
}

/** Chroma of one power spectrum pw[base ..], normalised to max 1 (a silent frame stays 0). */
function chromaFrame(chroma: ChromaWeights, pw: Float64Array, base: number, acc12: Float64Array, out: Float32Array, row: number): void {
  const { runs, rStart, rCount, rOffset, weights } = chroma;
  const nChroma = N_CHROMA;
  let cMax = 0;
  for (let c = 0; c < nChroma; c++) {
    let acc = 0;
    const e = runs[c + 1] ?? 0;
    for (let r = runs[c] ?? 0; r < e; r++) {
      const s0 = base + (rStart[r] ?? 0);
      const o = (rOffset[r] ?? 0) - s0;
      const end = s0 + (rCount[r] ?? 0);
      // Four partial sums: one running sum is bound by the latency of the additions.
      let a0 = 0,
        a1 = 0,
        a2 = 0,
        a3 = 0;
      let k = s0;
      for (; k + 3 < end; k += 4) {
        a0 += weights[o + k]! * pw[k]!;
        a1 += weights[o + k + 1]! * pw[k + 1]!;
        a2 += weights[o + k + 2]! * pw[k + 2]!;
        a3 += weights[o + k + 3]! * pw[k + 3]!;
      }
      for (; k < end; k++) a0 += weights[o + k]! * pw[k]!;
      acc += a0 + a1 + (a2 + a3);
    }
    acc12[c] = acc;
    if (acc > cMax) cMax = acc;
  }
  const cScale = cMax > 0 ? 1 / cMax : 1;
  for (let c = 0; c < nChroma; c++) out[row + D_CHROMA + c] = (acc12[c] ?? 0) * cScale;
}

/** RMS and zero-crossing rate over the (unwindowed) frame samples xp[first .. first + N_FFT). */
function rmsZcr(xp: Float32Array, first: number, out: Float32Array, row: number): void {
  const nFft = N_FFT;
  const thr = -ZCR_THRESHOLD;
  let sq0 = 0;
  let sq1 = 0;
  let crossings = 0;
  let prevNeg = xp[first]! < thr ? 1 : 0;
  const end = first + nFft; // N_FFT is even: pairs
  for (let j = first; j < end; j += 2) {
    const v0 = xp[j]!;
    const v1 = xp[j + 1]!;
    sq0 += v0 * v0;
    sq1 += v1 * v1;
    const n0 = v0 < thr ? 1 : 0;
    const n1 = v1 < thr ? 1 : 0;
    crossings += (n0 ^ prevNeg) + (n1 ^ n0);
    prevNeg = n1;
  }
  out[row + D_RMS] = Math.sqrt((sq0 + sq1) / nFft);
  out[row + D_ZCR] = crossings / nFft;
}

/** MFCC deltas: least-squares slope over ±4 frames; edges ("interp"): slope of the line fitted to the first / last 9 frames. */
function deltas(cc: Float32Array, out: Float32Array): void {
  const nFrames = N_FRAMES,
    nDims = N_DIMS,
    nMfcc = N_MFCC;
  const hw = (DELTA_WIDTH - 1) / 2;
  let denom = 0;
  for (let i = 1; i <= hw; i++) denom += 2 * i * i;
  for (let k = 0; k < nMfcc; k++) {
    for (let t = hw; t < nFrames - hw; t++) {
      let acc = 0;
      for (let i = 1; i <= hw; i++) acc += i * ((cc[(t + i) * nMfcc + k] ?? 0) - (cc[(t - i) * nMfcc + k] ?? 0));
      out[t * nDims + D_DMFCC + k] = acc / denom;
    }
    const head = out[hw * nDims + D_DMFCC + k] ?? 0;
    const tail = out[(nFrames - hw - 1) * nDims + D_DMFCC + k] ?? 0;
    for (let t = 0; t < hw; t++) {
      out[t * nDims + D_DMFCC + k] = head;
      out[(nFrames - 1 - t) * nDims + D_DMFCC + k] = tail;
    }
  }
}

/** Tempo from the finer onset envelope (n_fft 512, hop 512, 64 mel bands) of the padded clip. */
function tempoOfPadded(xp: Float32Array, p: Plan): number {
  const { tempoFft, tempoWindow, tempoMel, tempoPower, tempoMelDb } = p;
  const half = TEMPO_N_FFT / 2;
  for (let t = 0; t < TEMPO_FRAMES; t++) {
    tempoFft.powerSpectrumWindowed(xp, PAD + t * TEMPO_HOP - half, tempoWindow, tempoPower);
    applyMelPairs(tempoMel, tempoPower, tempoMelDb, t * TEMPO_N_MELS);
  }
  toDbLn(tempoMelDb);
  const onset = p.tempoOnset;
  onsetEnvelope(tempoMelDb, TEMPO_FRAMES, TEMPO_N_MELS, onset);
  return estimateTempo(onset, SAMPLE_RATE / TEMPO_HOP);
}

/** The clip percentiles (CLIP_STATS p10, p50, p90), ascending. */
const PERCENTILES = [10, 50, 90] as const;

/**
 * Linear-interpolation percentile q (numpy default) of the finite values v, written to out[at], by selection
 * instead of a full sort: the order statistics at floor(pos) and floor(pos) + 1. Needs v[from..] to hold the
 * values of rank ≥ from (true for from = 0, and for the index returned by the previous call with a smaller q);
 * reorders v; returns the index from which the next, larger percentile may search.
 */
function selectPercentile(v: Float64Array, from: number, q: number, out: Float32Array, at: number): number {
  const n = v.length;
  const pos = (q / 100) * (n - 1);
  const i = Math.floor(pos);
  const f = pos - i;
  selectRank(v, from, n - 1, i);
  const a = v[i]!;
  if (f === 0 || i + 1 >= n) {
    out[at] = a;
    return i;
  }
  let b = Infinity; // rank i + 1 = the smallest value after rank i
  for (let j = i + 1; j < n; j++) if (v[j]! < b) b = v[j]!;
  out[at] = a + f * (b - a);
  return i + 1;
}

/** Hoare selection: puts the value of rank k (within v[left..right]) at v[k], smaller before, larger after. */
function selectRank(v: Float64Array, left: number, right: number, k: number): void {
  while (right > left) {
    const mid = (left + right) >> 1;
    // median of three as the pivot
    if (v[mid]! < v[left]!) swap(v, left, mid);
    if (v[right]! < v[left]!) swap(v, left, right);
    if (v[right]! < v[mid]!) swap(v, mid, right);
    const pivot = v[mid]!;
    let i = left;
    let j = right;
    while (i <= j) {
      while (v[i]! < pivot) i++;
      while (v[j]! > pivot) j--;
      if (i <= j) {
        swap(v, i, j);
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return; // j < k < i: v[k] equals the pivot
  }
}

function swap(v: Float64Array, i: number, j: number): void {
  const t = v[i]!;
  v[i] = v[j]!;
  v[j] = t;
}

/** Clip and per-segment statistics of frame descriptors (layout: see ClipDescriptors). */
export function summarize(fd: FrameDescriptors): ClipDescriptors {
  const { frames, tempo } = fd;
  const nFrames = N_FRAMES,
    nDims = N_DIMS,
    nStats = CLIP_STATS.length,
    nSeg = SEGMENTS,
    fps = FRAMES_PER_SEGMENT,
    segLen = SEGMENT_DESCRIPTOR_LENGTH;
  if (frames.length !== nFrames * nDims) throw new RangeError(`expected ${nFrames * nDims} frame values`);
  const clip = new Float32Array(CLIP_DESCRIPTOR_LENGTH);
  const segments = new Float32Array(SEGMENTS_DESCRIPTOR_LENGTH);
  const col = new Float64Array(nFrames);
  for (let d = 0; d < nDims; d++) {
    for (let t = 0; t < nFrames; t++) col[t] = frames[t * nDims + d] ?? 0;
    for (let s = 0; s < nSeg; s++) meanStd(col, s * fps, fps, segments, s * segLen + d * 2);
    meanStd(col, 0, nFrames, clip, d * nStats);
    // Percentiles in increasing order; each selection leaves the values from its index on in the upper part.
    let from = 0;
    for (let i = 0; i < PERCENTILES.length; i++) from = selectPercentile(col, from, PERCENTILES[i]!, clip, d * nStats + 2 + i);
  }
  clip[CLIP_DESCRIPTOR_LENGTH - 1] = tempo;
  return { clip, segments, names: [...CLIP_DESCRIPTOR_NAMES], segmentNames: [...SEGMENT_DESCRIPTOR_NAMES] };
}

/** Mean (→ out[at]) and population standard deviation (→ out[at + 1]; two-pass) of v[first .. first+n). */
function meanStd(v: Float64Array, first: number, n: number, out: Float32Array, at: number): void {
  let s = 0;
  for (let i = first; i < first + n; i++) s += v[i] ?? 0;
  const m = s / n;
  let q = 0;
  for (let i = first; i < first + n; i++) {
    const d = (v[i] ?? 0) - m;
    q += d * d;
  }
  out[at] = m;
  out[at + 1] = Math.sqrt(q / n);
}

/** Descriptors of a mono 22,050 Hz clip: clip statistics, per-segment statistics and their names. */
export function describeClip(mono22050: Float32Array, opts: DescriptorOptions = {}): ClipDescriptors {
  const p = getPlan();
  return summarize(computeFrames(mono22050, opts, p.frames));
}
