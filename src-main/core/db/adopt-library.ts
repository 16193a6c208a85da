import Sqlite from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DATABASE_FILE } from './open.ts';

/**
 * What a library is on disk: moving these moves the library. `library.db` goes last, so a library is
 * only "found" at its new place once everything else is there.
 */
const LIBRARY_ENTRIES = ['settings.json', 'models', `${DATABASE_FILE}-wal`, `${DATABASE_FILE}-shm`, DATABASE_FILE];
/** Written before the first entry moves and removed after the last: an interrupted move resumes. */
const MOVING_MARKER = '.cadenza-moving';

/**
 * Where earlier versions kept a library that the data folder (core/paths.ts) no longer points to:
 * the desktop app used Electron's `userData`, which on Linux is `~/.config/Cadenza` while the CLI
 * and `cadenza serve` used `~/.local/share/cadenza`. On macOS and Windows both were the same folder.
 */
export function legacyDataDirs(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string[] {
  if (platform === 'darwin' || platform === 'win32') return [];
  return [path.join(env.XDG_CONFIG_HOME ?? path.join(os.homedir(), '.config'), 'Cadenza')];
}

export interface AdoptedLibrary {
  from: string;
  to: string;
  moved: string[];
}

/**
 * Moves a library found in one of `candidates` into `dataDir` when `dataDir` has none, so the desktop
 * app, the CLI and browser mode open one library whichever was used first. A `dataDir` that already
 * has a library wins and the other is left untouched. The old database is checkpointed first (its WAL
 * folded in), entries move by rename (copy + remove across file systems), and an interrupted move
 * picks up where it stopped on the next start.
 */
export function adoptLegacyLibrary(dataDir: string, candidates: readonly string[]): AdoptedLibrary | null {
  const to = path.resolve(dataDir);
  const marker = path.join(to, MOVING_MARKER);
  const resuming = fs.existsSync(marker) ? fs.readFileSync(marker, 'utf8').trim() : null;
  if (!resuming && fs.existsSync(path.join(to, DATABASE_FILE))) return null;
  const from =
    resuming ?? candidates.map((c) => path.resolve(c)).find((c) => c !== to && fs.existsSync(path.join(c, DATABASE_FILE)));
  if (!from) return null;

  fs.mkdirSync(to, { recursive: true });
  fs.writeFileSync(marker, from);
  if (fs.existsSync(path.join(from, DATABASE_FILE))) checkpoint(path.join(from, DATABASE_FILE));
  const moved: string[] = [];
  for (const entry of LIBRARY_ENTRIES) {
    const source = path.join(from, entry);
    const target = path.join(to, entry);
    if (!fs.existsSync(source) || fs.existsSync(target)) continue;
    move(source, target);
    moved.push(entry);
  }
  fs.rmSync(marker);
  return { from, to, moved };
}

/** Folds the WAL into the database file, so the file alone is the whole library. */
function checkpoint(file: string): void {
  const db = new Sqlite(file, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 10000');
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}

function move(source: string, target: string): void {
  try {
    fs.renameSync(source, target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    // Another file system: copy to a temporary name, rename into place, then remove the original.
    const partial = `${target}.partial`;
    fs.rmSync(partial, { recursive: true, force: true });
    fs.cpSync(source, partial, { recursive: true, preserveTimestamps: true });
    fs.renameSync(partial, target);
    fs.rmSync(source, { recursive: true, force: true });
  }
}
