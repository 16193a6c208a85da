/** The gain the player applies to a track: from its tags where it has them, else from the measured loudness. */
import type { Database } from 'better-sqlite3';
import type { TrackGain } from '../../api/types.ts';
import { REPLAYGAIN_REFERENCE_LUFS } from './gain-tags.ts';

/** The columns a track query selects for it (tracks' rg_* and track_loudness'), besides album and artists. */
export interface GainColumns {
  album: string | null;
  album_artist: string | null;
  artist: string | null;
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

interface AlbumMeasure {
  lufs: number;
  peak: number;
}

/** An album is its title and album artist (the artist where it has none). */
const albumKey = (album: string, who: string) => JSON.stringify([album, who]);
const ALBUMS_PER_QUERY = 200;

/**
 * The measured loudness of the albums of these rows: their measured tracks' loudness energy-averaged by
 * measured seconds, and their highest peak. Asked only for the rows of one window (never per library).
 */
function albumMeasures(db: Database, rows: readonly GainColumns[]): Map<string, AlbumMeasure> {
  const titles = [...new Set(rows.flatMap((r) => (r.album === null || r.rg_album_gain !== null ? [] : [r.album])))];
  const out = new Map<string, AlbumMeasure>();
  for (let i = 0; i < titles.length; i += ALBUMS_PER_QUERY) {
    const chunk = titles.slice(i, i + ALBUMS_PER_QUERY);
    const found = db
      .prepare(
        `SELECT a.album, COALESCE(a.album_artist, a.artist, '') AS who,
           10 * log10(SUM(power(10, l.integrated_lufs / 10) * l.measured_seconds) / SUM(l.measured_seconds)) AS lufs,
           MAX(l.sample_peak) AS peak
         FROM tracks a JOIN track_loudness l ON l.track_id = a.id
         WHERE a.album IN (${chunk.map(() => '?').join(', ')}) AND l.integrated_lufs IS NOT NULL
         GROUP BY a.album, who`,
      )
      .all(...chunk) as { album: string; who: string; lufs: number; peak: number }[];
    for (const f of found) out.set(albumKey(f.album, f.who), { lufs: f.lufs, peak: f.peak });
  }
  return out;
}

/** The gains of a window of rows, in order. */
export function trackGains(db: Database, rows: readonly GainColumns[]): TrackGain[] {
  const albums = albumMeasures(db, rows);
  return rows.map((row) => {
    const measuredAlbum = row.album === null ? undefined : albums.get(albumKey(row.album, row.album_artist ?? row.artist ?? ''));
    return trackGain(row, measuredAlbum ?? null);
  });
}

/** One row's gain: tags where it has them, else the measurement (its own; its album's). */
export function trackGain(row: GainColumns, measuredAlbum: AlbumMeasure | null): TrackGain {
  const album = row.rg_album_gain ?? (measuredAlbum ? REPLAYGAIN_REFERENCE_LUFS - measuredAlbum.lufs : null);
  const albumPeak = row.rg_album_gain !== null ? row.rg_album_peak : (measuredAlbum?.peak ?? null);
  if (row.rg_track_gain !== null) {
    return { track: row.rg_track_gain, trackPeak: row.rg_track_peak, album, albumPeak, source: 'tags' };
  }
  const measured = row.integrated_lufs === null ? null : REPLAYGAIN_REFERENCE_LUFS - row.integrated_lufs;
  return {
    track: measured,
    // The measured peak is the clip's: a lower bound for the track's (the limiter still guards the rest).
    trackPeak: row.rg_track_peak ?? (measured === null ? null : row.sample_peak),
    album,
    albumPeak,
    source: measured === null ? null : 'measured',
  };
}
