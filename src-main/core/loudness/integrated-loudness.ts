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
 * Sums of K-weighted squares per 100 ms step (4 steps = one 400 ms block, so blocks overlap by 75 %):
 * one Float64Array per channel.
 */
function stepEnergies(
  channels: readonly Float32Array[],
  sampleRate: number,
): { energies: Float64Array[]; stepLengths: number[] } {
  const length = channels[0]?.length ?? 0;
  const steps = Math.floor((length * 10) / sampleRate);
  const bounds = Array.from({ length: steps + 1 }, (_, i) => Math.round((i * sampleRate) / 10));
  const [shelf, highPass] = kWeightingFilters(sampleRate);
  const energies = channels.map((x) => {
    const out = new Float64Array(steps);
    // Direct form II transposed, both stages in one pass.
    let s1 = 0,
      s2 = 0,
      t1 = 0,
      t2 = 0;
    let step = 0;
    let next = bounds[1] ?? Infinity;
    let sum = 0;
    const end = bounds[steps] ?? 0;
    for (let i = 0; i < end; i++) {
      const v = x[i] as number;
      const y1 = shelf[0] * v + s1;
      s1 = shelf[1] * v - shelf[3] * y1 + s2;
      s2 = shelf[2] * v - shelf[4] * y1;
      const y2 = highPass[0] * y1 + t1;
      t1 = highPass[1] * y1 - highPass[3] * y2 + t2;
      t2 = highPass[2] * y1 - highPass[4] * y2;
      sum += y2 * y2;
      if (i + 1 === next) {
        out[step++] = sum;
        sum = 0;
        next = bounds[step + 1] ?? Infinity;
      }
    }
    return out;
  });
  return { energies, stepLengths: bounds.slice(1).map((b, i) => b - (bounds[i] as number)) };
}

const toLufs = (weightedMeanSquare: number) => -0.691 + 10 * Math.log10(weightedMeanSquare);

/** Integrated loudness and sample peak of PCM channels (every channel the same length) at `sampleRate`. */
export function integratedLoudness(channels: readonly Float32Array[], sampleRate: number): LoudnessMeasure {
  let samplePeak = 0;
  for (const x of channels) for (let i = 0; i < x.length; i++) samplePeak = Math.max(samplePeak, Math.abs(x[i] as number));
  const seconds = (channels[0]?.length ?? 0) / sampleRate;
  const weights = channelWeights(channels.length);
  const { energies, stepLengths } = stepEnergies(channels, sampleRate);
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
