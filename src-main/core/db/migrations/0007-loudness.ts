import type { Migration } from './types.ts';

/**
 * Loudness levelling (issue 14): ReplayGain / R128 gain tags read at scan, and the integrated loudness
 * (BS.1770-4) measured during analysis for tracks without them. Tracks scanned before this version have
 * gain_tags_read = 0, so the next scan reads their tags once more although the files did not change.
 */
export const migration0007: Migration = {
  version: 7,
  name: 'loudness',
  up(db) {
    db.exec(`
      -- dB to the ReplayGain 2 reference (−18 LUFS; R128 tags are converted), peaks linear (1 = full scale).
      ALTER TABLE tracks ADD COLUMN rg_track_gain REAL;
      ALTER TABLE tracks ADD COLUMN rg_track_peak REAL;
      ALTER TABLE tracks ADD COLUMN rg_album_gain REAL;
      ALTER TABLE tracks ADD COLUMN rg_album_peak REAL;
      ALTER TABLE tracks ADD COLUMN gain_tags_read INTEGER NOT NULL DEFAULT 0 CHECK (gain_tags_read IN (0, 1));

      -- Measured on the analysed clip (measured_start, measured_seconds), replaced when the track is analysed again.
      CREATE TABLE track_loudness (
        track_id INTEGER PRIMARY KEY REFERENCES tracks(id) ON DELETE CASCADE,
        integrated_lufs REAL,               -- NULL: every block gated out (silence)
        sample_peak REAL NOT NULL,
        measured_start REAL NOT NULL,
        measured_seconds REAL NOT NULL,
        measured_at INTEGER NOT NULL
      );
      -- An album's measured gain is gathered from its tracks' rows when a track row is read.
      CREATE INDEX tracks_album_for_gain ON tracks(album);
    `);
  },
};
