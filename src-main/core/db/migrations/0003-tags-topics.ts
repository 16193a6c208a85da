import type { Migration } from './types.ts';

/**
 * Tags the user added or imported, and the fitted LDA topic model with every tagged track's topics.
 * File tags (genres, moods, styles…) stay in `tracks` and are read on the fly; the rows here are never
 * touched by a rescan. See docs/topics.md.
 */
export const migration0003: Migration = {
  version: 3,
  name: 'tags-topics',
  up(db) {
    db.exec(`
      CREATE TABLE track_tags (
        id INTEGER PRIMARY KEY,
        track_id INTEGER NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,
        tag TEXT NOT NULL,                  -- canonical (normalizeTag) form
        raw TEXT NOT NULL,                  -- as the user or the import file wrote it
        -- 'user': added with \`tag add\`; 'import': from \`tags import\`;
        -- 'user-removed': \`tag remove\` of a tag that the file or an import still carries (hides it)
        source TEXT NOT NULL CHECK (source IN ('user', 'import', 'user-removed')),
        added_at INTEGER NOT NULL,
        UNIQUE (track_id, tag, source)
      );
      CREATE INDEX track_tags_tag ON track_tags(tag);

      CREATE TABLE topic_models (
        id INTEGER PRIMARY KEY,
        fingerprint TEXT NOT NULL,          -- topicModelFingerprint: the topic-model version
        k INTEGER NOT NULL CHECK (k >= 1),
        seed INTEGER NOT NULL,
        alpha REAL NOT NULL,
        beta REAL NOT NULL,
        sweeps INTEGER NOT NULL,
        min_doc_freq INTEGER NOT NULL,
        vocab TEXT NOT NULL,                -- JSON list of tags, index = tag id
        topic_word BLOB NOT NULL,           -- float32 little-endian, k × vocab (row-major φ)
        topic_share BLOB NOT NULL,          -- float32 little-endian × k: share of tag tokens per topic
        labels TEXT NOT NULL,               -- JSON list of k labels
        top_tags TEXT NOT NULL,             -- JSON: k lists of {tag, weight}
        num_docs INTEGER NOT NULL,
        num_tokens INTEGER NOT NULL,
        log_likelihood REAL,
        created_at INTEGER NOT NULL,
        active INTEGER NOT NULL DEFAULT 0 CHECK (active IN (0, 1))
      );
      CREATE UNIQUE INDEX topic_models_one_active ON topic_models(active) WHERE active = 1;

      CREATE TABLE track_topics (
        track_id INTEGER NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,
        model_id INTEGER NOT NULL REFERENCES topic_models(id) ON DELETE CASCADE,
        theta BLOB NOT NULL,                -- float32 little-endian × k
        topic_set TEXT NOT NULL,            -- JSON list of 1-based topic ids, most probable first
        dominant INTEGER NOT NULL CHECK (dominant >= 1),
        PRIMARY KEY (track_id, model_id)
      ) WITHOUT ROWID;
      CREATE INDEX track_topics_model ON track_topics(model_id);
    `);
  },
};
