import { describe, expect, it } from 'vitest';
import { createRng } from '../topics/rng.ts';
import type { Song } from './data.ts';
import {
  artistFolds,
  configName,
  fnv1a,
  mix32,
  nestedSongMetrics,
  sealedSplit,
  selectConfig,
  unlearnedConfigs,
  type BaseMetric,
  type MetricSource,
  type SongMetricConfig,
} from './nested-eval.ts';
import { pairMatrix } from '../recommend/song-metrics.ts';

function library(artists: number, songsPerArtist: number, k = 4): Song[] {
  const songs: Song[] = [];
  for (let a = 0; a < artists; a++) {
    for (let s = 0; s < songsPerArtist; s++) {
      const dominant = (a + s) % k;
      songs.push({ trackId: songs.length + 1, artist: `Artist ${a}`, topics: [dominant], dominant });
    }
  }
  return songs;
}

describe('sealed split', () => {
  it('hashes with 32-bit FNV-1a (published test vectors)', () => {
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c);
    expect(fnv1a('foobar')).toBe(0xbf9cf968);
    expect(mix32(0)).toBe(0);
    expect(mix32(1)).toBe(0x514e28b7);
  });

  it('seals about a quarter of the artists, whole artists only, the same on every run', () => {
    const songs = library(400, 3);
    const { development, sealed } = sealedSplit(songs);
    expect(development.length + sealed.length).toBe(songs.length);
    const share = sealed.length / songs.length;
    expect(share).toBeGreaterThan(0.2);
    expect(share).toBeLessThan(0.3);
    const sealedArtists = new Set(sealed.map((i) => songs[i]!.artist));
    for (const i of development) expect(sealedArtists.has(songs[i]!.artist)).toBe(false);
    expect(sealedSplit(songs)).toEqual({ development, sealed });
  });

  it('depends on the artist alone: not on the order, other songs, case or spacing', () => {
    const songs = library(200, 2);
    const sealedIds = new Set(sealedSplit(songs).sealed.map((i) => songs[i]!.trackId));
    const shuffled = songs.slice().reverse();
    const more = [
      ...shuffled,
      ...library(50, 2).map((s) => ({ ...s, trackId: s.trackId + 10_000, artist: `Other ${s.artist}` })),
    ];
    const again = new Set(
      sealedSplit(more)
        .sealed.map((i) => more[i]!.trackId)
        .filter((id) => id < 10_000),
    );
    expect(again).toEqual(sealedIds);
    const renamed = songs.map((s) => ({ ...s, artist: `  ${s.artist.toUpperCase()} ` }));
    expect(new Set(sealedSplit(renamed).sealed.map((i) => renamed[i]!.trackId))).toEqual(sealedIds);
  });
});

/** Songs on a line: a song's position is its dominant topic plus noise, so 'good' separates topics and 'noise' does not. */
function plantedSource(songs: readonly Song[], seen: Set<number> | null): MetricSource {
  const rng = createRng(3);
  const pos = songs.map((s) => s.dominant * 10 + rng.next());
  const noise = songs.map(() => rng.next() * 40);
  return {
    matrix(base: BaseMetric, train: readonly number[], rows: readonly number[]) {
      for (const r of [...train, ...rows]) seen?.add(r);
      const x = base === 'descriptors' ? pos : noise;
      return pairMatrix(rows.length, (a, b) => Math.abs(x[rows[a]!]! - x[rows[b]!]!));
    },
  };
}

describe('nested selection', () => {
  const songs = library(60, 4);
  const all = songs.map((_, i) => i);
  const configs: SongMetricConfig[] = [
    { a: 'rawMfcc', weight: 1, hubness: 'none' },
    { a: 'descriptors', weight: 1, hubness: 'none' },
    { a: 'rawMfcc', b: 'descriptors', weight: 0.5, hubness: 'mp' },
  ];

  it('reads only the pool it is given', () => {
    const folds = artistFolds(songs, all, 5, 1);
    for (const test of folds) {
      const inTest = new Set(test);
      const pool = all.filter((i) => !inTest.has(i));
      const seen = new Set<number>();
      selectConfig(plantedSource(songs, seen), configs, songs, pool, 4, 7);
      expect(seen.size).toBeGreaterThan(0);
      for (const i of seen) expect(inTest.has(i)).toBe(false);
    }
  });

  it('never lets an outer fold’s choice see its test songs, and picks the planted metric', () => {
    const reads: number[][] = [];
    const source = plantedSource(songs, null);
    const spy: MetricSource = {
      matrix(base, train, rows) {
        reads.push([...train, ...rows]);
        return source.matrix(base, train, rows);
      },
    };
    const result = nestedSongMetrics(spy, configs, songs, all, { outerFolds: 4, innerFolds: 3, seed: 5 });
    expect(result.folds).toHaveLength(4);
    for (const fold of result.folds) {
      expect(configName(configs[fold.chosen]!)).toBe('descriptors');
      expect(fold.outer[fold.chosen]!.precision10).toBeGreaterThan(0.9);
      expect(fold.outer[0]!.precision10).toBeLessThan(0.6);
      const inTest = new Set(fold.test);
      expect(fold.train.some((i) => inTest.has(i))).toBe(false);
      expect(new Set(fold.test.map((i) => songs[i]!.artist)).size).toBeGreaterThan(0);
      for (const i of fold.train) expect(fold.test.map((t) => songs[t]!.artist)).not.toContain(songs[i]!.artist);
    }
    // Each outer fold: 3 inner folds × 2 bases, then the outer test rows once (2 bases): only the
    // last read of every fold may include its test songs.
    const perFold = 3 * 2 + 2;
    expect(reads).toHaveLength(4 * perFold);
    result.folds.forEach((fold, f) => {
      const inTest = new Set(fold.test);
      const selection = reads.slice(f * perFold, f * perFold + 6);
      for (const r of selection) expect(r.some((i) => inTest.has(i))).toBe(false);
    });
  });

  it('the unlearned grid has every base alone and every pair blended, under each hubness setting', () => {
    const grid = unlearnedConfigs(['rawMfcc', 'descriptors', 'fluctuation']);
    expect(grid).toHaveLength(3 * (3 + 3 * 3));
    expect(new Set(grid.map(configName)).size).toBe(grid.length);
    expect(grid.map(configName)).toContain('0.25·descriptors + 0.75·fluctuation | mp');
  });
});
