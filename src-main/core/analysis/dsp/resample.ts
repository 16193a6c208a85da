/**
 * Band-limited rational-ratio resampler (Kaiser-windowed sinc, polyphase).
 *
 * The kernel is the one torchaudio.functional.resample builds with
 * resampling_method="sinc_interp_kaiser" (older name "kaiser_window"):
 *   base   = ROLLOFF * min(from, to)                (cutoff = base / 2)
 *   t      = (k / from - n / to) * base             (k input index, n output index)
 *   h(t)   = sinc(t) * I0(BETA * sqrt(1 - (t / W)^2)) / I0(BETA) * base / from,  |t| < W
 * with W = ZERO_CROSSINGS sinc zero crossings on each side, zero padding at both
 * ends, output sample n at input time n * from / to, and ceil(len * to / from) outputs.
 * See docs/features.md for the measured response.
 */
import { firKernel, type FirKernel } from './fir-kernel.ts';

/** Output samples per kernel call. */
const BLOCK_OUTPUTS = 65536;

/** Sinc zero crossings on each side of the kernel (torchaudio's lowpass_filter_width). */
export const RESAMPLE_ZERO_CROSSINGS = 32;
/** Cutoff as a fraction of the lower Nyquist frequency (torchaudio's rolloff). */
export const RESAMPLE_ROLLOFF = 0.91;
/** Kaiser window beta. */
export const RESAMPLE_BETA = 9.0;

