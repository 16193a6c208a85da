// Browse by artist and by genre on a real library database: names grouped in any case, counted, paged and
// searched; one name's tracks by artist, album, disc and track; an artist's albums.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/helpers/temp-dir.ts';
import { listAlbums } from './albums.ts';
import { groupTracks, listGroups } from './browse.ts';
import { insertTracks, openTestDb } from './test-db.ts';

describe('browse by artist and genre', () => {
  it('groups, counts, pages, searches and lists tracks in order', () => {
    const db = openTestDb(path.join(tempDir(), 'data'));
    const ids = insertTracks(db, [
      { path: '/m/1.flac', title: 'Two', artist: 'Joni', album: 'Blue', genres: ['Folk', 'Pop'] },
      { path: '/m/2.flac', title: 'One', artist: 'joni', album: 'Blue', genres: ['folk'] },
      { path: '/m/3.flac', title: 'Hejira', artist: 'Joni', album: 'Hejira', genres: [' Jazz '] },
      { path: '/m/4.flac', title: 'Guest', artist: 'Guest Star', album: 'Duets', genres: ['Pop'] },
      { path: '/m/5.flac', title: 'Gone', artist: 'Vanished', album: 'X', genres: ['Folk'], available: false },
      { path: '/m/6.flac', title: 'Untagged' },
      { path: '/m/7.flac', title: 'A 100% song', artist: '100% Pure', genres: ['50_50'] },
    ]);
    const set = db.prepare('UPDATE tracks SET track_no = ?, album_artist = ? WHERE id = ?');
    set.run(2, null, ids[0]);
    set.run(1, null, ids[1]);
    set.run(1, 'Joni', ids[3]); // a guest on Joni's album: browsed under the album artist

    const artists = listGroups(db, { by: 'artist', offset: 0, limit: 10 });
    expect(artists.groups.map((g) => [g.name, g.tracks, g.albums])).toEqual([
      ['100% Pure', 1, 0],
      ['Joni', 4, 3],
    ]);
    expect(artists.total).toBe(2);
    expect(artists.groups[1]!.coverTrackId).toBe(ids[0]);
    expect(listGroups(db, { by: 'artist', offset: 1, limit: 1 }).groups.map((g) => g.name)).toEqual(['Joni']);
    expect(listGroups(db, { by: 'artist', offset: 0, limit: 10, search: '%' }).groups.map((g) => g.name)).toEqual(['100% Pure']);
    expect(listGroups(db, { by: 'artist', offset: 0, limit: 10, search: 'x' }).total).toBe(0);

    const genres = listGroups(db, { by: 'genre', offset: 0, limit: 10 });
    expect(genres.groups.map((g) => [g.name, g.tracks])).toEqual([
      ['50_50', 1],
      ['Folk', 2],
      ['Jazz', 1],
      ['Pop', 2],
    ]);
    expect(listGroups(db, { by: 'genre', offset: 0, limit: 10, search: '_' }).groups.map((g) => g.name)).toEqual(['50_50']);

    const joni = groupTracks(db, { by: 'artist', name: 'JONI' });
    expect(joni.total).toBe(4);
    expect(joni.tracks.map((t) => t.title)).toEqual(['One', 'Two', 'Guest', 'Hejira']);
    const folk = groupTracks(db, { by: 'genre', name: 'folk' });
    expect(folk.tracks.map((t) => t.title)).toEqual(['One', 'Two']);
    expect(groupTracks(db, { by: 'genre', name: 'jazz' }).tracks.map((t) => t.title)).toEqual(['Hejira']);
    expect(groupTracks(db, { by: 'genre', name: 'Nothing' })).toEqual({ total: 0, tracks: [] });

    // The kept lists follow the library: a new artist appears on the next call.
    insertTracks(db, [{ path: '/m/8.flac', title: 'New', artist: 'Aaron' }]);
    expect(listGroups(db, { by: 'artist', offset: 0, limit: 1 }).groups.map((g) => g.name)).toEqual(['100% Pure']);
    expect(listGroups(db, { by: 'artist', offset: 0, limit: 10 }).total).toBe(3);
    expect(listAlbums(db, { offset: 0, limit: 10, artist: 'joni' }).albums.map((a) => [a.title, a.tracks])).toEqual([
      ['Blue', 2],
      ['Duets', 1],
      ['Hejira', 1],
    ]);
    db.close();
  });
});
