import Sqlite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate, schemaVersion } from '../migrate.ts';
import { MIGRATIONS } from './index.ts';

describe('migration 0004 (models)', () => {
  it('is version 4, after tags and topics', () => {
    expect(MIGRATIONS[3]).toMatchObject({ version: 4, name: 'models' });
  });

  it('applies on a version-3 library with data; one active model at most; embeddings cascade', () => {
    const db = new Sqlite(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, MIGRATIONS, 3);
    db.prepare("INSERT INTO library_roots (id, path, added_at) VALUES (1, '/m', 0)").run();
    const track = db.prepare(
      'INSERT INTO tracks (id, root_id, path, size, mtime_ms, added_at, updated_at) VALUES (?, 1, ?, 1, 1, 0, 0)',
    );
    track.run(1, '/m/a.mp3');
    track.run(2, '/m/b.mp3');
    migrate(db, MIGRATIONS, 4);
    expect(schemaVersion(db)).toBe(4);
    expect(db.prepare('SELECT COUNT(*) AS n FROM tracks').get()).toEqual({ n: 2 });

    const model = db.prepare(
      `INSERT INTO models (id, objective, definition, file, feature_version, topic_fingerprint, embedding_dim, backend, device, seed, metadata, created_at, active)
       VALUES (?, 'triplet', 'paper', ?, 1, 'abc', 7, 'wasm', 'cpu', 1, '{}', 0, ?)`,
    );
    model.run(1, 'models/1.cdzm', 1);
    model.run(2, 'models/2.cdzm', 0);
    expect(() => model.run(3, 'models/3.cdzm', 1)).toThrow(/UNIQUE/); // a second active model
    expect(() => model.run(4, 'models/4.cdzm', 2)).toThrow(/CHECK/);

    const embed = db.prepare('INSERT INTO track_embeddings (track_id, model_id, embedding, feature_version) VALUES (?, ?, ?, 1)');
    const e = Buffer.from(new Float32Array(7).buffer);
    embed.run(1, 1, e);
    embed.run(2, 1, e);
    embed.run(1, 2, e);
    expect(() => embed.run(1, 1, e)).toThrow(/UNIQUE|PRIMARY KEY/);
    expect(() => embed.run(1, 99, e)).toThrow(/FOREIGN KEY/);
    db.prepare('DELETE FROM tracks WHERE id = 1').run();
    expect(db.prepare('SELECT COUNT(*) AS n FROM track_embeddings').get()).toEqual({ n: 1 });
    db.prepare('DELETE FROM models WHERE id = 1').run();
    expect(db.prepare('SELECT COUNT(*) AS n FROM track_embeddings').get()).toEqual({ n: 0 });
    db.close();
  });
});
