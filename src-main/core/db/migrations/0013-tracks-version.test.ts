import Sqlite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate, schemaVersion } from '../migrate.ts';
import { MIGRATIONS } from './index.ts';

describe('migration 0013 (tracks-version)', () => {
  it('is version 13, after track-genres', () => {
    expect(MIGRATIONS[12]).toMatchObject({ version: 13, name: 'tracks-version' });
  });

  it('moves with every insert, change and delete of a track, and not with writes elsewhere', () => {
    const db = new Sqlite(':memory:');
    migrate(db, MIGRATIONS, 12);
    db.prepare("INSERT INTO library_roots (id, path, added_at) VALUES (1, '/m', 0)").run();
    db.prepare(
      "INSERT INTO tracks (id, root_id, path, size, mtime_ms, added_at, updated_at) VALUES (1, 1, '/m/1.mp3', 1, 1, 0, 0)",
    ).run();
    migrate(db, MIGRATIONS, 13);
    expect(schemaVersion(db)).toBe(13);
    const version = () =>
      (db.prepare("SELECT version FROM table_versions WHERE name = 'tracks'").get() as { version: number }).version;
    expect(version()).toBe(0);
    const insert = db.prepare(
      'INSERT INTO tracks (id, root_id, path, size, mtime_ms, added_at, updated_at) VALUES (?, 1, ?, 1, 1, 0, 0)',
    );
    insert.run(2, '/m/2.mp3');
    insert.run(3, '/m/3.mp3');
    expect(version()).toBe(2);
    db.prepare("UPDATE tracks SET artist = 'A' WHERE id = 2").run();
    expect(version()).toBe(3);
    db.prepare('DELETE FROM tracks WHERE id = 3').run();
    expect(version()).toBe(4);
    // A write to another table (a root's path here; features, topics, feedback alike) leaves it.
    db.prepare("UPDATE library_roots SET path = '/music' WHERE id = 1").run();
    expect(version()).toBe(4);
    db.close();
  });
});
