import type { Database } from 'better-sqlite3';
import { MIGRATIONS, type Migration } from './migrations/index.ts';

export class SchemaTooNewError extends Error {
  constructor(found: number, known: number) {
    super(
      `the library database has schema version ${found}, newer than this Cadenza knows (${known}); ` +
        'update Cadenza or point --data-dir at another folder',
    );
    this.name = 'SchemaTooNewError';
  }
}

export function schemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Applies every migration above the database's `user_version`, each in its own (immediate) transaction
 * that re-reads and sets `user_version`, so a crash leaves the database at a whole version and two
 * processes migrating at once apply each step once.
 */
export function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS, target?: number): number {
  const latest = target ?? migrations.length;
  const found = schemaVersion(db);
  if (found > migrations.length) throw new SchemaTooNewError(found, migrations.length);
  for (const migration of migrations) {
    if (migration.version <= found || migration.version > latest) continue;
    db.transaction(() => {
      // Re-read inside the write lock: another process opening the file at the same moment may have
      // applied this step since the read above.
      if (schemaVersion(db) >= migration.version) return;
      migration.up(db);
      // PRAGMA does not take bound parameters; the version is a trusted integer.
      db.pragma(`user_version = ${Math.trunc(migration.version)}`);
    }).immediate();
  }
  return schemaVersion(db);
}
