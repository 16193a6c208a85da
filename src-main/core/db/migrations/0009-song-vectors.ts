import type { Migration } from './types.ts';

/**
 * Per-song vectors of the unlearned song metric (issue 17; docs/recommend.md#song-metric): derived
 * from the stored MFCC matrix once, so "more like this" reads a few hundred floats per song instead of
 * 7,560. Filled on first use and whenever the features or the vector layout change.
 */
export const migration0009: Migration = {
  version: 9,
  name: 'song-vectors',
  up(db) {
    db.exec(`
      CREATE TABLE track_song_vectors (
        track_id INTEGER PRIMARY KEY REFERENCES tracks(id) ON DELETE CASCADE,
        feature_version INTEGER NOT NULL,  -- of the track_features row it was computed from
        layout_version INTEGER NOT NULL,   -- SONG_VECTOR_VERSION (song-vectors.ts)
        vector BLOB NOT NULL,              -- float32 little-endian, SONG_VECTOR_LENGTH values
        computed_at INTEGER NOT NULL
      );
    `);
  },
};
