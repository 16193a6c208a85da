import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/helpers/temp-dir.ts';
import { CorruptDatabaseError, databasePath, openLibraryDatabase } from './open.ts';
import { migrate } from './migrate.ts';
import { MIGRATIONS } from './migrations/index.ts';
import {
  beginLibrarySession,
  CHECK_STATE_FILE,
  checkLibraryDatabase,
  markCleanClose,
  quickCheckProblems,
  RECHECK_AFTER_MS,
  recordCheckPassed,
  recordDamage,
} from './start-check.ts';

/** A library with some rows, closed, WAL checkpointed into the file. */
function library(): string {
  const dir = tempDir();
  const db = openLibraryDatabase(dir);
  const insert = db.prepare('INSERT INTO library_roots (path, added_at) VALUES (?, 0)');
  db.transaction(() => {
    for (let i = 0; i < 3000; i++) insert.run(`/music/${'z'.repeat(200)}/${i}`);
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return dir;
}

/** One session of the host: the start check, a use of the database, a clean close. */
function session(dir: string, now = Date.now()) {
  const check = checkLibraryDatabase(dir, 'quick', now);
  const db = openLibraryDatabase(dir);
  db.prepare('SELECT COUNT(*) FROM tracks').get();
  db.close();
  markCleanClose(dir);
  return check;
}

/** Damages the middle pages; `keepTimes` restores the file's mtime as a disk fault would leave it. */
function scribble(dir: string, keepTimes = false): void {
  const file = databasePath(dir);
  const before = fs.statSync(file);
  const bytes = fs.readFileSync(file);
  for (let i = 8192; i < bytes.length - 4096; i += 7) bytes[i] = 0xa5;
  fs.writeFileSync(file, bytes);
  if (keepTimes) fs.utimesSync(file, before.atime, before.mtime);
}

describe('the start check', () => {
  it('runs without a record, and after a clean close of an unchanged file it is skipped', () => {
    const dir = library();
    expect(session(dir)).toEqual({ checked: true, reason: 'no record of an earlier check' });
    expect(session(dir)).toEqual({ checked: false, reason: 'closed cleanly and unchanged since a check this week' });
  });

  it('runs after a session that did not close cleanly (killed), and finds damage then', () => {
    const dir = library();
    session(dir);
    checkLibraryDatabase(dir); // a session starts, and is killed: no clean close
    scribble(dir, true); // even with the mtime kept as it was
    expect(() => checkLibraryDatabase(dir)).toThrow(CorruptDatabaseError);
  });

  it('runs when the file changed after the clean close, and finds the damage', () => {
    const dir = library();
    session(dir);
    scribble(dir);
    expect(() => checkLibraryDatabase(dir)).toThrow(CorruptDatabaseError);
    expect(fs.readdirSync(dir).some((f) => f.startsWith('library.db.corrupt-'))).toBe(true);
  });

  it('runs again a week after the last check, and when the record is unreadable', () => {
    const dir = library();
    const t0 = Date.now();
    session(dir, t0);
    expect(session(dir, t0 + RECHECK_AFTER_MS - 1000).checked).toBe(false);
    expect(session(dir, t0 + RECHECK_AFTER_MS + 1000)).toEqual({ checked: true, reason: 'a week since the last check' });
    fs.writeFileSync(path.join(dir, CHECK_STATE_FILE), '{"cleanClose": tr');
    expect(session(dir).checked).toBe(true);
  });

  it('a process that did not do the start check does not close the session (a CLI command beside the app)', () => {
    const dir = library();
    session(dir);
    checkLibraryDatabase(dir); // the app's session, open
    const record = fs.readFileSync(path.join(dir, CHECK_STATE_FILE), 'utf8');
    markCleanClose(dir); // this process's own session: closed
    expect(JSON.parse(fs.readFileSync(path.join(dir, CHECK_STATE_FILE), 'utf8')).cleanClose).toBe(true);
    // Another start, then a markCleanClose from code that did not check (called twice): only the first counts.
    checkLibraryDatabase(dir);
    markCleanClose(dir);
    fs.writeFileSync(path.join(dir, CHECK_STATE_FILE), record);
    markCleanClose(dir);
    expect(JSON.parse(fs.readFileSync(path.join(dir, CHECK_STATE_FILE), 'utf8')).cleanClose).toBe(false);
  });

  it('a new library needs no check, and counts as checked when it was made', () => {
    const dir = tempDir();
    expect(session(dir)).toEqual({ checked: false, reason: 'a new library' });
    expect(session(dir)).toEqual({ checked: false, reason: 'closed cleanly and unchanged since a check this week' });
  });

  it('the full check always runs', () => {
    const dir = library();
    session(dir);
    expect(checkLibraryDatabase(dir, 'full')).toEqual({ checked: true, reason: 'the full check was asked for' });
  });
});

describe("the app's start: a due check deferred (beginLibrarySession)", () => {
  const record = (dir: string) =>
    JSON.parse(fs.readFileSync(path.join(dir, CHECK_STATE_FILE), 'utf8')) as Record<string, unknown>;

  it('defers the check after an unclean exit, and checks nothing when none is due', () => {
    const dir = library();
    session(dir);
    expect(beginLibrarySession(dir)).toEqual({ checked: false, reason: 'closed cleanly and unchanged since a check this week' });
    // That session is killed: the next start defers its check (the caller runs it), and does not record one.
    const before = record(dir).checkedAt as number;
    const decision = beginLibrarySession(dir, before + 60_000);
    expect(decision).toMatchObject({ checked: true, deferred: true });
    expect(record(dir)).toMatchObject({ cleanClose: false, checkedAt: before });
    expect(quickCheckProblems(dir)).toEqual([]);
    recordCheckPassed(dir, before + 61_000);
    expect(record(dir)).toMatchObject({ cleanClose: false, checkedAt: before + 61_000 });
    markCleanClose(dir);
    expect(beginLibrarySession(dir, before + 62_000).checked).toBe(false);
  });

  it('quickCheckProblems finds scribbled pages, one finding per line', () => {
    const dir = library();
    session(dir);
    scribble(dir, true);
    const problems = quickCheckProblems(dir);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.every((p) => p.length > 0 && !p.includes('\n') && !p.startsWith('***'))).toBe(true);
  });

  it('checks first when damage was found last time: the file is moved aside before anything opens it', () => {
    const dir = library();
    session(dir);
    beginLibrarySession(dir); // killed
    scribble(dir, true);
    recordDamage(dir, 'Tree 4 page 9: free space corruption');
    markCleanClose(dir); // a session that found damage never closes as clean
    expect(record(dir)).toMatchObject({ cleanClose: false, damaged: 'Tree 4 page 9: free space corruption' });
    expect(() => beginLibrarySession(dir)).toThrow(CorruptDatabaseError);
    expect(fs.readdirSync(dir).some((f) => f.startsWith('library.db.corrupt-'))).toBe(true);
  });

  it('checks first when migrations are pending (they write), after an unclean exit', () => {
    const dir = tempDir();
    const old = openLibraryDatabase(dir, { migrate: false });
    migrate(old, MIGRATIONS, MIGRATIONS.length - 1); // a library of the version before this one
    old.close();
    // Its last session was killed.
    fs.writeFileSync(path.join(dir, CHECK_STATE_FILE), JSON.stringify({ cleanClose: false, size: 0, mtimeMs: 0, checkedAt: 0 }));
    expect(beginLibrarySession(dir)).toEqual({
      checked: true,
      reason: 'the last session did not close cleanly (or is still open)',
    });
    const now = openLibraryDatabase(dir, { migrate: false });
    expect(now.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length); // checked, then migrated
    now.close();
  });
});
