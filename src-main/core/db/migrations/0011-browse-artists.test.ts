import Sqlite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate, schemaVersion } from '../migrate.ts';
import { MIGRATIONS } from './index.ts';

describe('migration 0011 (browse-artists)', () => {
  it('is version 11, after model-inputs', () => {
    expect(MIGRATIONS[10]).toMatchObject({ version: 11, name: 'browse-artists' });
  });

  it('indexes the artist of existing rows, and browsing by artist walks it instead of sorting', () => {
    const db = new Sqlite(':memory:');
    migrate(db, MIGRATIONS, 10);
    db.prepare("INSERT INTO library_roots (id, path, added_at) VALUES (1, '/m', 0)").run();
    const insert = db.prepare(
      'INSERT INTO tracks (root_id, path, size, mtime_ms, artist, album_artist, album, added_at, updated_at) VALUES (1, ?, 1, 1, ?, ?, ?, 0, 0)',
    );
    for (let i = 0; i < 40; i++) insert.run(`/m/${i}.mp3`, `Artist ${i % 4}`, i % 3 ? null : 'Various', `Album ${i % 6}`);
    migrate(db, MIGRATIONS, 11);
    expect(schemaVersion(db)).toBe(11);
    const plan = (sql: string) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail).join('; ');
    const grouped = plan(
      'SELECT MIN(COALESCE(album_artist, artist)), COUNT(*) FROM tracks WHERE available = 1 GROUP BY COALESCE(album_artist, artist) COLLATE NOCASE ORDER BY COALESCE(album_artist, artist) COLLATE NOCASE LIMIT 10',
    );
    expect(grouped).toMatch(/USING INDEX tracks_album_artist/);
    expect(grouped).not.toMatch(/TEMP B-TREE/);
    expect(plan("SELECT id FROM tracks WHERE COALESCE(album_artist, artist) = 'various' COLLATE NOCASE")).toMatch(
      /USING INDEX tracks_album_artist/,
    );
    const various = db
      .prepare("SELECT COUNT(*) AS n FROM tracks WHERE COALESCE(album_artist, artist) = 'VARIOUS' COLLATE NOCASE")
      .get() as { n: number };
    expect(various.n).toBe(14);
    db.close();
  });
});
