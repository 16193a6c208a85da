import Sqlite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate, schemaVersion } from '../migrate.ts';
import { MIGRATIONS } from './index.ts';

describe('migration 0009 (song vectors)', () => {
  it('is version 9, after the library sort indexes', () => {
    expect(MIGRATIONS[8]).toMatchObject({ version: 9, name: 'song-vectors' });
  });

  it('adds track_song_vectors on a version-8 library, one row per track, removed with the track', () => {
    const db = new Sqlite(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, MIGRATIONS, 8);
    db.prepare("INSERT INTO library_roots (id, path, added_at) VALUES (1, '/m', 0)").run();
    db.prepare(
      "INSERT INTO tracks (id, root_id, path, size, mtime_ms, added_at, updated_at) VALUES (1, 1, '/m/a.mp3', 1, 1, 0, 0)",
    ).run();
    migrate(db, MIGRATIONS, 9);
    expect(schemaVersion(db)).toBe(9);
    const insert = db.prepare(
      'INSERT INTO track_song_vectors (track_id, feature_version, layout_version, vector, computed_at) VALUES (?, 2, 1, ?, 0)',
    );
    const blob = Buffer.from(new Float32Array([0.5, -1, 2]).buffer);
    insert.run(1, blob);
    expect(() => insert.run(1, blob)).toThrow(/UNIQUE|PRIMARY KEY/);
    expect(() => insert.run(42, blob)).toThrow(/FOREIGN KEY/);
    expect(() =>
      db
        .prepare('INSERT INTO track_song_vectors (track_id, feature_version, layout_version, computed_at) VALUES (1, 2, 1, 0)')
        .run(),
    ).toThrow(/NOT NULL/);
    const row = db.prepare('SELECT vector FROM track_song_vectors WHERE track_id = 1').get() as { vector: Buffer };
    expect(Array.from(new Float32Array(new Uint8Array(row.vector).buffer))).toEqual([0.5, -1, 2]);
    db.prepare('DELETE FROM tracks WHERE id = 1').run();
    expect(db.prepare('SELECT COUNT(*) AS n FROM track_song_vectors').get()).toEqual({ n: 0 });
    db.close();
  });
});
