import type { Migration } from './types.ts';

/**
 * The listener's feedback (plays, completions, skips, likes, dislikes, each with the topic selection in
 * force), saved playlists, and a log of model activations (so `cadenza model rollback` knows which
 * model was active before). See docs/recommend.md.
 */
export const migration0005: Migration = {
  version: 5,
  name: 'feedback',
  up(db) {
    db.exec(`
      CREATE TABLE feedback_events (
        id INTEGER PRIMARY KEY,
        track_id INTEGER NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('play', 'complete', 'skip', 'like', 'dislike')),
        position REAL,                      -- seconds into the track (skip, complete)
        topics TEXT NOT NULL DEFAULT '[]',  -- JSON: the 1-based topic ids selected at the time
        model_id INTEGER REFERENCES models(id) ON DELETE SET NULL,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX feedback_events_track ON feedback_events(track_id, created_at);
      CREATE INDEX feedback_events_kind ON feedback_events(kind, created_at);

      CREATE TABLE playlists (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE playlist_tracks (
        playlist_id INTEGER NOT NULL REFERENCES playlists(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        track_id INTEGER NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,
        PRIMARY KEY (playlist_id, position)
      ) WITHOUT ROWID;

      CREATE TABLE model_activations (
        id INTEGER PRIMARY KEY,
        model_id INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
        activated_at INTEGER NOT NULL
      );
      INSERT INTO model_activations (model_id, activated_at) SELECT id, created_at FROM models WHERE active = 1;
    `);
  },
};
