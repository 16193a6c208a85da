import type { LevellingMode, TrackGain } from '../../../src-main/api/types.ts';

/** Loudness levelling: off, each track to the reference, or albums as a whole (their internal dynamics kept). */
export type { LevellingMode };

export interface LevellingSettings {
  mode: LevellingMode;
  /** dB added to every gain (ReplayGain's reference is −18 LUFS; a negative preamp leaves more headroom). */
  preampDb: number;
  /** Never raise a track so far that its peak would pass full scale. */
  preventClipping: boolean;
}

/**
 * The linear factor a player's gain stage applies to a track: 10^((gain + preamp) / 20), lowered to
 * 1 / peak where that would clip. Album mode falls back to the track gain where the album has none; a
 * track without any gain information plays unchanged (the preamp is for levelled tracks only).
 */
export function levellingFactor(gain: TrackGain, settings: LevellingSettings): number {
  if (settings.mode === 'off') return 1;
  const useAlbum = settings.mode === 'album' && gain.album !== null;
  const db = useAlbum ? gain.album : gain.track;
  if (db === null) return 1;
  const peak = useAlbum ? (gain.albumPeak ?? gain.trackPeak) : gain.trackPeak;
  const factor = Math.pow(10, (db + settings.preampDb) / 20);
  return settings.preventClipping && peak !== null && peak > 0 ? Math.min(factor, 1 / peak) : factor;
}
