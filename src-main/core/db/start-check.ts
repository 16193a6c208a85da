/**
 * The host's check of the library database at start (the app's `open()`, a CLI run's first open). A
 * quick_check reads every page: 5.5 s for a 4.4-GB library of 100,000 analysed songs, on every start. It
 * finds damage done outside SQLite (a disk, a copy, another program), not by a crash: WAL recovers a
 * crash by itself. So it runs when something may have touched the file since the last check: after a
 * session that did not close cleanly, when the file's size or mtime differ from what the clean close
 * recorded, when a write-ahead log was left behind, and at least once every RECHECK_AFTER_MS. The record
 * is a small JSON file beside the database; without one (or unreadable) the check runs. The app does not
 * wait for it (beginLibrarySession): it serves reads at once and holds writes until the check, in a
 * worker (db-check.ts), has passed; damage found then is recorded, and the next start checks first.
 */
import fs from 'node:fs';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { MIGRATIONS } from './migrations/index.ts';
import { schemaVersion } from './migrate.ts';
import { databasePath, openLibraryDatabase } from './open.ts';

export const CHECK_STATE_FILE = 'library.db.check.json';
/** The longest a start goes without a quick_check (a week). */
export const RECHECK_AFTER_MS = 7 * 24 * 3600 * 1000;
const NEW_LIBRARY = 'a new library';

/** What the host last recorded of the database file. */
interface CheckState {
  /** The last session closed the database (true), or one is open or ended without closing (false). */
  cleanClose: boolean;
  /** The file's size and mtime at the clean close. */
  size: number;
  mtimeMs: number;
  /** When quick_check (or integrity_check) last found the file sound (ms since the epoch). */
  checkedAt: number;
  /** A check that ran after the start (the app's, in a worker) found damage: the next start checks first. */
  damaged?: string;
}

/** Data folders whose start check this process did: only those are this process's sessions to close. */
const checkedHere = new Set<string>();

export interface StartCheck {
  checked: boolean;
  /** Why it ran or was skipped, in words (`cadenza doctor` and the benches print it). */
  reason: string;
  /**
   * The quick_check is due but was left to run after the start (beginLibrarySession): the caller runs it
   * (`runQuickCheck`, off its thread) and holds every write until it passes.
   */
  deferred?: boolean;
}

/**
 * Checks (when needed, see above; `full`: always, integrity_check), migrates and closes the database; a
 * damaged file is moved aside (CorruptDatabaseError). Records the session as open until markCleanClose.
 */
export function checkLibraryDatabase(dataDir: string, level: 'quick' | 'full' = 'quick', now = Date.now()): StartCheck {
  const prior = readState(dataDir);
  const decision: StartCheck =
    level === 'full' ? { checked: true, reason: 'the full check was asked for' } : checkNeeded(dataDir, prior, now);
  openLibraryDatabase(dataDir, { check: decision.checked ? level : 'none' }).close();
  // A file made by this open is sound as of now, as is one just checked.
  const sound = decision.checked || decision.reason === NEW_LIBRARY;
  openSession(dataDir, sound ? now : (prior?.checkedAt ?? 0));
  return decision;
}

/**
 * The app's start: as checkLibraryDatabase, but a quick_check that is due is left to run after the
 * start (`deferred`), so the first page is served at once; the caller runs it with runQuickCheck and
 * writes nothing until it passes. The check still runs first, as checkLibraryDatabase does it, when an
 * earlier deferred check found damage (so the damaged file is moved aside now, with nothing holding it
 * open) and when migrations are pending (they write).
 */
export function beginLibrarySession(dataDir: string, now = Date.now()): StartCheck {
  const prior = readState(dataDir);
  const decision = checkNeeded(dataDir, prior, now);
  if (!decision.checked || prior?.damaged !== undefined || migrationsPending(dataDir)) {
    return checkLibraryDatabase(dataDir, 'quick', now);
  }
  openSession(dataDir, prior?.checkedAt ?? 0);
  return { ...decision, deferred: true };
}

/**
 * Runs quick_check on the library on a read-only connection of its own (a worker calls this; the host's
 * connections keep reading and the check sees one snapshot): the problems found, none when sound.
 */
