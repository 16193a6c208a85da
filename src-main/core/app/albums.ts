/**
 * Browse by album: a page of albums (title + album artist, else artist) with their track counts and a
 * track whose cover stands for the album, and one album's tracks in disc and track order. The whole album
 * list (one entry per album, not per track) is one GROUP BY kept until the database changes, so pages and
 * searches of the grid are slices of it; one artist's albums walk the artist index (migration 0011).
 * Served by the reader worker.
 */
import type { Database } from 'better-sqlite3';
import type { AlbumPage, AlbumRequest, AlbumSummary, AlbumTracksRequest, TrackRow } from '../../api/types.ts';
import { untilChange } from '../db/until-change.ts';
import { ALBUM_ARTIST_SQL as WHO, searchPage } from './browse.ts';
import { getTracks } from './track-query.ts';

/** An album is its title and artist, in any case ("Blue" by Joni and by joni are one album). */
const GROUP = `album COLLATE NOCASE, ${WHO} COLLATE NOCASE`;

function albumsWhere(db: Database, where: string, params: Record<string, unknown>): AlbumSummary[] {
  return db
    .prepare(
      `SELECT MIN(album) AS title, MIN(${WHO}) AS artist, COUNT(*) AS tracks, MIN(year) AS year, MIN(id) AS coverTrackId
       FROM tracks WHERE album IS NOT NULL AND available = 1${where}
       GROUP BY ${GROUP}
       ORDER BY album COLLATE NOCASE, artist COLLATE NOCASE`,
    )
    .all(params) as AlbumSummary[];
}

export function listAlbums(db: Database, request: AlbumRequest): AlbumPage {
  const all =
    request.artist !== undefined
      ? albumsWhere(db, ` AND ${WHO} = @artist COLLATE NOCASE`, { artist: request.artist })
      : untilChange(db, 'albums-all', () => albumsWhere(db, '', {}), 'tracks');
  const { total, offset, items } = searchPage(all, request, (a) => [a.title, a.artist]);
  return { total, offset, albums: items };
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
