import type { Migration } from './types.ts';

/**
 * A version number of the `tracks` table that moves with every row inserted, changed or deleted, and
 * with nothing else: lists kept over the tracks alone (the album, artist and genre lists, the facets)
 * are computed again after a scan or a tag change, not after every commit of an analysis, which writes
 * features and leaves `tracks` alone (untilChange's 'tracks' scope reads it).
 */
export const migration0013: Migration = {
  version: 13,
  name: 'tracks-version',
  up(db) {
    db.exec(`
      CREATE TABLE table_versions (name TEXT PRIMARY KEY, version INTEGER NOT NULL) WITHOUT ROWID;
      INSERT INTO table_versions (name, version) VALUES ('tracks', 0);
      CREATE TRIGGER tracks_version_insert AFTER INSERT ON tracks BEGIN
        UPDATE table_versions SET version = version + 1 WHERE name = 'tracks';
      END;
      CREATE TRIGGER tracks_version_update AFTER UPDATE ON tracks BEGIN
        UPDATE table_versions SET version = version + 1 WHERE name = 'tracks';
      END;
      CREATE TRIGGER tracks_version_delete AFTER DELETE ON tracks BEGIN
        UPDATE table_versions SET version = version + 1 WHERE name = 'tracks';
      END;
    `);
  },
};
