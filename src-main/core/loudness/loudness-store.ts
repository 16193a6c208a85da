/** Writes the loudness facts: gain tags (with a track's scan) and the measurement (with its analysis). */
import type { Database, Statement } from 'better-sqlite3';
import type { GainTags } from './gain-tags.ts';
import type { LoudnessMeasure } from './integrated-loudness.ts';

/** What the analysis measured on its clip. */
export interface ClipLoudness extends LoudnessMeasure {
  /** Where the measured audio starts in the track (seconds). */
  start: number;
}

/** Stores the gain tags of the track at `path` (called right after the scanner's upsert, same transaction). */
export function saveGainTags(db: Database, trackPath: string, tags: GainTags): void {
  let statement = gainTagStatements.get(db);
  if (!statement) {
    statement = db.prepare(
      'UPDATE tracks SET rg_track_gain = ?, rg_track_peak = ?, rg_album_gain = ?, rg_album_peak = ?, gain_tags_read = 1 WHERE path = ?',
    );
    gainTagStatements.set(db, statement);
  }
  statement.run(tags.trackGain, tags.trackPeak, tags.albumGain, tags.albumPeak, trackPath);
}

/** One prepared statement per connection (a scan writes one row per file). */
const gainTagStatements = new WeakMap<Database, Statement>();

export function saveMeasuredLoudness(db: Database, trackId: number, measured: ClipLoudness, now: number): void {
  db.prepare(
    `INSERT INTO track_loudness (track_id, integrated_lufs, sample_peak, measured_start, measured_seconds, measured_at)
     VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT(track_id) DO UPDATE SET integrated_lufs = excluded.integrated_lufs, sample_peak = excluded.sample_peak,
       measured_start = excluded.measured_start, measured_seconds = excluded.measured_seconds, measured_at = excluded.measured_at`,
  ).run(trackId, measured.integratedLufs, measured.samplePeak, measured.start, measured.seconds, now);
}
