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
 * Applies every migration above the database's `user_version`, each in its own transaction
 * that also sets `user_version`, so a crash leaves the database at a whole version.
 */
export function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS, target?: number): number {
  const latest = target ?? migrations.length;
  const current = schemaVersion(db);
  if (current > migrations.length) throw new SchemaTooNewError(current, migrations.length);
  for (const migration of migrations) {
    if (migration.version <= current || migration.version > latest) continue;
    db.transaction(() => {
      migration.up(db);
      // PRAGMA does not take bound parameters; the version is a trusted integer.
      db.pragma(`user_version = ${Math.trunc(migration.version)}`);
    }).immediate();
  }
  return schemaVersion(db);
}
