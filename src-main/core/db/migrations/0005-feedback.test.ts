import Sqlite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate, schemaVersion } from '../migrate.ts';
import { MIGRATIONS } from './index.ts';

describe('migration 0005 (feedback, playlists, model activations)', () => {
  it('is version 5, after models', () => {
    expect(MIGRATIONS[4]).toMatchObject({ version: 5, name: 'feedback' });
  });

  it('applies on a version-4 library with a model, logs its activation, and keeps constraints and cascades', () => {
    const db = new Sqlite(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, MIGRATIONS, 4);
    db.prepare("INSERT INTO library_roots (id, path, added_at) VALUES (1, '/m', 0)").run();
    const track = db.prepare(
      'INSERT INTO tracks (id, root_id, path, size, mtime_ms, added_at, updated_at) VALUES (?, 1, ?, 1, 1, 0, 0)',
    );
    track.run(1, '/m/a.mp3');
    track.run(2, '/m/b.mp3');
    db.prepare(
      `INSERT INTO models (id, objective, definition, file, feature_version, topic_fingerprint, embedding_dim, backend, device, seed, metadata, created_at, active)
       VALUES (7, 'triplet', 'paper', 'models/7.cdzm', 1, 'abc', 7, 'wasm', 'cpu', 1, '{}', 1234, 1)`,
    ).run();
    migrate(db, MIGRATIONS, 5);
    expect(schemaVersion(db)).toBe(5);
    // The model active before the migration is the first entry of the activation log.
    expect(db.prepare('SELECT model_id, activated_at FROM model_activations').all()).toEqual([
      { model_id: 7, activated_at: 1234 },
    ]);

    const event = db.prepare(
      "INSERT INTO feedback_events (track_id, kind, position, topics, model_id, created_at) VALUES (?, ?, ?, '[1,4]', ?, 0)",
    );
    event.run(1, 'like', null, 7);
    event.run(1, 'skip', 12.5, null);
    expect(() => event.run(1, 'shrug', null, null)).toThrow(/CHECK/);
    expect(() => event.run(99, 'like', null, null)).toThrow(/FOREIGN KEY/);

    db.prepare("INSERT INTO playlists (id, name, created_at, updated_at) VALUES (1, 'Evening', 0, 0)").run();
    expect(() => db.prepare("INSERT INTO playlists (name, created_at, updated_at) VALUES ('Evening', 0, 0)").run()).toThrow(
      /UNIQUE/,
    );
    const entry = db.prepare('INSERT INTO playlist_tracks (playlist_id, position, track_id) VALUES (1, ?, ?)');
    entry.run(0, 1);
    entry.run(1, 2);
    entry.run(2, 1); // the same track may appear twice in a playlist
    expect(() => entry.run(1, 2)).toThrow(/UNIQUE|PRIMARY KEY/);

    db.prepare('DELETE FROM models WHERE id = 7').run();
    expect(db.prepare('SELECT model_id FROM feedback_events WHERE kind = ?').get('like')).toEqual({ model_id: null });
    expect(db.prepare('SELECT COUNT(*) AS n FROM model_activations').get()).toEqual({ n: 0 });
    db.prepare('DELETE FROM tracks WHERE id = 1').run();
    expect(db.prepare('SELECT COUNT(*) AS n FROM feedback_events').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT track_id FROM playlist_tracks').all()).toEqual([{ track_id: 2 }]);
    db.close();
  });
});
