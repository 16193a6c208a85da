import type { Database } from 'better-sqlite3';
import { formatName } from './formats.ts';
import type { LibrarySummary } from '../../api/types.ts';
import { untilChange } from '../db/until-change.ts';
import { LibraryStore } from './library-store.ts';

export type { LibrarySummary };

/** Counts by format, tag coverage, failures and roots (kept until the library changes: a full scan of the tracks). */
export function librarySummary(db: Database): LibrarySummary {
  return untilChange(db, 'library-summary', () => computeSummary(db));
}

function computeSummary(db: Database): LibrarySummary {
  const rows = db
    .prepare(
      `SELECT container, codec, COUNT(*) AS n, SUM(available) AS available,
              SUM(genres <> '[]') AS with_genre, SUM(moods <> '[]') AS with_mood
       FROM tracks GROUP BY container, codec`,
    )
    .all() as { container: string | null; codec: string | null; n: number; available: number; with_genre: number; with_mood: number }[];
  const byFormat: Record<string, number> = {};
  let tracks = 0;
  let available = 0;
  let withGenre = 0;
  let withMood = 0;
  for (const row of rows) {
    const format = formatName(row.container ?? '', row.codec ?? '');
    byFormat[format] = (byFormat[format] ?? 0) + row.n;
    tracks += row.n;
    available += row.available;
    withGenre += row.with_genre;
    withMood += row.with_mood;
  }
  const store = new LibraryStore(db);
  return {
    tracks,
    available,
    byFormat,
    tagCoverage: { genre: tracks ? withGenre / tracks : 0, mood: tracks ? withMood / tracks : 0 },
    failed: store.failures(),
    roots: store.roots(),
  };
}
