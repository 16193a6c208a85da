/**
 * Richer audio descriptors ("feature version 2 candidate"), computed from the same 30-s
 * mono 22,050 Hz clip and on the same frame grid as the MFCCs (Hann 2048, hop 1575,
 * 420 frames, centre/reflect padding). Definitions: docs/features.md, section
 * "Descriptors (feature version 2 candidate)". Pure functions over typed arrays.
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
import { dctRows, hannPeriodic } from './mfcc.ts';

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
  readonly freq: Float64Array;
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
  const freq = new Float64Array(N_BINS);
  for (let k = 0; k < N_BINS; k++) freq[k] = (k * SAMPLE_RATE) / N_FFT;
  const bands = contrastBands();
  const maxQ = Math.max(...bands.map((b) => b.q));
  plan = {
    fft: new RealFft(N_FFT),
    window: hannPeriodic(N_FFT),
    mel: melFilterbank(N_BINS, N_MELS, SAMPLE_RATE, F_MIN, F_MAX),
    power: new Float64Array(N_BINS),
    mag: new Float64Array(N_BINS),
    freq,
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
  };
  return plan;
}

/** The clip (first CLIP_SAMPLES, zero-padded, non-finite → 0) with PAD reflected samples on each side. */
function fillPadded(x: Float32Array, xp: Float32Array): void {
  const clip = CLIP_SAMPLES;
  const avail = Math.min(x.length, clip);
  xp.set(avail === x.length ? x : x.subarray(0, avail), PAD);
  xp.fill(0, PAD + avail, PAD + clip);
  for (let i = PAD; i < PAD + avail; i++) {
    const v = xp[i] ?? 0;
    if (v - v !== 0) xp[i] = 0; // NaN, ±∞
  }
  for (let i = 1; i <= PAD; i++) {
    xp[PAD - i] = xp[PAD + i] ?? 0;
    xp[PAD + clip - 1 + i] = xp[PAD + clip - 1 - i] ?? 0;
  }
}

/** Mean of the q smallest and q largest of v[first .. first+count) (q ≤ count). */
function extremesMean(
  v: Float64Array,
  first: number,
  count: number,
  q: number,
  lo: Float64Array,
  hi: Float64Array,
): [number, number] {
  // lo: ascending q smallest so far; hi: descending q largest so far
  for (let i = 0; i < q; i++) {
    lo[i] = Infinity;
    hi[i] = -Infinity;
  }
  const end = first + count;
  for (let k = first; k < end; k++) {
    const x = v[k] ?? 0;
    if (x < (lo[q - 1] ?? 0)) {
      let j = q - 1;
      while (j > 0 && (lo[j - 1] ?? 0) > x) {
        lo[j] = lo[j - 1] ?? 0;
        j--;
      }
      lo[j] = x;
    }
    if (x > (hi[q - 1] ?? 0)) {
      let j = q - 1;
      while (j > 0 && (hi[j - 1] ?? 0) < x) {
        hi[j] = hi[j - 1] ?? 0;
        j--;
      }
      hi[j] = x;
    }
  }
  let a = 0;
  let b = 0;
  for (let i = 0; i < q; i++) {
    a += lo[i] ?? 0;
    b += hi[i] ?? 0;
  }
  return [a / q, b / q];
}

