// Albums from a real library database: grouped by title and album artist (else artist), paged and
// searchable, and one album's tracks in disc and track order.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/helpers/temp-dir.ts';
import { albumTracks, listAlbums } from './albums.ts';
import { insertTracks, openTestDb } from './test-db.ts';

describe('albums', () => {
  it('groups, pages, searches, and lists an album in disc and track order', () => {
    const db = openTestDb(path.join(tempDir(), 'data'));
    const ids = insertTracks(db, [
      { path: '/m/b2.mp3', title: 'Second', album: 'Blue', artist: 'Joni' },
      { path: '/m/b1.mp3', title: 'First', album: 'Blue', artist: 'Joni' },
      { path: '/m/b3.mp3', title: 'Disc two', album: 'Blue', artist: 'Joni' },
      { path: '/m/x.mp3', title: 'Other blue', album: 'Blue', artist: 'Someone else' },
      { path: '/m/a.mp3', title: 'A', album: 'abbey road', artist: 'Beatles' },
      { path: '/m/gone.mp3', title: 'Gone', album: 'Vanished', artist: 'X', available: false },
      { path: '/m/single.mp3', title: 'No album' },
    ]);
    const set = db.prepare('UPDATE tracks SET track_no = ?, disc_no = ? WHERE id = ?');
    set.run(2, 1, ids[0]);
    set.run(1, 1, ids[1]);
    set.run(1, 2, ids[2]);
    const page = listAlbums(db, { offset: 0, limit: 10 });
    expect(page.total).toBe(3);
    expect(page.albums.map((a) => [a.title, a.artist, a.tracks])).toEqual([
      ['abbey road', 'Beatles', 1],
      ['Blue', 'Joni', 3],
      ['Blue', 'Someone else', 1],
    ]);
    expect(page.albums[1]!.coverTrackId).toBe(ids[0]);
    expect(listAlbums(db, { offset: 1, limit: 1 }).albums.map((a) => a.artist)).toEqual(['Joni']);
    expect(listAlbums(db, { offset: 0, limit: 10, search: 'else' }).albums.map((a) => a.artist)).toEqual(['Someone else']);
    expect(listAlbums(db, { offset: 0, limit: 10, search: '%' }).total).toBe(0); // a wildcard is a character here
    expect(albumTracks(db, { title: 'Blue', artist: 'Joni' }).map((t) => t.title)).toEqual(['First', 'Second', 'Disc two']);
    expect(albumTracks(db, { title: 'Vanished', artist: 'X' })).toEqual([]);
    // The kept album list follows the library: a new album appears on the next page asked for.
    insertTracks(db, [{ path: '/m/new.mp3', title: 'New', album: 'Aja', artist: 'Steely Dan' }]);
    expect(listAlbums(db, { offset: 0, limit: 1 }).albums.map((a) => a.title)).toEqual(['abbey road']);
    expect(listAlbums(db, { offset: 0, limit: 10 }).total).toBe(4);
    db.close();
  });
});
