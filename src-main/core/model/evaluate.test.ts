import { describe, expect, it } from 'vitest';
import type { Song } from './data.ts';
import { evaluationSplits, mfccStatistics, singleTopicGroups, songToSongChance, songToSongMetrics, userToSongChance, userToSongMetrics } from './evaluate.ts';
import { syntheticDataset } from './synthetic.ts';

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

describe('evaluation splits', () => {
  const ds = syntheticDataset({ songs: 103, width: 36, seed: 3, songsPerArtist: 3 });
  const artistOf = (i: number) => ds.songs[i]!.artist;

  it('k folds by artist: every song is tested exactly once, no artist on both sides, folds of similar size', () => {
    const splits = evaluationSplits(ds.songs, { seeds: 3, firstSeed: 1, folds: 5, testFraction: 0.2, validationFraction: 0.1 });
    expect(splits.map((s) => s.name)).toEqual(['fold 1/5', 'fold 2/5', 'fold 3/5', 'fold 4/5', 'fold 5/5']);
    const tested = splits.flatMap((s) => s.test).sort((a, b) => a - b);
    expect(tested).toEqual(ds.songs.map((_, i) => i));
    for (const s of splits) {
      const testArtists = new Set(s.test.map(artistOf));
      for (const i of [...s.train, ...s.validation]) expect(testArtists.has(artistOf(i))).toBe(false);
      const validationArtists = new Set(s.validation.map(artistOf));
      for (const i of s.train) expect(validationArtists.has(artistOf(i))).toBe(false);
      expect(s.train.length + s.validation.length + s.test.length).toBe(103);
      expect(s.test.length).toBeGreaterThanOrEqual(18);
      expect(s.test.length).toBeLessThanOrEqual(24);
    }
  });

  it('seeded 80/20 splits differ by seed and are artist-disjoint', () => {
    const splits = evaluationSplits(ds.songs, { seeds: 2, firstSeed: 7, folds: 0, testFraction: 0.2, validationFraction: 0.1 });
    expect(splits.map((s) => s.name)).toEqual(['seed 7', 'seed 8']);
    expect(splits[0]!.test).not.toEqual(splits[1]!.test);
    const testArtists = new Set(splits[0]!.test.map(artistOf));
    for (const i of splits[0]!.train) expect(testArtists.has(artistOf(i))).toBe(false);
  });

  it('single-topic groups are the K one-bit masks', () => {
    expect(singleTopicGroups(3)).toEqual([1, 2, 4]);
  });

  it('MFCC statistics: per coefficient mean and standard deviation over the 420 frames', () => {
    const features = new Float32Array(420 * 18);
    for (let f = 0; f < 420; f++) for (let c = 0; c < 18; c++) features[f * 18 + c] = c + (f % 2 === 0 ? 1 : -1) * (c / 10);
    const stats = mfccStatistics({ ...ds, songs: ds.songs.slice(0, 1), features, width: 420 * 18 });
    expect(stats.width).toBe(36);
    for (let c = 0; c < 18; c++) {
      expect(stats.data[c]).toBeCloseTo(c, 5);
      expect(stats.data[18 + c]).toBeCloseTo(c / 10, 5);
    }
  });
});
