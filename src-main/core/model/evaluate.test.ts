import { describe, expect, it } from 'vitest';
import type { Song } from './data.ts';
import { songToSongChance, songToSongMetrics, userToSongChance, userToSongMetrics } from './evaluate.ts';

const song = (dominant: number, topics = [dominant]): Song => ({ trackId: dominant, artist: '', topics, dominant });

describe('evaluation metrics', () => {
  const songs = [song(0), song(1), song(0, [0, 2]), song(2)];

  it('user → song: top-1, precision@10 and pairwise accuracy from a distance matrix', () => {
    // Group {topic 0} (mask 1): positives songs 0 and 2; negatives songs 1 and 3.
    // Group {topic 1} (mask 2): positive song 1; negatives 0, 2 and 3.
    const perfect = Float32Array.from([0.1, 0.9, 0.2, 0.8, 0.5, 0.1, 0.6, 0.7]);
    expect(userToSongMetrics(perfect, [1, 2], songs)).toEqual({ top1: 1, precision10: (2 / 4 + 1 / 4) / 2, pairwise: 1 });
    const wrong = Float32Array.from([0.9, 0.1, 0.8, 0.2, 0.1, 0.9, 0.2, 0.3]);
    const m = userToSongMetrics(wrong, [1, 2], songs);
    expect(m.top1).toBe(0);
    expect(m.pairwise).toBe(0);
    const ties = new Float32Array(8).fill(1);
    expect(userToSongMetrics(ties, [1, 2], songs).pairwise).toBe(0.5);
    expect(userToSongChance([1, 2], songs)).toEqual({ top1: (2 / 4 + 1 / 4) / 2, precision10: (2 / 4 + 1 / 4) / 2, pairwise: 0.5 });
  });

  it('song → song: the nearest other song, the diagonal ignored', () => {
    const d = Float32Array.from([0, 5, 1, 4, 5, 0, 3, 1, 1, 3, 0, 4, 4, 1, 4, 0]);
    const m = songToSongMetrics(d, songs);
    expect(m.top1).toBe(0.5); // songs 0 and 2 find each other; 1 and 3 find each other but differ
    expect(songToSongChance(songs).top1).toBeCloseTo((1 / 3 + 0 + 1 / 3 + 0) / 4);
  });
});
