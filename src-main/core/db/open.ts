import Sqlite from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { migrate } from './migrate.ts';

export const DATABASE_FILE = 'library.db';

export class CorruptDatabaseError extends Error {
  constructor(
    readonly file: string,
    readonly movedTo: string,
    readonly detail: string,
  ) {
    super(
      `the library database ${file} is damaged (${detail}). It was moved aside to ${movedTo} and nothing ` +
        'was overwritten; the next start creates a new, empty library (rescan your folders), ' +
        'or restore the moved file yourself.',
    );
    this.name = 'CorruptDatabaseError';
  }
}

export interface OpenOptions {
  /** Apply pending migrations (default true). */
  migrate?: boolean;
  readonly?: boolean;
  /**
   * Check the file before use and move a damaged one aside (default 'none'). Only the host process does
   * this, at start (`checkLibraryDatabase`, start-check.ts): a worker that renamed the live file would pull it from
   * under the main process and its siblings, and a check per open costs seconds on a large library.
   */
  check?: 'none' | 'quick' | 'full';
}

export function databasePath(dataDir: string): string {
  return path.join(dataDir, DATABASE_FILE);
}

/**
 * Opens (creating if needed) the library database in `dataDir`: WAL, foreign keys, a busy timeout and
 * pending migrations. With `check` it first runs quick_check (or integrity_check) and moves a damaged file
 * aside, never overwriting it; without, damage surfaces as SQLite's own error and nothing is moved.
 */
export function openLibraryDatabase(dataDir: string, options: OpenOptions = {}): Database {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = databasePath(dataDir);
  const check = options.check ?? 'none';
  const existed = fs.existsSync(file) && fs.statSync(file).size > 0;
  let db: Database | undefined;
  try {
    db = new Sqlite(file, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
    db.pragma('busy_timeout = 10000');
    if (existed && check !== 'none') {
      const pragma = check === 'full' ? 'integrity_check' : 'quick_check';
      const problems = (db.pragma(pragma, { simple: false }) as Record<string, string>[]).map(
        (row) => Object.values(row)[0] ?? '',
      );
      if (problems.length !== 1 || problems[0] !== 'ok') throw new DamagedError(problems.slice(0, 10).join('; ') || 'no answer');
    }
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
    }
    db.pragma('foreign_keys = ON');
    if (options.migrate ?? true) migrate(db);
    return db;
  } catch (error) {
    db?.close();
    if (existed && check !== 'none' && isDamage(error)) {
      const detail = error instanceof Error ? error.message : String(error);
      throw new CorruptDatabaseError(file, moveAside(file), detail);
    }
    throw error;
  }
}

class DamagedError extends Error {}

function isDamage(error: unknown): boolean {
  if (error instanceof DamagedError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT' || (typeof code === 'string' && code.startsWith('SQLITE_CORRUPT'));
}

/** Renames the database and its WAL/SHM companions to `<name>.corrupt-<timestamp>`. */
function moveAside(file: string): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const target = `${file}.corrupt-${stamp}`;
  fs.renameSync(file, target);
  for (const suffix of ['-wal', '-shm']) {
    if (fs.existsSync(file + suffix)) fs.renameSync(file + suffix, target + suffix);
  }
  return target;
}
