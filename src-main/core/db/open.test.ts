import Sqlite from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/helpers/temp-dir.ts';
import { migrate, SchemaTooNewError, schemaVersion } from './migrate.ts';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from './migrations/index.ts';
import { CorruptDatabaseError, databasePath, openLibraryDatabase } from './open.ts';
import { checkLibraryDatabase } from './start-check.ts';
import { Worker } from 'node:worker_threads';

describe('openLibraryDatabase', () => {
  it('creates the file with WAL, foreign keys, a busy timeout and the latest schema', () => {
    const dir = tempDir();
    const db = openLibraryDatabase(path.join(dir, 'nested', 'data'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBeGreaterThanOrEqual(5000);
    expect(schemaVersion(db)).toBe(LATEST_SCHEMA_VERSION);
    db.close();
    expect(fs.existsSync(path.join(dir, 'nested', 'data', 'library.db'))).toBe(true);
  });

  it('moves a damaged file aside with a timestamp, explains, and never overwrites it', () => {
    const dir = tempDir();
    const file = databasePath(dir);
    const garbage = Buffer.from('this is not a database '.repeat(400));
    fs.writeFileSync(file, garbage);
    let caught: unknown;
    try {
      checkLibraryDatabase(dir);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CorruptDatabaseError);
    const error = caught as CorruptDatabaseError;
    expect(error.message).toMatch(/damaged/);
    expect(error.movedTo).toMatch(/library\.db\.corrupt-\d{4}-\d{2}-\d{2}T/);
    expect(fs.readFileSync(error.movedTo).equals(garbage)).toBe(true);
    expect(fs.existsSync(file)).toBe(false);
    // The next open starts a new, empty library beside the preserved copy.
    const fresh = openLibraryDatabase(dir);
    expect(fresh.prepare('SELECT COUNT(*) AS n FROM tracks').get()).toEqual({ n: 0 });
    fresh.close();
    expect(fs.readFileSync(error.movedTo).equals(garbage)).toBe(true);
  });

  it('detects page-level corruption with quick_check', () => {
    const dir = tempDir();
    const db = openLibraryDatabase(dir);
    const insert = db.prepare('INSERT INTO library_roots (path, added_at) VALUES (?, 0)');
    db.transaction(() => {
      for (let i = 0; i < 3000; i++) insert.run(`/music/${'x'.repeat(200)}/${i}`);
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    const file = databasePath(dir);
    const bytes = fs.readFileSync(file);
    // Scribble over the middle pages (the index and table b-trees), keeping the header intact.
    for (let i = 8192; i < bytes.length - 4096; i += 7) bytes[i] = 0xa5;
    fs.writeFileSync(file, bytes);
    // A plain open (what a worker does) neither checks nor moves the live file.
    expect(() => openLibraryDatabase(dir)).toThrow(/malformed/);
    expect(fs.readdirSync(dir).some((f) => f.startsWith('library.db.corrupt-'))).toBe(false);
    expect(() => checkLibraryDatabase(dir)).toThrow(CorruptDatabaseError);
    expect(fs.readdirSync(dir).some((f) => f.startsWith('library.db.corrupt-'))).toBe(true);
  });

  it("a plain open of a file that is not a database fails with SQLite's error and leaves the file in place", () => {
    const dir = tempDir();
    const file = databasePath(dir);
    fs.writeFileSync(file, Buffer.from('this is not a database '.repeat(400)));
    expect(() => openLibraryDatabase(dir)).toThrow(expect.objectContaining({ code: 'SQLITE_NOTADB' }));
    expect(fs.readdirSync(dir)).toEqual(['library.db']);
  });

  it('the full check (cadenza doctor) finds damage that a plain open does not', () => {
    const dir = tempDir();
    const db = openLibraryDatabase(dir);
    const insert = db.prepare('INSERT INTO library_roots (path, added_at) VALUES (?, 0)');
    db.transaction(() => {
      for (let i = 0; i < 3000; i++) insert.run(`/music/${'y'.repeat(200)}/${i}`);
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    const file = databasePath(dir);
    const bytes = fs.readFileSync(file);
    for (let i = 8192; i < bytes.length - 4096; i += 7) bytes[i] = 0x5a;
    fs.writeFileSync(file, bytes);
    expect(() => checkLibraryDatabase(dir, 'full')).toThrow(/damaged/);
  });

  it('refuses a database from a newer Cadenza without touching it', () => {
    const dir = tempDir();
    const raw = new Sqlite(databasePath(dir));
    raw.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 5}`);
    raw.close();
    expect(() => openLibraryDatabase(dir)).toThrow(SchemaTooNewError);
    const again = new Sqlite(databasePath(dir));
    expect(again.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION + 5);
    again.close();
  });
});

describe('migrations', () => {
  it('two processes migrating one file at once apply each step once', async () => {
    const file = databasePath(tempDir());
    const flags = new SharedArrayBuffer(4);
    const boot = new URL('../jobs/tsx-worker-boot.js', import.meta.url);
    const entry = new URL('../../../test/helpers/migrate-race.worker.ts', import.meta.url).href;
    const side = (first: boolean) =>
      new Promise<{ version?: number; error?: string }>((resolve, reject) => {
        const worker = new Worker(boot, { workerData: { file, first, flags, __tsEntry: entry } });
        worker.once('message', resolve);
        worker.once('error', reject);
      });
    const [a, b] = await Promise.all([side(true), side(false)]);
    expect(a).toEqual({ version: 2 });
    expect(b).toEqual({ version: 2 });
    const db = new Sqlite(file);
    expect(db.prepare('SELECT step FROM applied ORDER BY rowid').all()).toEqual([{ step: 1 }, { step: 2 }]);
    db.close();
  });

  it('are numbered 1..N without gaps', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
  });

  it('roll back a failing step whole, leaving user_version at the last good step', () => {
    const db = new Sqlite(':memory:');
    const failing = [
      ...MIGRATIONS,
      {
        version: MIGRATIONS.length + 1,
        name: 'broken',
        up(d: Sqlite.Database) {
          d.exec('CREATE TABLE half_done (x)');
          throw new Error('boom');
        },
      },
    ];
    expect(() => migrate(db, failing)).toThrow('boom');
    expect(schemaVersion(db)).toBe(MIGRATIONS.length);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'half_done'").get()).toBeUndefined();
    db.close();
  });

  it('0001 creates the library tables with their constraints', () => {
    const db = new Sqlite(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, MIGRATIONS, 1);
    expect(schemaVersion(db)).toBe(1);
    const tables = (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]
    ).map((t) => t.name);
    expect(tables).toEqual(expect.arrayContaining(['library_roots', 'tracks', 'scan_failures']));
    const columns = (db.prepare('PRAGMA table_info(tracks)').all() as { name: string }[]).map((c) => c.name);
    expect(columns).toEqual(
      expect.arrayContaining([
        'path',
        'path_bytes',
        'size',
        'mtime_ms',
        'duration',
        'codec',
        'container',
        'sample_rate',
        'channels',
        'bitrate',
        'title',
        'artist',
        'album',
        'album_artist',
        'track_no',
        'disc_no',
        'year',
        'genres',
        'moods',
        'tags',
        'available',
      ]),
    );
    db.prepare("INSERT INTO library_roots (id, path, added_at) VALUES (1, '/m', 0)").run();
    const insert = db.prepare(
      'INSERT INTO tracks (root_id, path, size, mtime_ms, added_at, updated_at) VALUES (?, ?, 1, 1, 0, 0)',
    );
    insert.run(1, '/m/a.mp3');
    expect(() => insert.run(1, '/m/a.mp3')).toThrow(/UNIQUE/);
    expect(() => insert.run(99, '/m/b.mp3')).toThrow(/FOREIGN KEY/);
    db.prepare('DELETE FROM library_roots WHERE id = 1').run();
    expect(db.prepare('SELECT COUNT(*) AS n FROM tracks').get()).toEqual({ n: 0 });
    db.close();
  });
});