/** Power → clamped dB (floor POWER_FLOOR, then max − TOP_DB over the whole matrix), in place. */
function toDb(m: Float64Array): void {
  let max = -Infinity;
  for (let i = 0; i < m.length; i++) {
    const v = m[i] ?? 0;
    const db = 10 * Math.log10(v > POWER_FLOOR ? v : POWER_FLOOR);
    m[i] = db;
    if (db > max) max = db;
  }
  const floor = max - TOP_DB;
  for (let i = 0; i < m.length; i++) if ((m[i] ?? 0) < floor) m[i] = floor;
}

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
  const nFrames = N_FRAMES,
    nDims = N_DIMS,
    nBins = N_BINS,
    nFft = N_FFT,
    hop = HOP,
    nMels = N_MELS;
  const p = getPlan();
  const { fft, window, mel, power, mag, freq, chroma, bands, melDb, padded: xp, lo, hi } = p;
  if (opts.mfcc && opts.mfcc.length !== nFrames * N_MFCC) throw new RangeError(`mfcc must hold ${nFrames * N_MFCC} values`);
  fillPadded(mono22050, xp);
  const out = new Float32Array(nFrames * nDims);
  const { runs, rStart, rCount, rOffset, weights: cWeight } = chroma;
  const chromaAcc = new Float64Array(N_CHROMA);

  for (let t = 0; t < nFrames; t++) {
    const row = t * nDims;
    const first = t * hop; // in padded coordinates (= t·hop − 1024 in clip coordinates)
    fft.powerSpectrumWindowed(xp, first, window, power);

    // magnitude, centroid, flatness (log of products of ≤ 16 floored powers: in [1e-160, 1e112])
    let sumS = 0,
      sumFS = 0,
      sumP = 0,
      logSum = 0,
      prod = 1;
    for (let k = 0; k < nBins; k++) {
      const pw = power[k] ?? 0;
      const s = Math.sqrt(pw);
      mag[k] = s;
      sumS += s;
      sumFS += (freq[k] ?? 0) * s;
      const pf = pw > POWER_FLOOR ? pw : POWER_FLOOR;
      sumP += pf;
      prod *= pf;
      if ((k & 15) === 15) {
        logSum += Math.log(prod);
        prod = 1;
      }
    }
    logSum += Math.log(prod);
    const silent = !(sumS > 1e-20);
    const centroid = silent ? 0 : sumFS / sumS;
    let bw = 0;
    let rolloff = 0;
    if (!silent) {
      for (let k = 0; k < nBins; k++) {
        const d = (freq[k] ?? 0) - centroid;
        bw += (mag[k] ?? 0) * d * d;
      }
      bw = Math.sqrt(bw / sumS);
      const thr = ROLLOFF_PERCENT * sumS;
      let cum = 0;
      for (let k = 0; k < nBins; k++) {
        cum += mag[k] ?? 0;
        if (cum >= thr) {
          rolloff = freq[k] ?? 0;
          break;
        }
      }
    }
    out[row + D_CENTROID] = centroid;
    out[row + D_BANDWIDTH] = bw;
    out[row + D_ROLLOFF] = rolloff;
    const meanLog = logSum / nBins;
    out[row + D_FLATNESS] = Math.exp(meanLog - Math.log(sumP / nBins));

    // spectral contrast (dB of mean magnitudes)
    for (let b = 0; b < bands.length; b++) {
      const band = bands[b];
      if (!band) continue;
      const [valley, peak] = extremesMean(mag, band.first, band.count, band.q, lo, hi);
      out[row + D_CONTRAST + b] =
        10 * Math.log10(peak > POWER_FLOOR ? peak : POWER_FLOOR) - 10 * Math.log10(valley > POWER_FLOOR ? valley : POWER_FLOOR);
    }

    // chroma (power), normalised to max 1
    for (let c = 0; c < N_CHROMA; c++) {
      let acc = 0;
      const e = runs[c + 1] ?? 0;
      for (let r = runs[c] ?? 0; r < e; r++) {
        const s0 = rStart[r] ?? 0;
        const o = (rOffset[r] ?? 0) - s0;
        const end = s0 + (rCount[r] ?? 0);
        for (let k = s0; k < end; k++) acc += (cWeight[o + k] ?? 0) * (power[k] ?? 0);
      }
      chromaAcc[c] = acc;
    }
    let cMax = 0;
    for (let c = 0; c < N_CHROMA; c++) cMax = Math.max(cMax, chromaAcc[c] ?? 0);
    const cScale = cMax > 0 ? 1 / cMax : 1;
    for (let c = 0; c < N_CHROMA; c++) out[row + D_CHROMA + c] = (chromaAcc[c] ?? 0) * cScale;

    // mel power for the onset envelope
    applyMel(mel, power, melDb, t * nMels);

    // RMS and zero-crossing rate over the (unwindowed) frame samples
    let sq = 0;
    let crossings = 0;
    let prevNeg = (xp[first] ?? 0) < -ZCR_THRESHOLD ? 1 : 0;
    for (let j = first; j < first + nFft; j++) {
      const v = xp[j] ?? 0;
      sq += v * v;
      const neg = v < -ZCR_THRESHOLD ? 1 : 0;
      crossings += neg ^ prevNeg;
      prevNeg = neg;
    }
    out[row + D_RMS] = Math.sqrt(sq / nFft);
    out[row + D_ZCR] = crossings / nFft;
  }

  // log-mel (clamped dB, as the MFCC front end) → MFCC (unless given) and the onset strength on the frame grid
  toDb(melDb);
  const cc = opts.mfcc ?? dctRows(melDb, p.dct);
  for (let t = 0; t < nFrames; t++) for (let k = 0; k < N_MFCC; k++) out[t * nDims + D_MFCC + k] = cc[t * N_MFCC + k] ?? 0;
  const onset = new Float64Array(nFrames);
  onsetEnvelope(melDb, nFrames, nMels, onset);
  for (let t = 0; t < nFrames; t++) out[t * nDims + D_ONSET] = onset[t] ?? 0;

  // MFCC deltas: least-squares slope over ±4 frames; edges ("interp"): slope of the line fitted to the first / last 9 frames
  const hw = (DELTA_WIDTH - 1) / 2;
  let denom = 0;
  for (let i = 1; i <= hw; i++) denom += 2 * i * i;
  for (let k = 0; k < N_MFCC; k++) {
    for (let t = hw; t < nFrames - hw; t++) {
      let acc = 0;
      for (let i = 1; i <= hw; i++) acc += i * ((cc[(t + i) * N_MFCC + k] ?? 0) - (cc[(t - i) * N_MFCC + k] ?? 0));
      out[t * nDims + D_DMFCC + k] = acc / denom;
    }
    const head = out[hw * nDims + D_DMFCC + k] ?? 0;
    const tail = out[(nFrames - hw - 1) * nDims + D_DMFCC + k] ?? 0;
    for (let t = 0; t < hw; t++) {
      out[t * nDims + D_DMFCC + k] = head;
      out[(nFrames - 1 - t) * nDims + D_DMFCC + k] = tail;
    }
  }

  return { mfcc: cc, frames: out, tempo: tempoOfPadded(xp, p) };
}

