/** The gain the player applies to a track: from its tags where it has them, else from the measured loudness. */
import type { TrackGain } from '../../api/types.ts';
import { REPLAYGAIN_REFERENCE_LUFS } from './gain-tags.ts';

/** The columns a track query selects for it (tracks' rg_* and track_loudness'). */
export interface GainColumns {
  rg_track_gain: number | null;
  rg_track_peak: number | null;
  rg_album_gain: number | null;
  rg_album_peak: number | null;
  integrated_lufs: number | null;
  sample_peak: number | null;
}

/** SQL: the join and the columns of {@link GainColumns} (tracks aliased `t`). */
export const GAIN_JOIN = 'LEFT JOIN track_loudness tl ON tl.track_id = t.id';
export const GAIN_COLUMNS =
  't.rg_track_gain, t.rg_track_peak, t.rg_album_gain, t.rg_album_peak, tl.integrated_lufs, tl.sample_peak';

export function trackGain(row: GainColumns): TrackGain {
  if (row.rg_track_gain !== null) {
    return {
      track: row.rg_track_gain,
      trackPeak: row.rg_track_peak,
      album: row.rg_album_gain,
      albumPeak: row.rg_album_peak,
      source: 'tags',
    };
  }
  const measured = row.integrated_lufs === null ? null : REPLAYGAIN_REFERENCE_LUFS - row.integrated_lufs;
  return {
    track: measured,
    // The measured peak is the clip's: a lower bound for the track's (the limiter still guards the rest).
    trackPeak: row.rg_track_peak ?? (measured === null ? null : row.sample_peak),
    album: row.rg_album_gain,
    albumPeak: row.rg_album_peak,
    source: measured === null ? null : 'measured',
  };
}
