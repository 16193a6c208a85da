/**
 * Browse by artist or genre: a page of names with their track and album counts and a track whose cover
 * stands for each, and one name's tracks. The artist is the album artist, else the track artist (as in
 * the album grid); a track is in each of its genres (`track_genres`, migration 0012: the scanner's list,
 * in any case). Served by the reader worker (the list of every name is a pass over the library).
 */
import type { Database } from 'better-sqlite3';
import {
  BROWSE_TRACKS_MAX,
  type BrowseField,
  type BrowseGroup,
  type BrowseGroupPage,
  type BrowseGroupsRequest,
  type BrowseTracks,
  type BrowseTracksRequest,
} from '../../api/types.ts';
import { untilChange } from '../db/until-change.ts';
import { getTracks } from './track-query.ts';

/** The album artist, else the track artist (indexed by migration 0011). */
export const ALBUM_ARTIST_SQL = 'COALESCE(album_artist, artist)';

/** The rows of each field: `name` is what the group is called, from `source`. */
const FIELDS = {
  artist: { source: 'tracks', name: ALBUM_ARTIST_SQL },
  genre: { source: 'track_genres AS g JOIN tracks ON tracks.id = g.track_id', name: 'g.genre' },
} as const;

/**
 * Every name of the field with its counts, by name in any case: one GROUP BY over the library, kept
 * until the tracks change (untilChange, scope tracks: not at every commit of an analysis), so paging and
 * searching the list cost no pass over the tracks. It holds one entry per distinct artist or genre, not
 * per track.
 */
function allGroups(db: Database, by: BrowseField): BrowseGroup[] {
  return untilChange(
    db,
    `browse-groups-${by}`,
    () => {
      const { source, name } = FIELDS[by];
      return db
        .prepare(
          `SELECT MIN(${name}) AS name, COUNT(*) AS tracks, COUNT(DISTINCT album COLLATE NOCASE) AS albums, MIN(tracks.id) AS coverTrackId
         FROM ${source} WHERE available = 1 AND ${name} IS NOT NULL AND ${name} <> ''
         GROUP BY ${name} COLLATE NOCASE
         ORDER BY ${name} COLLATE NOCASE`,
        )
        .all() as BrowseGroup[];
    },
    'tracks',
  );
}

/**
 * A page of a kept list: the items any of whose `texts` contains `search` (any case; all when there is
 * none), their count, and those from `offset` on (at most `limit`).
 */
export function searchPage<T>(
  all: readonly T[],
  request: { offset: number; limit: number; search?: string },
  texts: (item: T) => (string | null)[],
): { total: number; offset: number; items: T[] } {
  const needle = request.search?.trim().toLocaleLowerCase();
  const matching = needle ? all.filter((item) => texts(item).some((t) => t?.toLocaleLowerCase().includes(needle))) : all;
  return {
    total: matching.length,
    offset: request.offset,
    items: matching.slice(request.offset, request.offset + request.limit),
  };
}

/** A page of the field's names, optionally only those containing `search` (any case). */
export function listGroups(db: Database, request: BrowseGroupsRequest): BrowseGroupPage {
  const { total, offset, items } = searchPage(allGroups(db, request.by), request, (g) => [g.name]);
  return { total, offset, groups: items };
}

/** A name's available tracks by artist, album, disc and track (the first BROWSE_TRACKS_MAX), and how many there are. */
export function groupTracks(db: Database, request: BrowseTracksRequest): BrowseTracks {
  const { source, name } = FIELDS[request.by];
  const where = `FROM ${source} WHERE available = 1 AND ${name} = @name COLLATE NOCASE`;
  const total = (db.prepare(`SELECT COUNT(DISTINCT tracks.id) AS n ${where}`).get({ name: request.name }) as { n: number }).n;
  const ids = db
    .prepare(
      `SELECT DISTINCT tracks.id AS id, ${ALBUM_ARTIST_SQL} COLLATE NOCASE AS who, album COLLATE NOCASE AS a,
              COALESCE(disc_no, 1) AS d, track_no IS NULL AS n, track_no AS t, title COLLATE NOCASE AS ti
       ${where}
       ORDER BY who IS NULL, who, a IS NULL, a, d, n, t, ti, id
       LIMIT ${BROWSE_TRACKS_MAX}`,
    )
    .all({ name: request.name })
    .map((r) => (r as { id: number }).id);
  return { total, tracks: getTracks(db, ids) };
}
