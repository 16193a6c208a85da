import Sqlite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate, schemaVersion } from '../migrate.ts';
import { MIGRATIONS } from './index.ts';

describe('migration 0007 (loudness)', () => {
  it('is version 7, after descriptors', () => {
    expect(MIGRATIONS[6]).toMatchObject({ version: 7, name: 'loudness' });
  });

  it('adds the gain tag columns (existing tracks marked for one more tag read) and track_loudness', () => {
    const db = new Sqlite(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, MIGRATIONS, 6);
    db.prepare("INSERT INTO library_roots (id, path, added_at) VALUES (1, '/m', 0)").run();
    db.prepare(
      "INSERT INTO tracks (id, root_id, path, size, mtime_ms, added_at, updated_at) VALUES (1, 1, '/m/a.mp3', 1, 1, 0, 0)",
    ).run();
    migrate(db, MIGRATIONS, 7);
    expect(schemaVersion(db)).toBe(7);
    expect(
      db.prepare('SELECT rg_track_gain, rg_track_peak, rg_album_gain, rg_album_peak, gain_tags_read FROM tracks').get(),
    ).toEqual({
      rg_track_gain: null,
      rg_track_peak: null,
      rg_album_gain: null,
      rg_album_peak: null,
      gain_tags_read: 0,
    });
    expect(() => db.prepare('UPDATE tracks SET gain_tags_read = 2').run()).toThrow(/CHECK/);
    // Album gains are gathered by album title.
    expect(db.prepare("SELECT sql FROM sqlite_master WHERE name = 'tracks_album_for_gain'").get()).toEqual({
      sql: expect.stringMatching(/ON tracks\(album\)/),
    });
    db.prepare(
      'INSERT INTO track_loudness (track_id, integrated_lufs, sample_peak, measured_start, measured_seconds, measured_at) VALUES (1, -14.2, 0.98, 60, 30, 5)',
    ).run();
    expect(() =>
      db
        .prepare(
          'INSERT INTO track_loudness (track_id, integrated_lufs, sample_peak, measured_start, measured_seconds, measured_at) VALUES (99, -14, 1, 0, 30, 5)',
        )
        .run(),
    ).toThrow(/FOREIGN KEY/);
    // Removing the track removes its measurement.
    db.prepare('DELETE FROM tracks WHERE id = 1').run();
    expect(db.prepare('SELECT COUNT(*) AS n FROM track_loudness').get()).toEqual({ n: 0 });
    db.close();
  });
});
