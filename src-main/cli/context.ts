import type { Database } from 'better-sqlite3';
import { adoptLegacyLibrary, legacyDataDirs } from '../core/db/adopt-library.ts';
import { openLibraryDatabase } from '../core/db/open.ts';
import { checkLibraryDatabase } from '../core/db/start-check.ts';
import { resolveDataDir } from '../core/paths.ts';

/** What every command gets: where the data lives, how to print, and the database on demand. */
export interface CommandContext {
  dataDir: string;
  json: boolean;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** The library database; the first call of a run also checks it when needed (start-check.ts; never in workers). */
  openDb: () => Database;
}

export class UsageError extends Error {}

export function makeContext(dataDirFlag: string | undefined, json: boolean): CommandContext {
  const dataDir = resolveDataDir(dataDirFlag);
  // One library whichever way it is opened: the default folder takes over one the desktop app left.
  if (dataDirFlag === undefined && !process.env.CADENZA_DATA_DIR) {
    const adopted = adoptLegacyLibrary(dataDir, legacyDataDirs());
    if (adopted) process.stderr.write(`moved your library from ${adopted.from} to ${adopted.to}\n`);
  }
  // The first open of a CLI run checks the file when it may have been touched since the last check
  // (start-check.ts; a damaged one is moved aside, exit 3); later opens and the command's workers do not.
  let checked = false;
  return {
    dataDir,
    json,
    stdout: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    stderr: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
    openDb: () => {
      if (!checked) checkLibraryDatabase(dataDir);
      checked = true;
      return openLibraryDatabase(dataDir);
    },
  };
}

export function printJson(ctx: CommandContext, value: unknown): void {
  ctx.stdout(JSON.stringify(value));
}
