// Aggregates kept until the database changes: a write by this connection or by another one recomputes.
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/helpers/temp-dir.ts';
import { openLibraryDatabase } from './open.ts';
import { untilChange } from './until-change.ts';

describe('untilChange', () => {
  it('computes once while nothing changes, again after a commit here or from another connection', () => {
    const file = path.join(tempDir(), 'x.db');
    const db = new Sqlite(file);
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE t (v INTEGER)');
    let computed = 0;
    const count = () =>
      untilChange(db, 'count', () => {
        computed++;
        return (db.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n;
      });
    expect(count()).toBe(0);
    expect(count()).toBe(0);
    expect(computed).toBe(1);
    db.prepare('INSERT INTO t VALUES (1)').run();
    expect(count()).toBe(1);
    expect(computed).toBe(2);
    const other = new Sqlite(file);
    other.prepare('INSERT INTO t VALUES (2), (3)').run();
    expect(count()).toBe(3);
    expect(count()).toBe(3);
    expect(computed).toBe(3);
    // Keys are separate; another database has its own cache.
    expect(untilChange(db, 'other', () => 'a')).toBe('a');
    const second = new Sqlite(':memory:');
    expect(untilChange(second, 'count', () => 42)).toBe(42);
    other.close();
    db.close();
    second.close();
  });

  it('with the tracks scope, computes again after a change to the tracks, not after other commits', () => {
    const dataDir = tempDir();
    const db = openLibraryDatabase(dataDir);
    const other = openLibraryDatabase(dataDir);
    db.prepare("INSERT INTO library_roots (id, path, added_at) VALUES (1, '/m', 0)").run();
    let computed = 0;
    const count = () =>
      untilChange(
        db,
        'tracks-count',
        () => {
          computed++;
          return (db.prepare('SELECT COUNT(*) AS n FROM tracks').get() as { n: number }).n;
        },
        'tracks',
      );
    expect(count()).toBe(0);
    // Commits that leave the tracks alone (here and from another connection) keep the value.
    db.prepare("UPDATE library_roots SET path = '/music' WHERE id = 1").run();
    other.prepare("UPDATE library_roots SET path = '/m2' WHERE id = 1").run();
    expect(count()).toBe(0);
    expect(computed).toBe(1);
    other
      .prepare("INSERT INTO tracks (root_id, path, size, mtime_ms, added_at, updated_at) VALUES (1, '/m/1.mp3', 1, 1, 0, 0)")
      .run();
    expect(count()).toBe(1);
    expect(computed).toBe(2);
    other.close();
    db.close();
  });
});
