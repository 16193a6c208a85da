import Sqlite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate, schemaVersion } from '../migrate.ts';
import { MIGRATIONS } from './index.ts';

const blob = (values: number[]) => Buffer.from(new Float32Array(values).buffer);
const floats = (b: Buffer) => Array.from(new Float32Array(new Uint8Array(b).buffer));

describe('migration 0010 (model inputs)', () => {
  it('is version 10, after the song vectors', () => {
    expect(MIGRATIONS[9]).toMatchObject({ version: 10, name: 'model-inputs' });
  });

  it('adds track_model_inputs on a version-9 library, backfilled with the clip descriptors of every version-2 row', () => {
    const db = new Sqlite(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, MIGRATIONS, 9);
    db.prepare("INSERT INTO library_roots (id, path, added_at) VALUES (1, '/m', 0)").run();
    const track = db.prepare(
      'INSERT INTO tracks (id, root_id, path, size, mtime_ms, added_at, updated_at) VALUES (?, 1, ?, 1, 1, 0, 0)',
    );
    const features = db.prepare(
      `INSERT INTO track_features (track_id, feature_version, features, source_size, source_mtime_ms, clip_start, clip_seconds, decoder, analysed_at, descriptors, descriptor_views)
       VALUES (?, ?, x'00000000', 1, 1, 0, 30, 'flac', 0, ?, '[{"start":0,"seconds":30}]')`,
    );
    // Two version-2 rows (one with two views), a version-1 row without descriptors, a track never analysed.
    const view = (seed: number) => Array.from({ length: 2791 }, (_, i) => seed + i / 8);
    for (const id of [1, 2, 3, 4]) track.run(id, `/m/${id}.flac`);
    features.run(1, 2, blob(view(1)));
    features.run(2, 2, blob([...view(2), ...view(100)]));
    features.run(3, 1, null);
    migrate(db, MIGRATIONS, 10);
    expect(schemaVersion(db)).toBe(10);

    const columns = db.prepare('PRAGMA table_info(track_model_inputs)').all() as {
      name: string;
      type: string;
      notnull: number;
      pk: number;
    }[];
    expect(columns.map((c) => [c.name, c.type, c.notnull, c.pk])).toEqual([
      ['track_id', 'INTEGER', 0, 1],
      ['feature_version', 'INTEGER', 1, 0],
      ['clip_descriptors', 'BLOB', 1, 0],
    ]);
    const rows = db
      .prepare('SELECT track_id, feature_version, clip_descriptors FROM track_model_inputs ORDER BY track_id')
      .all() as {
      track_id: number;
      feature_version: number;
      clip_descriptors: Buffer;
    }[];
    expect(rows.map((r) => [r.track_id, r.feature_version, r.clip_descriptors.byteLength])).toEqual([
      [1, 2, 311 * 4],
      [2, 2, 311 * 4],
    ]);
    // Exactly view 0's first 311 values, bit for bit.
    expect(floats(rows[0]!.clip_descriptors)).toEqual(view(1).slice(0, 311).map(Math.fround));
    expect(floats(rows[1]!.clip_descriptors)).toEqual(view(2).slice(0, 311).map(Math.fround));

    // The row belongs to the features row: no inputs without features, and it goes with them (and with the track).
    const insert = db.prepare('INSERT INTO track_model_inputs (track_id, feature_version, clip_descriptors) VALUES (?, 2, ?)');
    expect(() => insert.run(4, blob([1]))).toThrow(/FOREIGN KEY/);
    expect(() => insert.run(1, blob([1]))).toThrow(/UNIQUE|PRIMARY KEY/);
    expect(() => db.prepare('INSERT INTO track_model_inputs (track_id, feature_version) VALUES (3, 1)').run()).toThrow(
      /NOT NULL/,
    );
    db.prepare('DELETE FROM track_features WHERE track_id = 1').run();
    db.prepare('DELETE FROM tracks WHERE id = 2').run();
    expect(db.prepare('SELECT COUNT(*) AS n FROM track_model_inputs').get()).toEqual({ n: 0 });
    db.close();
  });
});
