import type { Migration } from './types.ts';

/**
 * The model inputs in a narrow table of their own (issue 12): the 311 clip descriptors of view 0 that
 * the default model reads, ~1.2 KB per song. In track_features they sit after the 30 KB MFCC blob,
 * so reading them walked the MFCC's overflow pages for every song. The analysis store writes this row
 * in the transaction that writes the features row; it goes with that row (ON DELETE CASCADE on
 * track_features, so also with the track). Backfilled here from every stored feature-version-2 row.
 */
export const migration0010: Migration = {
  version: 10,
  name: 'model-inputs',
  up(db) {
    db.exec(`
      CREATE TABLE track_model_inputs (
        track_id INTEGER PRIMARY KEY REFERENCES track_features(track_id) ON DELETE CASCADE,
        feature_version INTEGER NOT NULL,  -- of the track_features row it was written with
        clip_descriptors BLOB NOT NULL     -- float32 little-endian, CLIP_DESCRIPTOR_LENGTH values (view 0's clip statistics)
      );
      -- 311 float32 values = 1,244 bytes: the clip statistics at the start of view 0 of the descriptors blob
      -- (the layout of feature version 2, the only version with descriptors when this migration was written).
      INSERT INTO track_model_inputs (track_id, feature_version, clip_descriptors)
        SELECT track_id, feature_version, substr(descriptors, 1, 1244) FROM track_features
        WHERE descriptors IS NOT NULL AND length(descriptors) >= 1244
        ORDER BY track_id;
    `);
  },
};