export function quickCheckProblems(dataDir: string): string[] {
  const db = new Sqlite(databasePath(dataDir), { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 10000');
    const rows = (db.pragma('quick_check', { simple: false }) as Record<string, string>[]).map(
      (row) => Object.values(row)[0] ?? '',
    );
    if (rows.length === 1 && rows[0] === 'ok') return [];
    // One answer may hold many findings, one per line, under a "*** in database main ***" heading.
    const findings = rows.flatMap((row) => row.split('\n')).map((line) => line.trim());
    return findings.filter((line) => line !== '' && !/^\*\*\*.*\*\*\*$/.test(line));
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    // A page SQLite cannot read is the damage itself; any other failure (the file gone) is not an answer.
    if (typeof code === 'string' && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB'))
      return [error instanceof Error ? error.message : String(error)];
    throw error;
  } finally {
    db.close();
  }
}

/** A deferred check passed: recorded as the last check (the session stays open until markCleanClose). */
export function recordCheckPassed(dataDir: string, now = Date.now()): void {
  const prior = readState(dataDir);
  if (prior) writeState(dataDir, { ...prior, checkedAt: now });
}

/**
 * A deferred check found damage: recorded, so the session is never closed as clean and the next start
 * checks before anything opens the file (and moves it aside with CorruptDatabaseError).
 */
export function recordDamage(dataDir: string, detail: string): void {
  checkedHere.delete(path.resolve(dataDir));
  const prior = readState(dataDir);
  writeState(dataDir, { cleanClose: false, size: 0, mtimeMs: 0, checkedAt: prior?.checkedAt ?? 0, damaged: detail });
}

/**
 * The session ends before its deferred check finished: left open (not clean), so the next start checks.
 */
export function abandonSession(dataDir: string): void {
  checkedHere.delete(path.resolve(dataDir));
}

function openSession(dataDir: string, checkedAt: number): void {
  writeState(dataDir, { cleanClose: false, size: 0, mtimeMs: 0, checkedAt });
  checkedHere.add(path.resolve(dataDir));
}

function migrationsPending(dataDir: string): boolean {
  const db = new Sqlite(databasePath(dataDir), { readonly: true, fileMustExist: true });
  try {
    return schemaVersion(db) !== MIGRATIONS.length;
  } catch {
    return true; // unreadable: the check, first, says why
  } finally {
    db.close();
  }
}

/**
 * After the host closed its database: records a clean close with the file's size and mtime now. Only in
 * the process that did the start check (a CLI command beside the running app does not close its session).
 */
export function markCleanClose(dataDir: string): void {
  if (!checkedHere.delete(path.resolve(dataDir))) return;
  const prior = readState(dataDir);
  if (!prior || prior.damaged !== undefined) return;
  try {
    const stat = fs.statSync(databasePath(dataDir));
    writeState(dataDir, { cleanClose: true, size: stat.size, mtimeMs: stat.mtimeMs, checkedAt: prior.checkedAt });
  } catch {
    // no file (moved aside or never made): the next start checks
  }
}

function checkNeeded(dataDir: string, state: CheckState | null, now: number): StartCheck {
  const file = databasePath(dataDir);
  if (!fs.existsSync(file)) return { checked: false, reason: NEW_LIBRARY };
  if (!state) return { checked: true, reason: 'no record of an earlier check' };
  if (state.damaged !== undefined) return { checked: true, reason: `the last check found damage (${state.damaged})` };
  if (!state.cleanClose) return { checked: true, reason: 'the last session did not close cleanly (or is still open)' };
  const stat = fs.statSync(file);
  if (stat.size !== state.size || stat.mtimeMs !== state.mtimeMs)
    return { checked: true, reason: 'the file changed since the last clean close' };
  const wal = `${file}-wal`;
  if (fs.existsSync(wal) && fs.statSync(wal).size > 0) return { checked: true, reason: 'a write-ahead log was left behind' };
  if (!(now - state.checkedAt < RECHECK_AFTER_MS)) return { checked: true, reason: 'a week since the last check' };
  return { checked: false, reason: 'closed cleanly and unchanged since a check this week' };
}

function statePath(dataDir: string): string {
  return path.join(dataDir, CHECK_STATE_FILE);
}

function readState(dataDir: string): CheckState | null {
  try {
    const value = JSON.parse(fs.readFileSync(statePath(dataDir), 'utf8')) as Partial<CheckState>;
    const numbers = [value.size, value.mtimeMs, value.checkedAt].every((n) => typeof n === 'number' && Number.isFinite(n));
    const damaged = value.damaged === undefined || typeof value.damaged === 'string';
    return typeof value.cleanClose === 'boolean' && numbers && damaged ? (value as CheckState) : null;
  } catch {
    return null;
  }
}

/** Written whole to a temporary file and renamed, so a crash leaves the old record or the new one. */
function writeState(dataDir: string, state: CheckState): void {
  const target = statePath(dataDir);
  const temporary = `${target}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(temporary, JSON.stringify(state));
    fs.renameSync(temporary, target);
  } catch {
    fs.rmSync(temporary, { force: true }); // a read-only data folder: every start checks
  }
}
