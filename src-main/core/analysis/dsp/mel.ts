/**
 * Slaney mel filterbank (librosa `mel(htk=False, norm='slaney')`, torchaudio
 * `melscale_fbanks(norm='slaney', mel_scale='slaney')`) and the orthonormal DCT-II.
 */

const F_SP = 200 / 3;
const MIN_LOG_HZ = 1000;
const MIN_LOG_MEL = MIN_LOG_HZ / F_SP; // 15
const LOGSTEP = Math.log(6.4) / 27;

/** Hz → Slaney mel (linear below 1 kHz, logarithmic above). */
export function hzToMel(hz: number): number {
  return hz >= MIN_LOG_HZ ? MIN_LOG_MEL + Math.log(hz / MIN_LOG_HZ) / LOGSTEP : hz / F_SP;
}

/** Slaney mel → Hz. */
export function melToHz(mel: number): number {
  return mel >= MIN_LOG_MEL ? MIN_LOG_HZ * Math.exp(LOGSTEP * (mel - MIN_LOG_MEL)) : F_SP * mel;
}

/** Sparse filterbank: band m uses bins start[m] .. start[m]+count[m]-1 with weights at offset[m]. */
export interface MelFilterbank {
  readonly nMels: number;
  readonly nBins: number;
  readonly start: Uint32Array;
  readonly count: Uint32Array;
  readonly offset: Uint32Array;
  readonly weights: Float64Array;
}

/** Dense nBins × nMels weights (row = FFT bin), as torchaudio returns them. */
export function melFilterbankDense(nBins: number, nMels: number, sampleRate: number, fMin: number, fMax: number): Float64Array {
  const fb = new Float64Array(nBins * nMels);
  const mMin = hzToMel(fMin);
  const mMax = hzToMel(fMax);
  const fPts = new Float64Array(nMels + 2);
  for (let i = 0; i < nMels + 2; i++) fPts[i] = melToHz(mMin + ((mMax - mMin) * i) / (nMels + 1));
  const nyquist = sampleRate / 2;
  for (let k = 0; k < nBins; k++) {
    const f = (nyquist * k) / (nBins - 1);
    for (let m = 0; m < nMels; m++) {
      const lo = fPts[m] ?? 0;
      const ce = fPts[m + 1] ?? 0;
      const hi = fPts[m + 2] ?? 0;
      const down = (f - lo) / (ce - lo);
      const up = (hi - f) / (hi - ce);
      const w = Math.max(0, Math.min(down, up));
      fb[k * nMels + m] = w * (2 / (hi - lo));
    }
  }
  return fb;
}

export function melFilterbank(nBins: number, nMels: number, sampleRate: number, fMin: number, fMax: number): MelFilterbank {
  const dense = melFilterbankDense(nBins, nMels, sampleRate, fMin, fMax);
  const start = new Uint32Array(nMels);
  const count = new Uint32Array(nMels);
  const offset = new Uint32Array(nMels);
  const list: number[] = [];
  for (let m = 0; m < nMels; m++) {
    let first = -1;
    let last = -1;
    for (let k = 0; k < nBins; k++) {
      if ((dense[k * nMels + m] ?? 0) > 0) {
        if (first < 0) first = k;
        last = k;
      }
    }
    offset[m] = list.length;
    if (first < 0) continue;
    start[m] = first;
    count[m] = last - first + 1;
    for (let k = first; k <= last; k++) list.push(dense[k * nMels + m] ?? 0);
  }
  return { nMels, nBins, start, count, offset, weights: Float64Array.from(list) };
}

/** Orthonormal DCT-II matrix, nOut × nIn, row-major: D[k][n] = s_k cos(π/nIn (n + ½) k). */
export function dctMatrix(nOut: number, nIn: number): Float64Array {
  const d = new Float64Array(nOut * nIn);
  for (let k = 0; k < nOut; k++) {
    const s = k === 0 ? Math.sqrt(1 / nIn) : Math.sqrt(2 / nIn);
    for (let n = 0; n < nIn; n++) d[k * nIn + n] = s * Math.cos((Math.PI / nIn) * (n + 0.5) * k);
  }
  return d;
}
