import { describe, expect, it } from 'vitest';
import type { Song } from './data.ts';
import { minorityShare, queueMetrics } from './queue-eval.ts';

// 3 topics; songs 0–9 topic 0, 10–19 topic 1, 20–29 topic 2.
const songs: Song[] = Array.from({ length: 30 }, (_, i) => ({
  trackId: i + 1,
  artist: `a${i}`,
  topics: [Math.floor(i / 10)],
  dominant: Math.floor(i / 10),
}));

describe('queue metrics', () => {
  it('minority share: the least-represented selected topic among the first n, each song once', () => {
    const runOfOne = Array.from({ length: 30 }, (_, i) => i); // all of topic 0 first
    expect(minorityShare(runOfOne, songs, 0b011, 10)).toBe(0);
    expect(minorityShare(runOfOne, songs, 0b011, 20)).toBe(0.5);
    const alternating = [0, 10, 1, 11, 2, 12, 3, 13, 4, 14];
    expect(minorityShare(alternating, songs, 0b011, 10)).toBe(0.5);
    expect(minorityShare(alternating, songs, 0b111, 10)).toBe(0); // topic 2 missing
  });

  it('a ranking that puts the group first has precision 1 and pairwise 1; its reverse pairwise 0', () => {
    const inGroupFirst = (g: number) => {
      const order = Array.from({ length: 30 }, (_, i) => i);
      return order.sort(
        (a, b) => Number((g & (1 << songs[b]!.dominant)) !== 0) - Number((g & (1 << songs[a]!.dominant)) !== 0) || a - b,
      );
    };
    const good = queueMetrics(songs, 3, inGroupFirst);
    expect(good.precision10).toBe(1);
    expect(good.singlePrecision10).toBe(1);
    expect(good.pairwise).toBe(1);
    // For {0, 1} the order gives all of topic 0 first: minority 0 at 10, 0.5 at 20 (the ranking, not the metric, is one-sided).
    expect(good.minority2at10).toBe(0);
    expect(good.minority2at20).toBe(0.5);
    const bad = queueMetrics(songs, 3, (g) => inGroupFirst(g).reverse());
    expect(bad.pairwise).toBe(0);
  });
});
