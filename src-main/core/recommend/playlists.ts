/** Saved playlists (migration 0005): an ordered list of track ids under a unique name. */
import type { Database } from 'better-sqlite3';

export interface PlaylistTrack {
  id: number;
  path: string;
  artist: string | null;
  title: string | null;
  duration: number | null;
}

export interface Playlist {
  id: number;
  name: string;
  createdAt: number;
  updatedAt: number;
  tracks: PlaylistTrack[];
}

/** Creates or replaces the playlist `name` with the tracks in order. */
export function savePlaylist(db: Database, name: string, trackIds: readonly number[], now = Date.now()): Playlist {
  const clean = name.trim();
  if (clean === '') throw new RangeError('a playlist needs a name');
  db.transaction(() => {
    db.prepare(
      'INSERT INTO playlists (name, created_at, updated_at) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET updated_at = excluded.updated_at',
    ).run(clean, now, now);
    const id = (db.prepare('SELECT id FROM playlists WHERE name = ?').get(clean) as { id: number }).id;
    db.prepare('DELETE FROM playlist_tracks WHERE playlist_id = ?').run(id);
    const insert = db.prepare('INSERT INTO playlist_tracks (playlist_id, position, track_id) VALUES (?, ?, ?)');
    trackIds.forEach((trackId, position) => insert.run(id, position, trackId));
  })();
  return getPlaylist(db, clean)!;
}

export function getPlaylist(db: Database, name: string): Playlist | null {
  const row = db
    .prepare('SELECT id, name, created_at AS createdAt, updated_at AS updatedAt FROM playlists WHERE name = ?')
    .get(name.trim()) as Omit<Playlist, 'tracks'> | undefined;
  if (!row) return null;
  const tracks = db
    .prepare(
      `SELECT t.id, t.path, t.artist, t.title, t.duration FROM playlist_tracks p JOIN tracks t ON t.id = p.track_id
       WHERE p.playlist_id = ? ORDER BY p.position`,
    )
    .all(row.id) as PlaylistTrack[];
  return { ...row, tracks };
}

export interface PlaylistSummary {
  id: number;
  name: string;
  /** Tracks in the playlist (tracks removed from the library leave it). */
  tracks: number;
  createdAt: number;
  updatedAt: number;
}

const SUMMARY = `SELECT p.id, p.name, COUNT(pt.track_id) AS tracks, p.created_at AS createdAt, p.updated_at AS updatedAt
  FROM playlists p LEFT JOIN playlist_tracks pt ON pt.playlist_id = p.id`;

export function listPlaylists(db: Database): PlaylistSummary[] {
  return db.prepare(`${SUMMARY} GROUP BY p.id ORDER BY p.name`).all() as PlaylistSummary[];
}

/** The playlist's summary by id, or null. */
export function playlistSummary(db: Database, id: number): PlaylistSummary | null {
  return (db.prepare(`${SUMMARY} WHERE p.id = ? GROUP BY p.id`).get(id) as PlaylistSummary | undefined) ?? null;
}

/** The playlist's summary by name (trimmed, exact), or null. */
export function findPlaylist(db: Database, name: string): PlaylistSummary | null {
  return (db.prepare(`${SUMMARY} WHERE p.name = ? GROUP BY p.id`).get(name.trim()) as PlaylistSummary | undefined) ?? null;
}

/** The playlist's track ids in order, or null when there is no playlist `id`. */
export function playlistTrackIds(db: Database, id: number): number[] | null {
  if (!db.prepare('SELECT 1 FROM playlists WHERE id = ?').get(id)) return null;
  return (
    db.prepare('SELECT track_id AS id FROM playlist_tracks WHERE playlist_id = ? ORDER BY position').all(id) as { id: number }[]
  ).map((r) => r.id);
}

export function deletePlaylistById(db: Database, id: number): boolean {
  return db.prepare('DELETE FROM playlists WHERE id = ?').run(id).changes > 0;
}

export function deletePlaylist(db: Database, name: string): boolean {
  return db.prepare('DELETE FROM playlists WHERE name = ?').run(name.trim()).changes > 0;
}
