// Test helper: a real library database with tracks inserted directly (no scan needed).
import type { Database } from 'better-sqlite3';
import { openLibraryDatabase } from '../db/open.ts';
import { registerTrackFunctions } from './track-query.ts';

export interface TestTrack {
  path: string;
  pathBytes?: Buffer | null;
  title?: string | null;
  artist?: string | null;
  album?: string | null;
  container?: string;
  codec?: string;
  duration?: number | null;
  year?: number | null;
  genres?: string[];
  available?: boolean;
}

export function openTestDb(dataDir: string): Database {
  const db = openLibraryDatabase(dataDir);
  registerTrackFunctions(db);
  db.prepare("INSERT OR IGNORE INTO library_roots (id, path, added_at) VALUES (1, '/', 0)").run();
  return db;
}

export function insertTracks(db: Database, tracks: readonly TestTrack[]): number[] {
  const insert = db.prepare(
    `INSERT INTO tracks (root_id, path, path_bytes, size, mtime_ms, duration, codec, container, title, artist, album, year, genres, available, added_at, updated_at)
     VALUES (1, @path, @pathBytes, 0, 0, @duration, @codec, @container, @title, @artist, @album, @year, @genres, @available, @added, 0)`,
  );
  return db.transaction(() =>
    tracks.map((t, i) =>
      Number(
        insert.run({
          path: t.path,
          pathBytes: t.pathBytes ?? null,
          duration: t.duration ?? null,
          codec: t.codec ?? 'MPEG 1 Layer 3',
          container: t.container ?? 'MPEG',
          title: t.title ?? null,
          artist: t.artist ?? null,
          album: t.album ?? null,
          year: t.year ?? null,
          genres: JSON.stringify(t.genres ?? []),
          available: t.available === false ? 0 : 1,
          added: i,
        }).lastInsertRowid,
      ),
    ),
  )();
}
