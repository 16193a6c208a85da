/**
 * Browse by album: a page of albums (title + album artist, else artist) with their track counts and a
 * track whose cover stands for the album, and one album's tracks in disc and track order. Pages come
 * from SQLite (LIMIT/OFFSET over a GROUP BY on the album index), never the whole library at once.
 */
import type { Database } from 'better-sqlite3';
import type { AlbumPage, AlbumRequest, AlbumTracksRequest, TrackRow } from '../../api/types.ts';
import { getTracks } from './track-query.ts';

const WHO = 'COALESCE(album_artist, artist)';

export function listAlbums(db: Database, request: AlbumRequest): AlbumPage {
  const search = request.search?.trim() ? `%${request.search.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
  const where = `album IS NOT NULL AND available = 1${search ? ` AND (album LIKE @search ESCAPE '\\' OR ${WHO} LIKE @search ESCAPE '\\')` : ''}`;
  const params = search ? { search } : {};
  const total = (
    db.prepare(`SELECT COUNT(*) AS n FROM (SELECT 1 FROM tracks WHERE ${where} GROUP BY album, ${WHO})`).get(params) as {
      n: number;
    }
  ).n;
  const albums = db
    .prepare(
      `SELECT album AS title, ${WHO} AS artist, COUNT(*) AS tracks, MIN(year) AS year, MIN(id) AS coverTrackId
       FROM tracks WHERE ${where}
       GROUP BY album, ${WHO}
       ORDER BY album COLLATE NOCASE, artist COLLATE NOCASE
       LIMIT @limit OFFSET @offset`,
    )
    .all({ ...params, limit: request.limit, offset: request.offset }) as AlbumPage['albums'];
  return { total, offset: request.offset, albums };
}

/** One album's available tracks in disc, then track order (untagged numbers last, then by title). */
export function albumTracks(db: Database, request: AlbumTracksRequest): TrackRow[] {
  const ids = db
    .prepare(
      `SELECT id FROM tracks
       WHERE album = @title AND ${WHO} IS @artist AND available = 1
       ORDER BY COALESCE(disc_no, 1), track_no IS NULL, track_no, title COLLATE NOCASE, id
       LIMIT 2000`,
    )
    .all({ title: request.title, artist: request.artist })
    .map((r) => (r as { id: number }).id);
  return getTracks(db, ids);
}
