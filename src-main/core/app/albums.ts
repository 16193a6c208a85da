/**
 * Browse by album: a page of albums (title + album artist, else artist) with their track counts and a
 * track whose cover stands for the album, and one album's tracks in disc and track order. Pages come
 * from SQLite (LIMIT/OFFSET over a GROUP BY on the album index), never the whole library at once.
 */
import type { Database } from 'better-sqlite3';
import type { AlbumPage, AlbumRequest, AlbumTracksRequest, TrackRow } from '../../api/types.ts';
import { ALBUM_ARTIST_SQL as WHO, likePattern } from './browse.ts';
import { getTracks } from './track-query.ts';

/** An album is its title and artist, in any case ("Blue" by Joni and by joni are one album). */
const GROUP = `album COLLATE NOCASE, ${WHO} COLLATE NOCASE`;

export function listAlbums(db: Database, request: AlbumRequest): AlbumPage {
  const search = likePattern(request.search);
  const byArtist = request.artist !== undefined;
  const where =
    `album IS NOT NULL AND available = 1` +
    (search ? ` AND (album LIKE @search ESCAPE '\\' OR ${WHO} LIKE @search ESCAPE '\\')` : '') +
    (byArtist ? ` AND ${WHO} = @artist COLLATE NOCASE` : '');
  const params = { ...(search ? { search } : {}), ...(byArtist ? { artist: request.artist } : {}) };
  const total = (
    db.prepare(`SELECT COUNT(*) AS n FROM (SELECT 1 FROM tracks WHERE ${where} GROUP BY ${GROUP})`).get(params) as {
      n: number;
    }
  ).n;
  const albums = db
    .prepare(
      `SELECT MIN(album) AS title, MIN(${WHO}) AS artist, COUNT(*) AS tracks, MIN(year) AS year, MIN(id) AS coverTrackId
       FROM tracks WHERE ${where}
       GROUP BY ${GROUP}
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
       WHERE album = @title COLLATE NOCASE AND (${WHO} = @artist COLLATE NOCASE OR (@artist IS NULL AND ${WHO} IS NULL))
         AND available = 1
       ORDER BY COALESCE(disc_no, 1), track_no IS NULL, track_no, title COLLATE NOCASE, id
       LIMIT 2000`,
    )
    .all({ title: request.title, artist: request.artist })
    .map((r) => (r as { id: number }).id);
  return getTracks(db, ids);
}
