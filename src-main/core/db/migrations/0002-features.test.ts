import Sqlite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate, schemaVersion } from '../migrate.ts';
import { MIGRATIONS } from './index.ts';

describe('migration 0002 (features)', () => {
  it('is version 2, after the library', () => {
    expect(MIGRATIONS[1]).toMatchObject({ version: 2, name: 'features' });
  });

  it('applies on a version-1 library with data, which it keeps; constraints and cascades hold', () => {
    const db = new Sqlite(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, MIGRATIONS, 1);
    db.prepare("INSERT INTO library_roots (id, path, added_at) VALUES (1, '/m', 0)").run();
    db.prepare(
      "INSERT INTO tracks (id, root_id, path, size, mtime_ms, added_at, updated_at) VALUES (1, 1, '/m/a.mp3', 10, 20, 0, 0)",
    ).run();
    migrate(db, MIGRATIONS, 2);
    expect(schemaVersion(db)).toBe(2);
    expect(db.prepare('SELECT path FROM tracks').all()).toEqual([{ path: '/m/a.mp3' }]);

    const features = Buffer.from(new Float32Array(7560).fill(0.5).buffer);
    const insert = db.prepare(
      `INSERT INTO track_features (track_id, feature_version, features, source_size, source_mtime_ms, clip_start, clip_seconds, decoder, analysed_at)
       VALUES (?, 1, ?, 10, 20, 5, 30, 'pcm-wav', 0)`,
    );
    insert.run(1, features);
    expect(() => insert.run(1, features)).toThrow(/UNIQUE|PRIMARY KEY/);
    expect(() => insert.run(99, features)).toThrow(/FOREIGN KEY/);
    expect(() =>
      db
        .prepare(
          "INSERT INTO track_features (track_id, feature_version, source_size, source_mtime_ms, clip_start, clip_seconds, decoder, analysed_at) VALUES (1, 1, 1, 1, 0, 0, 'x', 0)",
        )
        .run(),
    ).toThrow(/NOT NULL/);
    db.prepare(
      "INSERT INTO analysis_failures (track_id, feature_version, source_size, source_mtime_ms, code, reason, failed_at) VALUES (1, 1, 10, 20, 'corrupt', 'bad', 0)",
    ).run();
    const blob = (db.prepare('SELECT features FROM track_features').get() as { features: Buffer }).features;
    expect(new Float32Array(blob.buffer, blob.byteOffset, blob.byteLength / 4)[7559]).toBe(0.5);

    db.prepare('DELETE FROM tracks WHERE id = 1').run();
    expect(db.prepare('SELECT COUNT(*) AS n FROM track_features').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT COUNT(*) AS n FROM analysis_failures').get()).toEqual({ n: 0 });
    db.close();
  });
});
