import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLIP_SAMPLES, N_FRAMES, N_MFCC, SAMPLE_RATE, SEGMENTS } from './constants.ts';
import {
  CLIP_DESCRIPTOR_LENGTH,
  CLIP_DESCRIPTOR_NAMES,
  DESCRIPTOR_DIMS,
  DESCRIPTOR_VERSION,
  N_DIMS,
  SEGMENT_DESCRIPTOR_LENGTH,
  SEGMENT_DESCRIPTOR_NAMES,
  SEGMENTS_DESCRIPTOR_LENGTH,
  describeClip,
  estimateTempo,
  frameDescriptors,
  summarize,
} from './descriptors.ts';
import { mfcc, newMfccSpectra } from './mfcc.ts';
import { clicks, noise, REFERENCE_SIGNALS, sine, twoTone } from './test-signals.ts';

interface SignalRef {
  frameValues: number[];
  clip: number[];
  tempo: number;
  segments?: number[];
}
interface DescriptorRef {
  dims: string[];
  frames: number[];
  signals: Record<string, SignalRef>;
}

function loadRef(): DescriptorRef {
  const text = readFileSync(new URL('./references/descriptors.json', import.meta.url), 'utf8');
  const ref = JSON.parse(text) as DescriptorRef;
  if (!Array.isArray(ref.frames) || typeof ref.signals !== 'object') throw new Error('bad reference file');
  return ref;
}

/** Largest |got − ref| / max(1, |ref|). */
function maxRelError(got: ArrayLike<number>, ref: ArrayLike<number>): number {
  expect(got.length).toBe(ref.length);
  let m = 0;
  for (let i = 0; i < ref.length; i++) {
    const r = ref[i] ?? NaN;
    m = Math.max(m, Math.abs((got[i] ?? NaN) - r) / Math.max(1, Math.abs(r)));
  }
  return m;
}

const dim = (name: string): number => DESCRIPTOR_DIMS.indexOf(name);
const col = (frames: Float32Array, name: string): Float32Array =>
  Float32Array.from({ length: N_FRAMES }, (_, t) => frames[t * N_DIMS + dim(name)] ?? NaN);
const median = (v: Float32Array): number => {
  const s = Float64Array.from(v).sort();
  return s[s.length >> 1] ?? NaN;
};

describe('layout', () => {
  it('has stable, unique names', () => {
    expect(DESCRIPTOR_VERSION).toBe(1);
    expect(N_DIMS).toBe(62);
    expect(CLIP_DESCRIPTOR_LENGTH).toBe(311);
    expect(SEGMENT_DESCRIPTOR_LENGTH).toBe(124);
    expect(SEGMENTS_DESCRIPTOR_LENGTH).toBe(SEGMENTS * 124);
    expect(new Set(CLIP_DESCRIPTOR_NAMES).size).toBe(CLIP_DESCRIPTOR_LENGTH);
    expect(new Set(SEGMENT_DESCRIPTOR_NAMES).size).toBe(SEGMENT_DESCRIPTOR_LENGTH);
    expect(CLIP_DESCRIPTOR_NAMES[0]).toBe('mfcc0.mean');
    expect(CLIP_DESCRIPTOR_NAMES[dim('centroid') * 5]).toBe('centroid.mean');
    expect(CLIP_DESCRIPTOR_NAMES[dim('chroma3') * 5 + 4]).toBe('chroma3.p90');
    expect(CLIP_DESCRIPTOR_NAMES[CLIP_DESCRIPTOR_LENGTH - 1]).toBe('tempo');
    expect(SEGMENT_DESCRIPTOR_NAMES[dim('rms') * 2 + 1]).toBe('rms.std');
  });

  it('summary statistics are laid out as documented', () => {
    const frames = new Float32Array(N_FRAMES * N_DIMS);
    for (let t = 0; t < N_FRAMES; t++) for (let d = 0; d < N_DIMS; d++) frames[t * N_DIMS + d] = d === 5 ? t : d;
    const s = summarize({ mfcc: new Float32Array(N_FRAMES * N_MFCC), frames, tempo: 97 });
    expect(s.clip.length).toBe(CLIP_DESCRIPTOR_LENGTH);
    expect(s.names).toEqual(CLIP_DESCRIPTOR_NAMES);
    // dim 5 holds 0..419: mean 209.5, population std, numpy-linear percentiles
    expect(s.clip[25]).toBeCloseTo(209.5, 4);
    expect(s.clip[26]).toBeCloseTo(Math.sqrt((N_FRAMES * N_FRAMES - 1) / 12), 3);
    expect(s.clip[27]).toBeCloseTo(41.9, 4);
    expect(s.clip[28]).toBeCloseTo(209.5, 4);
    expect(s.clip[29]).toBeCloseTo(377.1, 3);
    expect(s.clip[7 * 5 + 1]).toBe(0); // constant dim: std 0
    expect(s.clip[7 * 5 + 3]).toBe(7);
    expect(s.clip[CLIP_DESCRIPTOR_LENGTH - 1]).toBe(97);
    // segment 3, dim 5: frames 63..83 → mean 73, std sqrt((21²−1)/12)
    expect(s.segments[3 * 124 + 10]).toBeCloseTo(73, 4);
    expect(s.segments[3 * 124 + 11]).toBeCloseTo(Math.sqrt(440 / 12), 4);
    expect(() => summarize({ mfcc: new Float32Array(0), frames: new Float32Array(5), tempo: 0 })).toThrow(RangeError);
  });
});

