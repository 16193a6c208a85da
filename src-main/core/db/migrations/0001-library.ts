import type { Migration } from './types.ts';

/** The library: roots, tracks with their metadata, and per-file scan failures. */
export const migration0001: Migration = {
  version: 1,
  name: 'library',
  up(db) {
    db.exec(`
      CREATE TABLE library_roots (
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL UNIQUE,
        added_at INTEGER NOT NULL,
        last_scan_at INTEGER,
        available INTEGER NOT NULL DEFAULT 1 CHECK (available IN (0, 1))
      );

      CREATE TABLE tracks (
        id INTEGER PRIMARY KEY,
        root_id INTEGER NOT NULL REFERENCES library_roots(id) ON DELETE CASCADE,
        path TEXT NOT NULL UNIQUE,          -- NFC-normalised; lossy where the name is not UTF-8
        path_bytes BLOB,                    -- the raw path bytes, only where they are not valid UTF-8
        size INTEGER NOT NULL,
        mtime_ms INTEGER NOT NULL,
        dev INTEGER,                        -- device + inode let a rescan recognise a moved file
        ino INTEGER,
        duration REAL,
        codec TEXT,
        container TEXT,
        sample_rate INTEGER,
        channels INTEGER,
        bitrate REAL,
        title TEXT,
        artist TEXT,
        album TEXT,
        album_artist TEXT,
        track_no INTEGER,
        disc_no INTEGER,
        year INTEGER,
        genres TEXT NOT NULL DEFAULT '[]',  -- JSON list of strings
        moods TEXT NOT NULL DEFAULT '[]',   -- JSON list of strings
        tags TEXT NOT NULL DEFAULT '{}',    -- JSON object: other descriptive tags (style, grouping, ...)
        available INTEGER NOT NULL DEFAULT 1 CHECK (available IN (0, 1)),
        added_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX tracks_root ON tracks(root_id);
      CREATE INDEX tracks_artist_title ON tracks(artist, title);

      CREATE TABLE scan_failures (
        id INTEGER PRIMARY KEY,
        root_id INTEGER NOT NULL REFERENCES library_roots(id) ON DELETE CASCADE,
        path TEXT NOT NULL UNIQUE,
        path_bytes BLOB,
        size INTEGER,
        mtime_ms INTEGER,
        reason TEXT NOT NULL,
        failed_at INTEGER NOT NULL
      );
      CREATE INDEX scan_failures_root ON scan_failures(root_id);
    `);
  },
};
