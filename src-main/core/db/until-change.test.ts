// Aggregates kept until the database changes: a write by this connection or by another one recomputes.
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/helpers/temp-dir.ts';
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
});
