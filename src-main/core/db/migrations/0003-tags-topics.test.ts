import Sqlite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate, schemaVersion } from '../migrate.ts';
import { MIGRATIONS } from './index.ts';

function names(db: Sqlite.Database, type: 'table' | 'index'): string[] {
  return (db.prepare('SELECT name FROM sqlite_master WHERE type = ? ORDER BY name').all(type) as { name: string }[]).map(
    (r) => r.name,
  );
}

describe('migration 0003 (tags and topics)', () => {
  it('is version 3, in place after 0002', () => {
    expect(MIGRATIONS[2]?.version).toBe(3);
    expect(MIGRATIONS[2]?.name).toBe('tags-topics');
  });

  it('applies on a version-2 library with data, which it keeps; constraints and cascades hold', () => {
    const db = new Sqlite(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, MIGRATIONS, 2);
    expect(schemaVersion(db)).toBe(2);
    db.prepare("INSERT INTO library_roots (id, path, added_at) VALUES (1, '/m', 0)").run();
    const track = db.prepare(
      'INSERT INTO tracks (id, root_id, path, size, mtime_ms, genres, added_at, updated_at) VALUES (?, 1, ?, 1, 1, \'["Rock"]\', 0, 0)',
    );
    track.run(1, '/m/a.mp3');
    track.run(2, '/m/b.mp3');

    migrate(db, MIGRATIONS, 3);
    expect(schemaVersion(db)).toBe(3);
    expect(db.prepare('SELECT genres FROM tracks WHERE id = 1').get()).toEqual({ genres: '["Rock"]' });
    expect(names(db, 'table')).toEqual(expect.arrayContaining(['track_tags', 'topic_models', 'track_topics']));

    // track_tags: sources are checked, (track, tag, source) is unique, the same tag may come from two sources.
    const tag = db.prepare('INSERT INTO track_tags (track_id, tag, raw, source, added_at) VALUES (?, ?, ?, ?, 0)');
    tag.run(1, 'hiphop', 'Hip-Hop', 'user');
    tag.run(1, 'hiphop', 'hip hop', 'import');
    tag.run(1, 'rock', 'Rock', 'user-removed');
    expect(() => tag.run(1, 'hiphop', 'HIPHOP', 'user')).toThrow(/UNIQUE/);
    expect(() => tag.run(1, 'jazz', 'Jazz', 'file')).toThrow(/CHECK/);
    expect(() => tag.run(99, 'jazz', 'Jazz', 'user')).toThrow(/FOREIGN KEY/);

    // topic_models: at most one active model.
    const model = db.prepare(
      `INSERT INTO topic_models (id, fingerprint, k, seed, alpha, beta, sweeps, min_doc_freq, vocab, topic_word, topic_share,
         labels, top_tags, num_docs, num_tokens, log_likelihood, created_at, active)
       VALUES (?, ?, 2, 1, 0.3, 0.1, 10, 1, '["a","b"]', ?, ?, '["a","b"]', '[[],[]]', 2, 2, NULL, 0, ?)`,
    );
    const blob = Buffer.alloc(16);
    model.run(1, 'f1', blob, Buffer.alloc(8), 1);
    expect(() => model.run(2, 'f2', blob, Buffer.alloc(8), 1)).toThrow(/UNIQUE/);
    model.run(2, 'f2', blob, Buffer.alloc(8), 0);
    expect(() => model.run(3, 'f3', blob, Buffer.alloc(8), 2)).toThrow(/CHECK/);

    // track_topics: one row per (track, model), cascades from both sides.
    const topics = db.prepare('INSERT INTO track_topics (track_id, model_id, theta, topic_set, dominant) VALUES (?, ?, ?, ?, ?)');
    topics.run(1, 1, Buffer.alloc(8), '[1]', 1);
    topics.run(2, 1, Buffer.alloc(8), '[2,1]', 2);
    topics.run(2, 2, Buffer.alloc(8), '[1]', 1);
    expect(() => topics.run(1, 1, Buffer.alloc(8), '[1]', 1)).toThrow(/UNIQUE|PRIMARY KEY/);
    expect(() => topics.run(1, 9, Buffer.alloc(8), '[1]', 1)).toThrow(/FOREIGN KEY/);
    expect(() => topics.run(1, 2, Buffer.alloc(8), '[0]', 0)).toThrow(/CHECK/);

    db.prepare('DELETE FROM tracks WHERE id = 1').run();
    expect(db.prepare('SELECT COUNT(*) AS n FROM track_tags').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT track_id, model_id FROM track_topics ORDER BY model_id').all()).toEqual([
      { track_id: 2, model_id: 1 },
      { track_id: 2, model_id: 2 },
    ]);
    db.prepare('DELETE FROM topic_models WHERE id = 1').run();
    expect(db.prepare('SELECT track_id, model_id FROM track_topics').all()).toEqual([{ track_id: 2, model_id: 2 }]);
    db.close();
  });
});
