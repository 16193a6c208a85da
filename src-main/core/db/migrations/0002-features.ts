import type { Migration } from './types.ts';

/** Audio features per track (the analysis job's output) and per-track analysis failures. */
export const migration0002: Migration = {
  version: 2,
  name: 'features',
  up(db) {
    db.exec(`
      CREATE TABLE track_features (
        track_id INTEGER PRIMARY KEY REFERENCES tracks(id) ON DELETE CASCADE,
        feature_version INTEGER NOT NULL,
        features BLOB NOT NULL,             -- float32 little-endian, 20 × 378 (segment-major)
        -- The file as it was analysed: a changed file (new size or mtime) is analysed again.
        source_size INTEGER NOT NULL,
        source_mtime_ms INTEGER NOT NULL,
        clip_start REAL NOT NULL,           -- seconds into the track
        clip_seconds REAL NOT NULL,         -- audio actually used (a short track is looped to fill 30 s)
        decoder TEXT NOT NULL,
        analysed_at INTEGER NOT NULL
      );
      CREATE INDEX track_features_version ON track_features(feature_version);

      CREATE TABLE analysis_failures (
        track_id INTEGER PRIMARY KEY REFERENCES tracks(id) ON DELETE CASCADE,
        feature_version INTEGER NOT NULL,
        source_size INTEGER NOT NULL,
        source_mtime_ms INTEGER NOT NULL,
        code TEXT NOT NULL,                 -- no-decoder | corrupt | unreadable | too-short | silent | error
        reason TEXT NOT NULL,
        failed_at INTEGER NOT NULL
      );
    `);
  },
};
