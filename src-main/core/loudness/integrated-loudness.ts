/**
 * Integrated loudness after ITU-R BS.1770-4 / EBU R128: K-weighting (a high shelf and a high pass, the
 * standard's 48 kHz filters re-derived for any sample rate as libebur128 does), mean square per channel
 * over 400 ms blocks with 75 % overlap, channels weighted and summed (L, R, C: 1; surrounds: 1.41; LFE
 * left out), then the absolute gate at −70 LUFS and the relative gate 10 LU below the loudness of the
 * blocks that passed it. Pure: PCM in, numbers out.
 */

export interface LoudnessMeasure {
  /** LUFS; null when no block passes the gates (silence, or under 400 ms of audio). */
  integratedLufs: number | null;
  /** The largest absolute sample value (linear, 1 = full scale). */
  samplePeak: number;
  /** Seconds of audio measured. */
  seconds: number;
}

const ABSOLUTE_GATE_LUFS = -70;
const RELATIVE_GATE_LU = -10;

/** Biquad coefficients [b0, b1, b2, a1, a2] (a0 = 1). */
type Biquad = [number, number, number, number, number];

/** The two K-weighting stages at `sampleRate` (BS.1770-4's coefficients at 48 kHz, via their analogue prototypes). */
export function kWeightingFilters(sampleRate: number): [Biquad, Biquad] {
  // Stage 1: the head's acoustic effect, a high shelf of about +4 dB.
  const f0 = 1681.974450955533;
  const gainDb = 3.999843853973347;
  const q = 0.7071752369554196;
  let k = Math.tan((Math.PI * f0) / sampleRate);
  const vh = Math.pow(10, gainDb / 20);
  const vb = Math.pow(vh, 0.4996667741545416);
  let a0 = 1 + k / q + k * k;
  const shelf: Biquad = [
    (vh + (vb * k) / q + k * k) / a0,
    (2 * (k * k - vh)) / a0,
    (vh - (vb * k) / q + k * k) / a0,
    (2 * (k * k - 1)) / a0,
    (1 - k / q + k * k) / a0,
  ];
  // Stage 2: the RLB high pass.
  const f1 = 38.13547087602444;
  const q1 = 0.5003270373238773;
  k = Math.tan((Math.PI * f1) / sampleRate);
  a0 = 1 + k / q1 + k * k;
  const highPass: Biquad = [1, -2, 1, (2 * (k * k - 1)) / a0, (1 - k / q1 + k * k) / a0];
  return [shelf, highPass];
}

/** The channel weights of BS.1770 for a channel count (WAV/SMPTE order: L R C LFE Ls Rs ...). */
export function channelWeights(channels: number): number[] {
  if (channels === 6) return [1, 1, 1, 0, 1.41, 1.41];
  if (channels === 5) return [1, 1, 1, 1.41, 1.41];
  return Array.from({ length: channels }, () => 1);
}

/**
 * Two channels' K-weighted sums of squares between consecutive `bounds` (direct form II transposed, both
 * stages in one pass), and their sample peak. A plain function with the coefficients in locals, the two
 * channels' recurrences interleaved in one loop (independent chains, so the CPU overlaps them): inside a
 * closure reading the coefficient tuples per sample, one channel at a time, this pass cost more than the
 * MFCC of the same clip. `right` may be `left` (a mono pair; its sums are then ignored by the caller).
 */
function kWeightedStepSums(
  left: Float32Array,
  right: Float32Array,
  bounds: readonly number[],
  shelf: Biquad,
  highPass: Biquad,
): { left: Float64Array; right: Float64Array; peak: number } {
  const steps = bounds.length - 1;
  const outL = new Float64Array(steps);
  const outR = new Float64Array(steps);
  const b0 = shelf[0],
    b1 = shelf[1],
    b2 = shelf[2],
    a1 = shelf[3],
    a2 = shelf[4];
  const c0 = highPass[0],
    c1 = highPass[1],
    c2 = highPass[2],
    d1 = highPass[3],
    d2 = highPass[4];
  let s1 = 0,
    s2 = 0,
    t1 = 0,
    t2 = 0;
  let u1 = 0,
    u2 = 0,
    w1 = 0,
    w2 = 0;
  let peak = 0;
  for (let step = 0; step < steps; step++) {
    const to = bounds[step + 1] as number;
    let sumL = 0,
      sumR = 0;
    for (let i = bounds[step] as number; i < to; i++) {
      const v = left[i] as number;
      const r = right[i] as number;
      const y1 = b0 * v + s1;
      const z1 = b0 * r + u1;
      s1 = b1 * v - a1 * y1 + s2;
      u1 = b1 * r - a1 * z1 + u2;
      s2 = b2 * v - a2 * y1;
      u2 = b2 * r - a2 * z1;
      const y2 = c0 * y1 + t1;
      const z2 = c0 * z1 + w1;
      t1 = c1 * y1 - d1 * y2 + t2;
      w1 = c1 * z1 - d1 * z2 + w2;
      t2 = c2 * y1 - d2 * y2;
      w2 = c2 * z1 - d2 * z2;
      sumL += y2 * y2;
      sumR += z2 * z2;
      const m = v > r ? (v > -r ? v : -r) : r > -v ? r : -v; // max(|v|, |r|)
      if (m > peak) peak = m;
    }
    outL[step] = sumL;
    outR[step] = sumR;
  }
  return { left: outL, right: outR, peak };
}

