import type { Database } from 'better-sqlite3';
import { afterEach } from 'vitest';
import { openLibraryDatabase } from '../../src-main/core/db/open.ts';

/** An opener of library databases for one test file: every database it opened is closed after each test. */
export function databaseOpener(): (dataDir: string) => Database {
  const opened: Database[] = [];
  afterEach(() => {
    for (const d of opened.splice(0)) d.close();
  });
  return (dataDir) => {
    const d = openLibraryDatabase(dataDir);
    opened.push(d);
    return d;
  };
}
