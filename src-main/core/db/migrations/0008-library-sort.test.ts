import Sqlite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate, schemaVersion } from '../migrate.ts';
import { MIGRATIONS } from './index.ts';

describe('migration 0008 (library-sort)', () => {
  it('is version 8, after loudness', () => {
    expect(MIGRATIONS[7]).toMatchObject({ version: 8, name: 'library-sort' });
  });

  it('indexes the ascending sorts on existing rows, and the planner walks them for a page', () => {
    const db = new Sqlite(':memory:');
    migrate(db, MIGRATIONS, 7);
    db.prepare("INSERT INTO library_roots (id, path, added_at) VALUES (1, '/m', 0)").run();
    const insert = db.prepare(
      'INSERT INTO tracks (root_id, path, size, mtime_ms, artist, title, added_at, updated_at) VALUES (1, ?, 1, 1, ?, ?, 0, 0)',
    );
    for (let i = 0; i < 50; i++) insert.run(`/m/${i}.mp3`, i % 7 ? `Artist ${i % 5}` : null, `Song ${i}`);
    migrate(db, MIGRATIONS, 8);
    expect(schemaVersion(db)).toBe(8);
    const names = (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'tracks'").all() as { name: string }[]
    ).map((r) => r.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'tracks_sort_artist',
        'tracks_sort_album',
        'tracks_sort_title',
        'tracks_sort_added',
        'tracks_format',
      ]),
    );
    const plan = (sql: string) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail).join('; ');
    expect(
      plan(
        'SELECT t.id FROM tracks t ORDER BY t.artist IS NULL, t.artist COLLATE NOCASE ASC, t.album COLLATE NOCASE, t.disc_no, t.track_no, t.id ASC LIMIT 10 OFFSET 20',
      ),
    ).toMatch(/USING COVERING INDEX tracks_sort_artist/);
    expect(plan('SELECT t.id FROM tracks t ORDER BY COALESCE(t.title, t.path) COLLATE NOCASE DESC, t.id DESC LIMIT 10')).toMatch(
      /tracks_sort_title/,
    );
    expect(
      plan('SELECT t.id FROM tracks t ORDER BY COALESCE(t.title, t.path) COLLATE NOCASE DESC, t.id DESC LIMIT 10'),
    ).not.toMatch(/TEMP B-TREE/);
    expect(
      plan(
        'SELECT t.id FROM tracks t ORDER BY t.artist IS NULL, t.artist COLLATE NOCASE DESC, t.album COLLATE NOCASE, t.disc_no, t.track_no, t.id DESC LIMIT 10',
      ),
    ).toMatch(/USING COVERING INDEX tracks_sort_artist_desc/);
    // Missing artists still sort last along the index.
    const ids = db
      .prepare(
        'SELECT artist FROM tracks t ORDER BY t.artist IS NULL, t.artist COLLATE NOCASE ASC, t.album COLLATE NOCASE, t.disc_no, t.track_no, t.id ASC',
      )
      .all() as { artist: string | null }[];
    expect(ids.at(-1)!.artist).toBeNull();
    expect(ids[0]!.artist).toBe('Artist 0');
    db.close();
  });
});
