/**
 * Whole-library aggregates (track counts, facet and format counts) kept until the database changes, so
 * a 100,000-track library pays for them once per change rather than on every page or refresh. A change
 * is any commit: by another connection (PRAGMA data_version moves) or by this one (total_changes() moves);
 * or, for values over the tracks alone, a change to the tracks table (its version, migration 0013).
 */
import type { Database } from 'better-sqlite3';

const MAX_ENTRIES = 64;
const caches = new WeakMap<Database, Map<string, { version: string; value: unknown }>>();

/** Moves with every commit, by another connection or by this one: equal strings mean nothing was committed between. */
export function databaseVersion(db: Database): string {
  const other = db.pragma('data_version', { simple: true }) as number;
  const own = (db.prepare('SELECT total_changes() AS n').get() as { n: number }).n;
  return `${other}:${own}`;
}

/** Moves with every row of `tracks` inserted, changed or deleted, by any connection (migration 0013). */
export function tracksVersion(db: Database): string {
  return `tracks:${(db.prepare("SELECT version FROM table_versions WHERE name = 'tracks'").get() as { version: number }).version}`;
}

/**
 * `compute()`'s value for `key`, computed again only after the database changed, or with the scope
 * 'tracks' only after the tracks table changed (for values read from `tracks` and what its triggers keep,
 * such as `track_genres`, and nothing else).
 */
export function untilChange<T>(db: Database, key: string, compute: () => T, scope: 'database' | 'tracks' = 'database'): T {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  const now = scope === 'tracks' ? tracksVersion(db) : databaseVersion(db);
  const hit = cache.get(key);
  if (hit && hit.version === now) return hit.value as T;
  const value = compute();
  if (cache.size >= MAX_ENTRIES) cache.clear();
  cache.set(key, { version: now, value });
  return value;
}
