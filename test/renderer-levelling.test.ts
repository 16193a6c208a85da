// The renderer's levelling arithmetic (what a gain stage applies for a track's stored gain).
import { describe, expect, it } from 'vitest';
import type { TrackGain } from '../src-main/api/types.ts';
import { levellingFactor, type LevellingSettings } from '../src-renderer/src/lib/levelling.ts';

const tagged: TrackGain = { track: -6, trackPeak: 0.5, album: -8, albumPeak: 0.9, source: 'tags' };
const quiet: TrackGain = { track: 9, trackPeak: 0.5, album: null, albumPeak: null, source: 'measured' };
const unknown: TrackGain = { track: null, trackPeak: null, album: null, albumPeak: null, source: null };
const settings = (mode: LevellingSettings['mode'], preampDb = 0, preventClipping = true): LevellingSettings => ({
  mode,
  preampDb,
  preventClipping,
});
const db = (factor: number) => 20 * Math.log10(factor);

describe('levellingFactor', () => {
  it('applies the track or the album gain, plus the preamp; off and unknown tracks stay at unity', () => {
    expect(db(levellingFactor(tagged, settings('track')))).toBeCloseTo(-6, 9);
    expect(db(levellingFactor(tagged, settings('album')))).toBeCloseTo(-8, 9);
    expect(db(levellingFactor(tagged, settings('track', -3)))).toBeCloseTo(-9, 9);
    expect(levellingFactor(tagged, settings('off', -3))).toBe(1);
    expect(levellingFactor(unknown, settings('album', 6))).toBe(1);
    // Album mode without an album gain uses the track's.
    expect(db(levellingFactor({ ...quiet, trackPeak: 0.1 }, settings('album')))).toBeCloseTo(9, 9);
  });

  it('limits a boost so the peak stays at or below full scale, unless told not to', () => {
    // +9 dB on a 0.5 peak would reach 1.41: held at 1 / 0.5 = +6.02 dB.
    expect(levellingFactor(quiet, settings('track'))).toBeCloseTo(2, 9);
    expect(db(levellingFactor(quiet, settings('track', 0, false)))).toBeCloseTo(9, 9);
    // The album peak guards album mode.
    expect(levellingFactor({ ...tagged, album: 3 }, settings('album'))).toBeCloseTo(1 / 0.9, 9);
  });
});
