/**
 * Windowed track queries for the UI's virtualised table: filter (format, genre, topic, availability,
 * text), sort, and return one window plus the total, all in SQL so 100,000 tracks stay fast.
 */
import type { Database } from 'better-sqlite3';
import type { FacetCount, TrackFacets, TrackGain, TrackQuery, TrackRow, TrackPage, TrackSortKey } from '../../api/types.ts';
import { untilChange } from '../db/until-change.ts';
import { formatName } from '../library/formats.ts';
import { GAIN_COLUMNS, GAIN_JOIN, trackGains, type GainColumns } from '../loudness/track-gain.ts';

interface Row extends GainColumns {
  id: number;
  title: string | null;
  artist: string | null;
  album: string | null;
  album_artist: string | null;
  track_no: number | null;
  year: number | null;
  duration: number | null;
  container: string | null;
  codec: string | null;
  genres: string;
  path: string;
  available: number;
  topic_set: string | null;
}

const COLUMNS = `t.id, t.title, t.artist, t.album, t.album_artist, t.track_no, t.year, t.duration, t.container, t.codec,
  t.genres, t.path, t.available, tt.topic_set, ${GAIN_COLUMNS}`;
const FROM = `tracks t LEFT JOIN track_topics tt ON tt.track_id = t.id
  AND tt.model_id = (SELECT id FROM topic_models WHERE active = 1) ${GAIN_JOIN}`;

/**
 * Text columns sort case-insensitively with missing values last; ties break by id (stable paging). The
 * orders are indexed as written here (migration 0008), but year and format.
 */
const ORDER: Record<TrackSortKey, string> = {
  title: `COALESCE(t.title, t.path) COLLATE NOCASE`,
  artist: `t.artist IS NULL, t.artist COLLATE NOCASE %DIR%, t.album COLLATE NOCASE, t.disc_no, t.track_no`,
  album: `t.album IS NULL, t.album COLLATE NOCASE %DIR%, t.disc_no, t.track_no`,
  duration: `t.duration`,
  year: `t.year IS NULL, t.year`,
  format: `cadenza_format(t.container, t.codec)`,
  added: `t.added_at`,
  path: `t.path`,
};

function orderBy(key: TrackSortKey, dir: 'asc' | 'desc'): string {
  const d = dir === 'desc' ? 'DESC' : 'ASC';
  const expr = ORDER[key];
  const sorted = expr.includes('%DIR%') ? expr.replace('%DIR%', d) : `${expr} ${d}`;
  return `${sorted}, t.id ${d}`;
}

/** The SQL function `cadenza_format(container, codec)` (the summary's format names) on this connection. */
export function registerTrackFunctions(db: Database): void {
  db.function('cadenza_format', { deterministic: true }, (container: unknown, codec: unknown) =>
    formatName(typeof container === 'string' ? container : '', typeof codec === 'string' ? codec : ''),
  );
}

function escapeLike(word: string): string {
  return word.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function whereClause(db: Database, query: TrackQuery): { sql: string; params: unknown[]; topics: boolean } {
  const parts: string[] = [];
  const params: unknown[] = [];
  const filter = query.filter ?? {};
  if (filter.availability === 'available') parts.push('t.available = 1');
  if (filter.availability === 'unavailable') parts.push('t.available = 0');
  if (filter.formats && filter.formats.length > 0) {
    // The format is derived from (container, codec): match the pairs present in the library.
    const wanted = new Set(filter.formats);
    const pairs = untilChange(
      db,
      'format-pairs',
      () =>
        db.prepare('SELECT DISTINCT container, codec FROM tracks').all() as { container: string | null; codec: string | null }[],
      'tracks',
    ).filter((p) => wanted.has(formatName(p.container ?? '', p.codec ?? '')));
    if (pairs.length === 0) parts.push('0');
    else {
      parts.push(`(${pairs.map(() => '(t.container IS ? AND t.codec IS ?)').join(' OR ')})`);
      for (const p of pairs) params.push(p.container, p.codec);
    }
  }
  if (filter.genres && filter.genres.length > 0) {
    // Any case, as browsing by genre (track_genres compares without case).
    parts.push(`t.id IN (SELECT track_id FROM track_genres WHERE genre IN (${filter.genres.map(() => '?').join(', ')}))`);
    params.push(...filter.genres);
  }
  if (filter.topics && filter.topics.length > 0) {
    parts.push(`EXISTS (SELECT 1 FROM json_each(tt.topic_set) j WHERE j.value IN (${filter.topics.map(() => '?').join(', ')}))`);
    params.push(...filter.topics);
  }
  const words = (query.search ?? '').trim().split(/\s+/).filter(Boolean).slice(0, 16);
  for (const word of words) {
    const like = `%${escapeLike(word)}%`;
    parts.push(
      `(t.title LIKE ? ESCAPE '\\' OR t.artist LIKE ? ESCAPE '\\' OR t.album LIKE ? ESCAPE '\\' OR t.album_artist LIKE ? ESCAPE '\\' OR t.path LIKE ? ESCAPE '\\')`,
    );
    params.push(like, like, like, like, like);
  }
  return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params, topics: (filter.topics?.length ?? 0) > 0 };
}

