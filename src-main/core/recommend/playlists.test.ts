// Saved playlists over a real SQLite file: by name (the CLI) and by id (the app API).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from 'better-sqlite3';
import { tempDir } from '../../../test/helpers/temp-dir.ts';
import { insertTracks, openTestDb } from '../app/test-db.ts';
import {
  deletePlaylist,
  deletePlaylistById,
  findPlaylist,
  getPlaylist,
  listPlaylists,
  playlistSummary,
  playlistTrackIds,
  savePlaylist,
} from './playlists.ts';

describe('playlists', () => {
  let db: Database;
  let ids: number[];

  beforeAll(() => {
    db = openTestDb(tempDir());
    ids = insertTracks(db, [{ path: '/m/a.mp3', title: 'A' }, { path: '/m/b.mp3', title: 'B' }, { path: '/m/c.mp3' }]);
  });
  afterAll(() => db?.close());

  it('saves in order, lists with counts and dates, and finds by name and id', () => {
    const saved = savePlaylist(db, ' Evening ', [ids[2]!, ids[0]!, ids[2]!], 1000);
    expect(saved).toMatchObject({ name: 'Evening', createdAt: 1000, updatedAt: 1000 });
    expect(saved.tracks.map((t) => t.id)).toEqual([ids[2], ids[0], ids[2]]);
    savePlaylist(db, 'Aubade', [ids[1]!], 2000);
    const evening = { id: saved.id, name: 'Evening', tracks: 3, createdAt: 1000, updatedAt: 1000 };
    expect(listPlaylists(db)).toEqual([
      { id: expect.any(Number), name: 'Aubade', tracks: 1, createdAt: 2000, updatedAt: 2000 },
      evening,
    ]);
    expect(findPlaylist(db, 'Evening ')).toEqual(evening);
    expect(findPlaylist(db, 'evening')).toBeNull();
    expect(playlistSummary(db, saved.id)).toEqual(evening);
    expect(playlistSummary(db, 9999)).toBeNull();
    expect(playlistTrackIds(db, saved.id)).toEqual([ids[2], ids[0], ids[2]]);
    expect(playlistTrackIds(db, 9999)).toBeNull();
  });

  it('saving under a name in use replaces its tracks and keeps its id and creation date', () => {
    const before = findPlaylist(db, 'Evening')!;
    const again = savePlaylist(db, 'Evening', [ids[1]!], 5000);
    expect(again).toMatchObject({ id: before.id, createdAt: 1000, updatedAt: 5000 });
    expect(playlistTrackIds(db, before.id)).toEqual([ids[1]]);
    expect(getPlaylist(db, 'Evening')!.tracks.map((t) => t.id)).toEqual([ids[1]]);
  });

  it('deletes by id or by name; an empty playlist still lists with 0 tracks', () => {
    const aubade = findPlaylist(db, 'Aubade')!;
    db.prepare('DELETE FROM tracks WHERE id = ?').run(ids[1]);
    expect(listPlaylists(db).map((p) => [p.name, p.tracks])).toEqual([
      ['Aubade', 0],
      ['Evening', 0],
    ]);
    expect(deletePlaylistById(db, aubade.id)).toBe(true);
    expect(deletePlaylistById(db, aubade.id)).toBe(false);
    expect(deletePlaylist(db, 'Evening')).toBe(true);
    expect(listPlaylists(db)).toEqual([]);
  });
});