// Reference: scripts/descriptor-references.py (torch/torchaudio + numpy, float64, on the same float32
// samples), stored to 6 significant digits. Tolerance: |error| ≤ 1e-4 · max(1, |ref|) for every frame
// value, clip statistic and segment statistic (measured ≤ 9.2e-6: the rounding plus float32 output).
describe('descriptors match the independent reference', () => {
  const ref = loadRef();
  const signals = REFERENCE_SIGNALS;
  it('covers the same dimensions and signals', () => {
    expect(ref.dims).toEqual(DESCRIPTOR_DIMS);
    expect(Object.keys(ref.signals).sort()).toEqual(Object.keys(signals).sort());
  });
  for (const [name, make] of Object.entries(signals)) {
    it(name, () => {
      const r = ref.signals[name];
      if (!r) throw new Error(`no reference for ${name}`);
      const x = make();
      const fd = frameDescriptors(x);
      const picked = ref.frames.flatMap((t) => Array.from(fd.frames.subarray(t * N_DIMS, (t + 1) * N_DIMS)));
      expect(maxRelError(picked, r.frameValues)).toBeLessThan(1e-4);
      const s = summarize(fd);
      expect(maxRelError(s.clip, r.clip)).toBeLessThan(1e-4);
      if (r.segments) expect(maxRelError(s.segments, r.segments)).toBeLessThan(1e-4);
      expect(Math.abs(fd.tempo - r.tempo)).toBeLessThan(1e-2);
    });
  }
});

describe('shared pass', () => {
  it('computes exactly the MFCCs of mfcc(), and accepts precomputed ones', () => {
    const x = noise(CLIP_SAMPLES, 99);
    const own = mfcc(x);
    const fd = frameDescriptors(x);
    expect(fd.mfcc).toEqual(own);
    const given = describeClip(x, { mfcc: own });
    expect(given.clip).toEqual(describeClip(x).clip);
    expect(() => frameDescriptors(x, { mfcc: new Float32Array(3) })).toThrow(RangeError);
  });

  it('reuses the spectra kept by mfcc() (no second STFT) with exactly the same results', () => {
    for (const x of [noise(CLIP_SAMPLES, 7), twoTone(1000, SAMPLE_RATE), clicks(CLIP_SAMPLES, 11025)]) {
      const spectra = newMfccSpectra();
      const cc = mfcc(x, { spectra });
      expect(cc).toEqual(mfcc(x));
      const reused = describeClip(x, { mfcc: cc, spectra });
      const own = describeClip(x);
      expect(reused.clip).toEqual(own.clip);
      expect(reused.segments).toEqual(own.segments);
    }
    const bad = { power: new Float64Array(4), melDb: new Float64Array(4) };
    expect(() => frameDescriptors(noise(CLIP_SAMPLES, 7), { spectra: bad })).toThrow(RangeError);
    expect(() => mfcc(noise(CLIP_SAMPLES, 7), { spectra: bad })).toThrow(RangeError);
  });

  it('short, long and non-finite inputs follow the MFCC clip rules', () => {
    const short = twoTone(1000, SAMPLE_RATE);
    const padded = new Float32Array(CLIP_SAMPLES);
    padded.set(short);
    expect(describeClip(short).clip).toEqual(describeClip(padded).clip);
    const long = noise(CLIP_SAMPLES + 777, 5);
    expect(describeClip(long).segments).toEqual(describeClip(long.subarray(0, CLIP_SAMPLES)).segments);
    const dirty = twoTone(CLIP_SAMPLES, SAMPLE_RATE);
    const clean = dirty.slice();
    for (const i of [0, 17, 300_000]) clean[i] = 0;
    dirty[0] = NaN;
    dirty[17] = Infinity;
    dirty[300_000] = -Infinity;
    const d = describeClip(dirty);
    expect(d.clip.every((v) => Number.isFinite(v))).toBe(true);
    expect(d.clip).toEqual(describeClip(clean).clip);
  });
});

