import { describe, expect, it } from 'vitest';
import { MixState, orderWithinLimits, type RankTracks } from './mix-rules.ts';
import { rankQueue } from './ranking.ts';

function tracks(artists: number[], albums?: number[]): RankTracks {
  return {
    count: artists.length,
    artistKey: Int32Array.from(artists),
    songKey: Int32Array.from(artists.map(() => -1)),
    albumKey: Int32Array.from(albums ?? artists.map(() => -1)),
  };
}

describe('mix limits', () => {
  it('caps the songs per artist and per album in a queue', () => {
    // Best scores all by artist 0 (album 0), then artist 1 (album 1), then singles.
    const artists = [0, 0, 0, 0, 1, 1, 1, 2, 3, 4, 5, 6];
    const albums = [0, 0, 0, 0, 1, 1, 1, 2, 3, 3, 3, 4];
    const t = tracks(artists, albums);
    const scores = Float32Array.from(artists, (_, i) => i);
    const plain = rankQueue(t, scores, { n: 12, exclude: new Set(), artistSpacing: 0 }).map((r) => r.index);
    expect(plain.filter((i) => artists[i] === 0)).toHaveLength(4);
    const capped = rankQueue(t, scores, { n: 12, exclude: new Set(), artistSpacing: 0, maxPerArtist: 2 }).map((r) => r.index);
    for (const a of new Set(artists)) expect(capped.filter((i) => artists[i] === a).length).toBeLessThanOrEqual(2);
    expect(capped).toEqual([0, 1, 4, 5, 7, 8, 9, 10, 11]);
    const byAlbum = rankQueue(t, scores, { n: 12, exclude: new Set(), artistSpacing: 0, maxPerAlbum: 1 }).map((r) => r.index);
    expect(byAlbum).toEqual([0, 4, 7, 8, 11]);
  });

  it('keeps spacing and caps together, and unknown artists and albums are never capped', () => {
    const t = tracks([-1, -1, -1, 0, 0, 0], [-1, -1, -1, -1, -1, -1]);
    const s = new MixState(t, { maxPerArtist: 1, maxPerAlbum: 1 });
    for (const i of [0, 1, 2, 3]) {
      expect(s.accepts(i)).toBe(true);
      s.take(i);
    }
    expect(s.gone(4)).toBe(true);
    expect(s.accepts(5)).toBe(false);
  });

  it('orders chosen songs by a key without putting one artist back to back', () => {
    const t = tracks([0, 0, 1, 2]);
    const energy = [1, 2, 3, 4];
    expect(orderWithinLimits(t, [3, 2, 1, 0], (i) => energy[i]!, { artistSpacing: 1 })).toEqual([0, 2, 1, 3]);
    expect(orderWithinLimits(t, [3, 2, 1, 0], (i) => -energy[i]!, { artistSpacing: 0 })).toEqual([3, 2, 1, 0]);
  });
});