/** Tempo from the finer onset envelope (n_fft 512, hop 512, 64 mel bands) of the padded clip. */
function tempoOfPadded(xp: Float32Array, p: Plan): number {
  const { tempoFft, tempoWindow, tempoMel, tempoPower, tempoMelDb } = p;
  const half = TEMPO_N_FFT / 2;
  for (let t = 0; t < TEMPO_FRAMES; t++) {
    tempoFft.powerSpectrumWindowed(xp, PAD + t * TEMPO_HOP - half, tempoWindow, tempoPower);
    applyMel(tempoMel, tempoPower, tempoMelDb, t * TEMPO_N_MELS);
  }
  toDb(tempoMelDb);
  const onset = new Float64Array(TEMPO_FRAMES);
  onsetEnvelope(tempoMelDb, TEMPO_FRAMES, TEMPO_N_MELS, onset);
  return estimateTempo(onset, SAMPLE_RATE / TEMPO_HOP);
}

/** Linear-interpolation percentile (numpy default) of ascending-sorted values. */
function percentile(sorted: Float64Array, q: number): number {
  const pos = (q / 100) * (sorted.length - 1);
  const i = Math.floor(pos);
  const f = pos - i;
  const a = sorted[i] ?? 0;
  return f === 0 ? a : a + f * ((sorted[i + 1] ?? a) - a);
}

/** Clip and per-segment statistics of frame descriptors (layout: see ClipDescriptors). */
export function summarize(fd: FrameDescriptors): ClipDescriptors {
  const { frames, tempo } = fd;
  const nFrames = N_FRAMES,
    nDims = N_DIMS,
    nStats = CLIP_STATS.length;
  if (frames.length !== nFrames * nDims) throw new RangeError(`expected ${nFrames * nDims} frame values`);
  const clip = new Float32Array(CLIP_DESCRIPTOR_LENGTH);
  const segments = new Float32Array(SEGMENTS_DESCRIPTOR_LENGTH);
  const col = new Float64Array(nFrames);
  for (let d = 0; d < nDims; d++) {
    for (let t = 0; t < nFrames; t++) col[t] = frames[t * nDims + d] ?? 0;
    for (let s = 0; s < SEGMENTS; s++) {
      const [m, sd] = meanStd(col, s * FRAMES_PER_SEGMENT, FRAMES_PER_SEGMENT);
      segments[s * SEGMENT_DESCRIPTOR_LENGTH + d * 2] = m;
      segments[s * SEGMENT_DESCRIPTOR_LENGTH + d * 2 + 1] = sd;
    }
    const [m, sd] = meanStd(col, 0, nFrames);
    col.sort();
    clip[d * nStats] = m;
    clip[d * nStats + 1] = sd;
    clip[d * nStats + 2] = percentile(col, 10);
    clip[d * nStats + 3] = percentile(col, 50);
    clip[d * nStats + 4] = percentile(col, 90);
  }
  clip[CLIP_DESCRIPTOR_LENGTH - 1] = tempo;
  return { clip, segments, names: [...CLIP_DESCRIPTOR_NAMES], segmentNames: [...SEGMENT_DESCRIPTOR_NAMES] };
}

/** Mean and population standard deviation (two-pass) of v[first .. first+n). */
function meanStd(v: Float64Array, first: number, n: number): [number, number] {
  let s = 0;
  for (let i = first; i < first + n; i++) s += v[i] ?? 0;
  const m = s / n;
  let q = 0;
  for (let i = first; i < first + n; i++) {
    const d = (v[i] ?? 0) - m;
    q += d * d;
  }
  return [m, Math.sqrt(q / n)];
}

/** Descriptors of a mono 22,050 Hz clip: clip statistics, per-segment statistics and their names. */
export function describeClip(mono22050: Float32Array, opts: DescriptorOptions = {}): ClipDescriptors {
  return summarize(frameDescriptors(mono22050, opts));
}
