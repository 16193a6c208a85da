/**
 * The host's check of the library database at start (the app's `open()`, a CLI run's first open). A
 * quick_check reads every page: 5.5 s for a 4.4-GB library of 100,000 analysed songs, on every start. It
 * finds damage done outside SQLite (a disk, a copy, another program), not by a crash: WAL recovers a
 * crash by itself. So it runs when something may have touched the file since the last check: after a
 * session that did not close cleanly, when the file's size or mtime differ from what the clean close
 * recorded, when a write-ahead log was left behind, and at least once every RECHECK_AFTER_MS. The record
 * is a small JSON file beside the database; without one (or unreadable) the check runs.
 */
import fs from 'node:fs';
import path from 'node:path';
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
}

/** Data folders whose start check this process did: only those are this process's sessions to close. */
const checkedHere = new Set<string>();

export interface StartCheck {
  checked: boolean;
  /** Why it ran or was skipped, in words (`cadenza doctor` and the benches print it). */
  reason: string;
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
  writeState(dataDir, { cleanClose: false, size: 0, mtimeMs: 0, checkedAt: sound ? now : (prior?.checkedAt ?? 0) });
  checkedHere.add(path.resolve(dataDir));
  return decision;
}

/**
 * After the host closed its database: records a clean close with the file's size and mtime now. Only in
 * the process that did the start check (a CLI command beside the running app does not close its session).
 */
export function markCleanClose(dataDir: string): void {
  if (!checkedHere.delete(path.resolve(dataDir))) return;
  const prior = readState(dataDir);
  if (!prior) return;
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
    return typeof value.cleanClose === 'boolean' && numbers ? (value as CheckState) : null;
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
