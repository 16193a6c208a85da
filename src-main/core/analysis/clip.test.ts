import { describe, expect, it } from 'vitest';
import { CLIP_SAMPLES, SAMPLE_RATE } from './dsp/index.ts';
import { CLIP_SECONDS, clipStart, fillClip, silentShare, trimSilence } from './clip.ts';

function tone(seconds: number, amplitude = 0.5, hz = 440): Float32Array {
  const x = new Float32Array(Math.round(seconds * SAMPLE_RATE));
  for (let i = 0; i < x.length; i++) x[i] = amplitude * Math.sin((2 * Math.PI * hz * i) / SAMPLE_RATE);
  return x;
}

describe('clip selection', () => {
  it('takes 30 s from the middle, clamped to the track', () => {
    expect(clipStart(240)).toBe(105);
    expect(clipStart(240, 0.25)).toBe(45);
    expect(clipStart(240, 0.99)).toBe(240 - CLIP_SECONDS);
    expect(clipStart(31)).toBeCloseTo(0.5);
    expect(clipStart(20)).toBe(0);
    expect(clipStart(null)).toBe(0);
    expect(clipStart(Number.NaN)).toBe(0);
  });

  it('measures silence by blocks', () => {
    expect(silentShare(new Float32Array(SAMPLE_RATE))).toBe(1);
    expect(silentShare(tone(1))).toBe(0);
    const half = new Float32Array(2 * SAMPLE_RATE);
    half.set(tone(1), SAMPLE_RATE);
    expect(silentShare(half)).toBeCloseTo(0.5, 1);
  });

  it('trims silent ends only', () => {
    const x = new Float32Array(4 * SAMPLE_RATE);
    x.set(tone(2), SAMPLE_RATE);
    const trimmed = trimSilence(x);
    expect(trimmed.length).toBeGreaterThanOrEqual(2 * SAMPLE_RATE);
    expect(trimmed.length).toBeLessThanOrEqual(2 * SAMPLE_RATE + 2 * 2048);
    expect(silentShare(trimmed)).toBeLessThan(0.1);
  });

  it('fills a short track by looping its audio, never with silence, and refuses under 5 s', () => {
    const short = new Float32Array(12 * SAMPLE_RATE);
    short.set(tone(8), 2 * SAMPLE_RATE); // 2 s lead-in, 8 s of music, 2 s tail
    const filled = fillClip(short)!;
    expect(filled.length).toBe(CLIP_SAMPLES);
    expect(silentShare(filled)).toBeLessThan(0.05);
    expect(fillClip(tone(4))).toBeNull();
    const long = tone(31);
    expect(fillClip(long)!.length).toBe(CLIP_SAMPLES);
  });
});