describe('properties', () => {
  it("a pure tone's centroid and roll-off sit at its frequency", () => {
    for (const f of [500, 1000, 3000]) {
      const { frames } = frameDescriptors(sine(CLIP_SAMPLES, SAMPLE_RATE, f, 0.5));
      expect(Math.abs(median(col(frames, 'centroid')) - f)).toBeLessThan(0.02 * f);
      expect(Math.abs(median(col(frames, 'rolloff')) - f)).toBeLessThan(25);
      expect(median(col(frames, 'flatness'))).toBeLessThan(1e-3);
      expect(median(col(frames, 'rms'))).toBeCloseTo(0.5 / Math.SQRT2, 3);
    }
  });

  it('white noise is flat, broad and crosses zero about every other sample', () => {
    const { frames } = frameDescriptors(noise(CLIP_SAMPLES, 4242));
    expect(median(col(frames, 'flatness'))).toBeGreaterThan(0.4);
    expect(Math.abs(median(col(frames, 'centroid')) - 5512.5)).toBeLessThan(150);
    expect(Math.abs(median(col(frames, 'zcr')) - 0.5)).toBeLessThan(0.03);
  });

  it('chroma peaks at the pitch class of a tone', () => {
    // C4 = 261.63 Hz → 0, A4 = 440 Hz → 9, E5 = 659.26 Hz → 4, F#3 = 185 Hz → 6
    for (const [f, pc] of [
      [261.63, 0],
      [440, 9],
      [659.26, 4],
      [185, 6],
    ] as const) {
      const { frames } = frameDescriptors(sine(CLIP_SAMPLES, SAMPLE_RATE, f, 0.3));
      const t = 200;
      const row = Array.from(frames.subarray(t * N_DIMS + dim('chroma0'), t * N_DIMS + dim('chroma0') + 12));
      expect(row.indexOf(Math.max(...row))).toBe(pc);
      expect(row[pc]).toBe(1);
    }
  });

  it('a click train gives its tempo; the onset envelope fires on the clicks', () => {
    for (const bpm of [120, 100, 90]) {
      const period = Math.round((60 * SAMPLE_RATE) / bpm);
      const fd = frameDescriptors(clicks(CLIP_SAMPLES, period));
      expect(Math.abs(fd.tempo - bpm)).toBeLessThan(1.5);
    }
    const { frames } = frameDescriptors(clicks(CLIP_SAMPLES, 11025));
    const onset = col(frames, 'onset');
    expect(Math.max(...onset)).toBeGreaterThan(10);
    expect(median(onset)).toBeLessThan(1);
  });

  it('estimateTempo prefers the prior among octave-related periods and returns 0 without onsets', () => {
    const fps = SAMPLE_RATE / 512;
    const env = new Float64Array(1292);
    for (let t = 0; t < env.length; t += 20) env[t] = 1; // 129.2 BPM pulse
    expect(Math.abs(estimateTempo(env, fps) - (60 * fps) / 20)).toBeLessThan(1);
    expect(estimateTempo(new Float64Array(1292), fps)).toBe(0);
  });

  it('silence gives finite, documented values', () => {
    const { frames, tempo } = frameDescriptors(new Float32Array(CLIP_SAMPLES));
    expect(frames.every((v) => Number.isFinite(v))).toBe(true);
    expect(tempo).toBe(0);
    for (const [name, v] of [
      ['centroid', 0],
      ['bandwidth', 0],
      ['rolloff', 0],
      ['flatness', 1],
      ['contrast3', 0],
      ['chroma5', 0],
      ['rms', 0],
      ['zcr', 0],
      ['onset', 0],
      ['dmfcc0', 0],
    ] as const) {
      expect(median(col(frames, name))).toBeCloseTo(v, 6);
    }
    const s = describeClip(new Float32Array(0));
    expect(s.clip.every((v) => Number.isFinite(v)) && s.segments.every((v) => Number.isFinite(v))).toBe(true);
  });
});