/**
 * Sums of K-weighted squares per 100 ms step (4 steps = one 400 ms block, so blocks overlap by 75 %):
 * one Float64Array per channel.
 */
function stepEnergies(
  channels: readonly Float32Array[],
  sampleRate: number,
): { energies: Float64Array[]; stepLengths: number[]; peak: number } {
  const length = channels[0]?.length ?? 0;
  const steps = Math.floor((length * 10) / sampleRate);
  const bounds = Array.from({ length: steps + 1 }, (_, i) => Math.round((i * sampleRate) / 10));
  const [shelf, highPass] = kWeightingFilters(sampleRate);
  const energies: Float64Array[] = [];
  let peak = 0;
  for (let c = 0; c < channels.length; c += 2) {
    const left = channels[c] as Float32Array;
    const pair = kWeightedStepSums(left, channels[c + 1] ?? left, bounds, shelf, highPass);
    energies.push(pair.left);
    if (c + 1 < channels.length) energies.push(pair.right);
    peak = Math.max(peak, pair.peak);
  }
  return { energies, stepLengths: bounds.slice(1).map((b, i) => b - (bounds[i] as number)), peak };
}

const toLufs = (weightedMeanSquare: number) => -0.691 + 10 * Math.log10(weightedMeanSquare);

/** Integrated loudness and sample peak of PCM channels (every channel the same length) at `sampleRate`. */
export function integratedLoudness(channels: readonly Float32Array[], sampleRate: number): LoudnessMeasure {
  const seconds = (channels[0]?.length ?? 0) / sampleRate;
  const weights = channelWeights(channels.length);
  const { energies, stepLengths, peak } = stepEnergies(channels, sampleRate);
  // The filter pass saw the whole 100 ms steps; the peak covers the rest of the samples too.
  let samplePeak = peak;
  const measured = stepLengths.reduce((sum, n) => sum + n, 0);
  for (const x of channels) for (let i = measured; i < x.length; i++) samplePeak = Math.max(samplePeak, Math.abs(x[i] as number));
  const blocks = Math.max(0, stepLengths.length - 3);
  // Per block: the weighted sum of the channels' mean squares.
  const blockPower = new Float64Array(blocks);
  for (let b = 0; b < blocks; b++) {
    const samples =
      (stepLengths[b] as number) +
      (stepLengths[b + 1] as number) +
      (stepLengths[b + 2] as number) +
      (stepLengths[b + 3] as number);
    let power = 0;
    energies.forEach((e, c) => {
      power +=
        ((weights[c] ?? 1) * ((e[b] as number) + (e[b + 1] as number) + (e[b + 2] as number) + (e[b + 3] as number))) / samples;
    });
    blockPower[b] = power;
  }
  const meanOf = (keep: (power: number) => boolean): number | null => {
    let sum = 0,
      n = 0;
    for (const p of blockPower) {
      if (!keep(p)) continue;
      sum += p;
      n++;
    }
    return n > 0 ? sum / n : null;
  };
  const absolute = meanOf((p) => p > 0 && toLufs(p) > ABSOLUTE_GATE_LUFS);
  if (absolute === null) return { integratedLufs: null, samplePeak, seconds };
  const relativeGate = toLufs(absolute) + RELATIVE_GATE_LU;
  const gated = meanOf((p) => p > 0 && toLufs(p) > ABSOLUTE_GATE_LUFS && toLufs(p) > relativeGate);
  return { integratedLufs: gated === null ? null : toLufs(gated), samplePeak, seconds };
}
