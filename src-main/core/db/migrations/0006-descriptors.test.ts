import Sqlite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate, schemaVersion } from '../migrate.ts';
import { MIGRATIONS } from './index.ts';

describe('migration 0006 (descriptors)', () => {
  it('is version 6, after feedback', () => {
    expect(MIGRATIONS[5]).toMatchObject({ version: 6, name: 'descriptors' });
  });

  it('adds nullable descriptors and descriptor_views to track_features, keeping version-1 rows', () => {
    const db = new Sqlite(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, MIGRATIONS, 5);
    db.prepare("INSERT INTO library_roots (id, path, added_at) VALUES (1, '/m', 0)").run();
    db.prepare(
      "INSERT INTO tracks (id, root_id, path, size, mtime_ms, added_at, updated_at) VALUES (1, 1, '/m/a.mp3', 1, 1, 0, 0)",
    ).run();
    db.prepare(
      `INSERT INTO track_features (track_id, feature_version, features, source_size, source_mtime_ms, clip_start, clip_seconds, decoder, analysed_at)
       VALUES (1, 1, x'00000000', 1, 1, 0, 30, 'mpg123', 0)`,
    ).run();
    migrate(db, MIGRATIONS, 6);
    expect(schemaVersion(db)).toBe(6);
    const columns = db.prepare('PRAGMA table_info(track_features)').all() as { name: string; type: string; notnull: number }[];
    expect(columns.find((c) => c.name === 'descriptors')).toMatchObject({ type: 'BLOB', notnull: 0 });
    expect(columns.find((c) => c.name === 'descriptor_views')).toMatchObject({ type: 'TEXT', notnull: 0 });
    // The old row survives with NULLs (it is re-analysed because its feature_version is 1).
    expect(db.prepare('SELECT feature_version, descriptors, descriptor_views FROM track_features').get()).toEqual({
      feature_version: 1,
      descriptors: null,
      descriptor_views: null,
    });
    const blob = Buffer.from(new Float32Array([1, 2, 3]).buffer);
    db.prepare(
      'UPDATE track_features SET feature_version = 2, descriptors = ?, descriptor_views = \'[{"start":0,"seconds":30}]\'',
    ).run(blob);
    const row = db.prepare('SELECT descriptors, descriptor_views FROM track_features').get() as {
      descriptors: Buffer;
      descriptor_views: string;
    };
    expect(Array.from(new Float32Array(new Uint8Array(row.descriptors).buffer))).toEqual([1, 2, 3]);
    expect(JSON.parse(row.descriptor_views)).toEqual([{ start: 0, seconds: 30 }]);
    db.close();
  });
});
