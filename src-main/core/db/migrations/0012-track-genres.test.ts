import Sqlite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate, schemaVersion } from '../migrate.ts';
import { MIGRATIONS } from './index.ts';

const genresOf = (db: Sqlite.Database, id: number) =>
  (db.prepare('SELECT genre FROM track_genres WHERE track_id = ? ORDER BY genre').all(id) as { genre: string }[]).map(
    (r) => r.genre,
  );

describe('migration 0012 (track-genres)', () => {
  it('is version 12, after browse-artists', () => {
    expect(MIGRATIONS[11]).toMatchObject({ version: 12, name: 'track-genres' });
  });

  it('fills one row per track and genre from existing lists, and its triggers follow every write of the list', () => {
    const db = new Sqlite(':memory:');
    migrate(db, MIGRATIONS, 11);
    db.prepare("INSERT INTO library_roots (id, path, added_at) VALUES (1, '/m', 0)").run();
    const insert = db.prepare(
      'INSERT INTO tracks (id, root_id, path, size, mtime_ms, genres, added_at, updated_at) VALUES (?, 1, ?, 1, 1, ?, 0, 0)',
    );
    insert.run(1, '/m/1.mp3', JSON.stringify(['Rock', ' rock ', 'Jazz', '']));
    insert.run(2, '/m/2.mp3', '[]');
    insert.run(3, '/m/3.mp3', 'not json');
    insert.run(4, '/m/4.mp3', JSON.stringify(['Ambient', 7, null]));
    migrate(db, MIGRATIONS, 12);
    expect(schemaVersion(db)).toBe(12);
    // One genre per track in any case, trimmed; empty items, non-text items and a damaged list give none.
    expect(genresOf(db, 1)).toHaveLength(2);
    expect(genresOf(db, 1).map((g) => g.toLowerCase())).toEqual(['jazz', 'rock']);
    expect(genresOf(db, 2)).toEqual([]);
    expect(genresOf(db, 3)).toEqual([]);
    expect(genresOf(db, 4)).toEqual(['Ambient']);

    // A new track, a changed list, a deleted track: the rows follow.
    insert.run(5, '/m/5.mp3', JSON.stringify(['Drone']));
    expect(genresOf(db, 5)).toEqual(['Drone']);
    db.prepare('UPDATE tracks SET genres = ? WHERE id = 1').run(JSON.stringify(['Blues']));
    expect(genresOf(db, 1)).toEqual(['Blues']);
    db.prepare("UPDATE tracks SET title = 'x' WHERE id = 5").run();
    expect(genresOf(db, 5)).toEqual(['Drone']);
    db.prepare('DELETE FROM tracks WHERE id = 5').run();
    expect(genresOf(db, 5)).toEqual([]);
    const all = db.prepare('SELECT COUNT(*) AS n FROM track_genres').get() as { n: number };
    expect(all.n).toBe(2); // Blues (1), Ambient (4)

    // One genre's tracks, in any case, walk the primary key.
    const plan = (
      db.prepare("EXPLAIN QUERY PLAN SELECT track_id FROM track_genres WHERE genre = 'blues'").all() as {
        detail: string;
      }[]
    )
      .map((r) => r.detail)
      .join('; ');
    expect(plan).toMatch(/USING (COVERING |PRIMARY )?(INDEX|KEY)/);
    expect(plan).not.toMatch(/^SCAN/);
    expect(db.prepare("SELECT track_id FROM track_genres WHERE genre = 'BLUES'").pluck().all()).toEqual([1]);
    db.close();
  });
});
