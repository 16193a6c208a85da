import type { Migration } from './types.ts';

/**
 * Trained models (the triplet network and its baselines) and every song's embedding under each.
 * The weights live in files under `<data dir>/models/` (see docs/model.md); a row here holds the
 * metadata and the file's name. At most one model is active.
 */
export const migration0004: Migration = {
  version: 4,
  name: 'models',
  up(db) {
    db.exec(`
      CREATE TABLE models (
        id INTEGER PRIMARY KEY,
        objective TEXT NOT NULL,            -- 'triplet' | 'twonet'
        definition TEXT NOT NULL,           -- model definition name ('paper')
        file TEXT NOT NULL,                 -- weights file, relative to the data directory
        feature_version INTEGER NOT NULL,
        topic_fingerprint TEXT NOT NULL,    -- topic-model version it was trained on
        embedding_dim INTEGER NOT NULL,
        val_accuracy REAL,                  -- pairwise accuracy on the validation triplets
        backend TEXT NOT NULL,
        device TEXT NOT NULL,
        seed INTEGER NOT NULL,
        metadata TEXT NOT NULL,             -- JSON: config (hidden sizes), options, metrics, history
        created_at INTEGER NOT NULL,
        active INTEGER NOT NULL DEFAULT 0 CHECK (active IN (0, 1))
      );
      CREATE UNIQUE INDEX models_one_active ON models(active) WHERE active = 1;

      CREATE TABLE track_embeddings (
        track_id INTEGER NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,
        model_id INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
        embedding BLOB NOT NULL,            -- float32 little-endian × embedding_dim
        feature_version INTEGER NOT NULL,   -- the features it was computed from
        PRIMARY KEY (track_id, model_id)
      ) WITHOUT ROWID;
      CREATE INDEX track_embeddings_model ON track_embeddings(model_id);
    `);
  },
};
