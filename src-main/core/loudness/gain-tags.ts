/**
 * ReplayGain and R128 gain tags, as the scanner reads them: gains in dB to the ReplayGain 2 reference
 * (−18 LUFS), peaks linear. Opus' R128_TRACK_GAIN / R128_ALBUM_GAIN (Q7.8 dB to −23 LUFS) are converted
 * (+5 dB) where no ReplayGain tag is present.
 */
import type { IAudioMetadata } from 'music-metadata';

export interface GainTags {
  trackGain: number | null;
  trackPeak: number | null;
  albumGain: number | null;
  albumPeak: number | null;
}

/** ReplayGain 2's reference loudness: a gain of 0 dB plays a track at −18 LUFS. */
export const REPLAYGAIN_REFERENCE_LUFS = -18;
/** R128 gains are relative to −23 LUFS, 5 dB below ReplayGain's reference. */
const R128_TO_REPLAYGAIN_DB = 5;
/** Gains outside this range are not levelling information (a broken tag). */
const MAX_ABS_GAIN_DB = 60;

const gainOrNull = (db: number | undefined | null): number | null =>
  typeof db === 'number' && Number.isFinite(db) && Math.abs(db) <= MAX_ABS_GAIN_DB ? db : null;
const peakOrNull = (ratio: number | undefined | null): number | null =>
  typeof ratio === 'number' && Number.isFinite(ratio) && ratio > 0 && ratio < 100 ? ratio : null;

function r128Gain(meta: IAudioMetadata, id: 'R128_TRACK_GAIN' | 'R128_ALBUM_GAIN'): number | null {
  for (const tags of Object.values(meta.native)) {
    const tag = tags.find((t) => t.id.toUpperCase() === id);
    if (!tag) continue;
    const q78 = Number.parseInt(String(tag.value), 10);
    if (Number.isFinite(q78)) return gainOrNull(q78 / 256 + R128_TO_REPLAYGAIN_DB);
  }
  return null;
}

export function gainTagsOf(meta: IAudioMetadata): GainTags {
  const { common } = meta;
  return {
    trackGain: gainOrNull(common.replaygain_track_gain?.dB) ?? r128Gain(meta, 'R128_TRACK_GAIN'),
    trackPeak: peakOrNull(common.replaygain_track_peak?.ratio),
    albumGain: gainOrNull(common.replaygain_album_gain?.dB) ?? r128Gain(meta, 'R128_ALBUM_GAIN'),
    albumPeak: peakOrNull(common.replaygain_album_peak?.ratio),
  };
}

/** No tags at all. */
export const NO_GAIN_TAGS: GainTags = { trackGain: null, trackPeak: null, albumGain: null, albumPeak: null };