/** Phases above this are quantised (only for exotic rate pairs). */
const MAX_PHASES = 4096;

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** Modified Bessel function of the first kind, order 0 (power series). */
export function besselI0(x: number): number {
  const q = (x * x) / 4;
  let term = 1;
  let sum = 1;
  for (let k = 1; k < 500; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

interface Bank {
  /** Reduced rates. */
  readonly up: number;
  readonly down: number;
  /** Number of stored phases (== up unless quantised). */
  readonly phases: number;
  /** Input samples before the output position covered by tap 0. */
  readonly left: number;
  /** Taps per phase, a multiple of 8. */
  readonly taps: number;
  /** phases × taps coefficients, float32. */
  readonly coeffs: Float32Array;
}

const bankCache = new Map<string, Bank>();

function buildBank(from: number, to: number): Bank {
  const g = gcd(from, to);
  const down = from / g;
  const up = to / g;
  const base = Math.min(down, up) * RESAMPLE_ROLLOFF;
  const reach = (RESAMPLE_ZERO_CROSSINGS * down) / base; // kernel half-width in input samples
  const left = Math.ceil(reach);
  const taps = Math.ceil((2 * left + 2) / 8) * 8;
  const phases = Math.min(up, MAX_PHASES);
  const coeffs = new Float32Array(phases * taps);
  const scale = base / down;
  const i0beta = besselI0(RESAMPLE_BETA);
  const w = RESAMPLE_ZERO_CROSSINGS;
  for (let p = 0; p < phases; p++) {
    const frac = p / phases; // fractional input position of the output sample
    for (let j = 0; j < taps; j++) {
      const t = ((j - left - frac) * base) / down;
      if (Math.abs(t) >= w) continue;
      const r = t / w;
      const win = besselI0(RESAMPLE_BETA * Math.sqrt(1 - r * r)) / i0beta;
      const sinc = t === 0 ? 1 : Math.sin(Math.PI * t) / (Math.PI * t);
      coeffs[p * taps + j] = sinc * win * scale;
    }
  }
  return { up, down, phases, left, taps, coeffs };
}

function getBank(from: number, to: number): Bank {
  const key = `${from}:${to}`;
  let bank = bankCache.get(key);
  if (!bank) {
    bank = buildBank(from, to);
    if (bankCache.size >= 16) {
      const oldest = bankCache.keys().next().value;
      if (oldest !== undefined) bankCache.delete(oldest);
    }
    bankCache.set(key, bank);
  }
  return bank;
}

/** Number of output samples resample() returns: ceil(length * to / from). */
export function resampledLength(length: number, fromRate: number, toRate: number): number {
  const g = gcd(fromRate, toRate);
  const down = fromRate / g;
  const up = toRate / g;
  return Math.ceil((length * up) / down);
}

function checkRate(rate: number, name: string): void {
  if (!Number.isInteger(rate) || rate <= 0 || rate > 10_000_000) {
    throw new RangeError(`${name} must be a positive integer sample rate, got ${rate}`);
  }
}

/** Implementation with an explicit kernel choice; `resample` uses 'auto'. */
export function resampleWith(input: Float32Array, fromRate: number, toRate: number, impl: 'auto' | 'js'): Float32Array {
  checkRate(fromRate, 'fromRate');
  checkRate(toRate, 'toRate');
  if (fromRate === toRate) return input.slice();
  const len = input.length;
  const bank = getBank(fromRate, toRate);
  const { up, down, phases, left, taps, coeffs } = bank;
  const nOut = resampledLength(len, fromRate, toRate);
  if (nOut === 0) return new Float32Array(0);

  // Work in blocks of output samples so the heap stays small (~1.5 MB) for any input length.
  // Heap layout (bytes): [tab: BLOCK × (xOff, hOff)] [y: BLOCK] [coeffs] [input window]
  const block = Math.min(nOut, BLOCK_OUTPUTS);
  const tabOff = 0;
  const yOff = tabOff + block * 8;
  const hOff = yOff + block * 4;
  const xOff = hOff + coeffs.length * 4;
  const maxWindow = Math.ceil((block * down) / up) + taps + 16;
  const kernel: FirKernel = firKernel(impl);
  const heap = kernel.heap(xOff + maxWindow * 4);
  const f32 = new Float32Array(heap);
  const tab = new Int32Array(heap, tabOff, block * 2);
  f32.set(coeffs, hOff >> 2);
  const xBase = xOff >> 2;
  const out = new Float32Array(nOut);
  const quantised = phases !== up;
  const rowBytes = taps * 4;
  const stepWhole = Math.floor(down / up);
  const stepFrac = down - stepWhole * up;

  // Output n sits at input position n·down/up = s + p/up; its tap 0 reads input s − left.
  let s = 0;
  let p = 0;
  for (let n0 = 0; n0 < nOut; n0 += block) {
    const count = Math.min(block, nOut - n0);
    const sFirst = s;
    for (let i = 0, ti = 0; i < count; i++, ti += 2) {
      let row = p;
      let rel = s - sFirst;
      if (quantised) {
        row = Math.round((p / up) * phases);
        if (row === phases) {
          row = 0;
          rel++;
        }
      }
      tab[ti] = xOff + 4 * rel;
      tab[ti + 1] = hOff + row * rowBytes;
      s += stepWhole;
      p += stepFrac;
      if (p >= up) {
        p -= up;
        s++;
      }
    }
    // Input window: original indices [sFirst − left, sFirst − left + win), zeros outside the input.
    const win = s - sFirst + taps + 8;
    const lo = sFirst - left;
    const a = Math.max(0, lo);
    const b = Math.min(len, lo + win);
    if (b > a) {
      f32.fill(0, xBase, xBase + (a - lo));
      f32.set(input.subarray(a, b), xBase + (a - lo));
      f32.fill(0, xBase + (b - lo), xBase + win);
    } else {
      f32.fill(0, xBase, xBase + win);
    }
    kernel.run(tabOff, yOff, count, taps);
    out.set(f32.subarray(yOff >> 2, (yOff >> 2) + count), n0);
  }
  return out;
}

/**
 * Resamples `input` from `fromRate` to `toRate` (positive integers, Hz) with a
 * Kaiser-windowed sinc low-pass at ROLLOFF × the lower Nyquist frequency.
 * Returns ceil(input.length × toRate / fromRate) samples; a copy when the rates match.
 */
export function resample(input: Float32Array, fromRate: number, toRate: number): Float32Array {
  return resampleWith(input, fromRate, toRate, 'auto');
}
