import { describe, expect, it } from 'vitest';
import type { IndexedTrack } from './recommender.ts';
import { TrackList, TrackListBuilder } from './track-list.ts';

const tracks: IndexedTrack[] = [
  { id: 7, path: '/m/a.mp3', artist: 'Ånna Ümlaut', title: '東京 ☂ 雨', album: 'Först', albumArtist: null },
  { id: 2 ** 40, path: '', artist: null, title: '', album: null, albumArtist: 'Various' },
  { id: 3, path: '/m/😀 emoji.flac', artist: '', title: null },
];

describe('the packed track list of the recommendation index', () => {
  it('gives back every field as it went in: UTF-8, empty strings, nulls and absent fields apart, large ids', () => {
    const list = TrackList.of(tracks);
    expect(list.length).toBe(3);
    expect(list.at(0)).toEqual(tracks[0]);
    expect(list.at(1)).toEqual(tracks[1]);
    // Absent album fields read as null.
    expect(list.at(2)).toEqual({ ...tracks[2], album: null, albumArtist: null });
    expect(list.id(1)).toBe(2 ** 40);
    expect(list.field(0, 'title')).toBe('東京 ☂ 雨');
    expect(list.field(2, 'artist')).toBe('');
    expect(list.field(2, 'title')).toBeNull();
    expect(list.toArray().map((t) => t.id)).toEqual([7, 2 ** 40, 3]);
  });

  it('grows past its first capacity (rows and text) and refuses positions outside it', () => {
    const builder = new TrackListBuilder(1);
    const many = Array.from({ length: 1000 }, (_, i) => ({
      id: i + 1,
      path: `/music/${'x'.repeat(i % 300)}/${i}.ogg`,
      artist: `artist ${i % 13}`,
      title: `title ${i}`,
      album: i % 2 ? `album ${i}` : null,
      albumArtist: null,
    }));
    for (const t of many) builder.add(t);
    expect(builder.length).toBe(1000);
    const list = builder.finish();
    for (const i of [0, 1, 499, 998, 999]) expect(list.at(i)).toEqual(many[i]);
    expect(() => list.at(1000)).toThrow(RangeError);
    expect(() => list.id(-1)).toThrow(RangeError);
    expect(() => list.field(0.5, 'path')).toThrow(RangeError);
    expect(TrackList.of([]).length).toBe(0);
  });
});