function toTrackRow(r: Row, gain: TrackGain): TrackRow {
  return {
    id: r.id,
    title: r.title,
    artist: r.artist,
    album: r.album,
    albumArtist: r.album_artist,
    trackNo: r.track_no,
    year: r.year,
    duration: r.duration,
    format: formatName(r.container ?? '', r.codec ?? ''),
    genres: JSON.parse(r.genres) as string[],
    path: r.path,
    available: r.available === 1,
    topics: r.topic_set ? (JSON.parse(r.topic_set) as number[]) : [],
    gain,
  };
}

/**
 * One window of the filtered, sorted library and the number of matching tracks. The window's ids come
 * first from the tracks alone (along a sort index where there is one), then only those rows are read; the
 * count is kept until the library changes (scrolling asks for it with every page).
 */
export function listTracks(db: Database, query: TrackQuery): TrackPage {
  const { sql: where, params, topics } = whereClause(db, query);
  const sort = query.sort ?? { key: 'artist', dir: 'asc' };
  const order = orderBy(sort.key, sort.dir);
  // The topic filter reads track_topics; without it the tracks alone decide the window and the count.
  const from = topics ? FROM : 'tracks t';
  const total = untilChange(db, `count ${from} ${where} ${JSON.stringify(params)}`, () => {
    return (db.prepare(`SELECT COUNT(*) AS n FROM ${from} ${where}`).get(...params) as { n: number }).n;
  });
  const rows = db
    .prepare(
      `SELECT ${COLUMNS} FROM ${FROM} WHERE t.id IN (SELECT t.id FROM ${from} ${where} ORDER BY ${order} LIMIT ? OFFSET ?) ORDER BY ${order}`,
    )
    .all(...params, query.limit, query.offset) as Row[];
  const gains = trackGains(db, rows);
  return { total, offset: query.offset, tracks: rows.map((r, i) => toTrackRow(r, gains[i]!)) };
}

/** The tracks with these ids, in the order asked (unknown ids are skipped). */
export function getTracks(db: Database, ids: readonly number[]): TrackRow[] {
  if (ids.length === 0) return [];
  const byId = new Map<number, TrackRow>();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += 500) {
    const chunk = unique.slice(i, i + 500);
    const rows = db
      .prepare(`SELECT ${COLUMNS} FROM ${FROM} WHERE t.id IN (${chunk.map(() => '?').join(', ')})`)
      .all(...chunk) as Row[];
    const gains = trackGains(db, rows);
    rows.forEach((r, i) => byId.set(r.id, toTrackRow(r, gains[i]!)));
  }
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/** The formats and genres present, with counts, for the filter controls (kept until the library changes). */
export function trackFacets(db: Database): TrackFacets {
  return untilChange(db, 'facets', () => computeFacets(db), 'tracks');
}

function computeFacets(db: Database): TrackFacets {
  const formats = new Map<string, number>();
  const pairs = db.prepare('SELECT container, codec, COUNT(*) AS n FROM tracks GROUP BY container, codec').all() as {
    container: string | null;
    codec: string | null;
    n: number;
  }[];
  for (const p of pairs) {
    const name = formatName(p.container ?? '', p.codec ?? '');
    formats.set(name, (formats.get(name) ?? 0) + p.n);
  }
  const genres = db
    .prepare(
      `SELECT MIN(genre) AS name, COUNT(*) AS count FROM track_genres
       GROUP BY genre ORDER BY count DESC, name COLLATE NOCASE LIMIT 500`,
    )
    .all() as FacetCount[];
  const byCount = (a: FacetCount, b: FacetCount) => b.count - a.count || a.name.localeCompare(b.name);
  return { formats: [...formats].map(([name, count]) => ({ name, count })).sort(byCount), genres };
}
