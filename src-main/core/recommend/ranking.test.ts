import { describe, expect, it } from 'vitest';
import { rankQueue, type RankTracks } from './ranking.ts';
import { smallestK } from './top-k.ts';

function tracks(artists: number[], songs?: number[]): RankTracks {
  return { count: artists.length, artistKey: Int32Array.from(artists), songKey: Int32Array.from(songs ?? artists.map(() => -1)) };
}

describe('smallestK', () => {
  it('matches a full sort, skipping excluded indices and NaN', () => {
    const scores = Float32Array.from({ length: 5000 }, (_, i) => Math.sin(i * 1.7) * 100);
    scores[17] = Number.NaN;
    const exclude = (i: number) => i % 3 === 0;
    const expected = Array.from(scores.keys())
      .filter((i) => !exclude(i) && !Number.isNaN(scores[i]!))
      .sort((a, b) => scores[a]! - scores[b]! || a - b)
      .slice(0, 25);
    expect(smallestK(scores, 25, exclude)).toEqual(expected);
    expect(smallestK(scores, 0)).toEqual([]);
    expect(smallestK(Float32Array.of(3, 1, 2), 10)).toEqual([1, 2, 0]);
  });
});

describe('rankQueue', () => {
  it('keeps one artist from playing back to back, taking held-back tracks as soon as they fit', () => {
    // Scores ascending with the index; artists 0 0 0 1 2: the strict order would put three 0s together.
    const t = tracks([0, 0, 0, 1, 2]);
    const q = rankQueue(t, Float32Array.of(1, 2, 3, 4, 5), { n: 5, exclude: new Set() }).map((r) => r.index);
    expect(q).toEqual([0, 3, 1, 4, 2]);
    // Spacing 0 turns the rule off; unknown artists (−1) are never held back.
    expect(
      rankQueue(t, Float32Array.of(1, 2, 3, 4, 5), { n: 5, exclude: new Set(), artistSpacing: 0 }).map((r) => r.index),
    ).toEqual([0, 1, 2, 3, 4]);
    expect(rankQueue(tracks([-1, -1, -1]), Float32Array.of(1, 2, 3), { n: 3, exclude: new Set() })).toHaveLength(3);
  });

  it('returns a shorter queue rather than break a rule, and collapses one song under several files', () => {
    const q = rankQueue(tracks([0, 0, 0]), Float32Array.of(1, 2, 3), { n: 3, exclude: new Set() });
    expect(q.map((r) => r.index)).toEqual([0]);
    const dup = rankQueue(tracks([0, 1, 2, 3], [7, 8, 7, 9]), Float32Array.of(1, 2, 3, 4), { n: 4, exclude: new Set() });
    expect(dup.map((r) => r.index)).toEqual([0, 1, 3]);
    const notSeed = rankQueue(tracks([0, 1, 2, 3], [7, 8, 7, 9]), Float32Array.of(1, 2, 3, 4), {
      n: 4,
      exclude: new Set([0]),
      excludeSongs: new Set([7]),
    });
    expect(notSeed.map((r) => r.index)).toEqual([1, 3]);
  });

  it('grows the pool past excluded tracks over a large library', () => {
    const count = 10_000;
    const t = tracks(Array.from({ length: count }, (_, i) => i));
    const scores = Float32Array.from({ length: count }, (_, i) => i);
    const exclude = new Set(Array.from({ length: 500 }, (_, i) => i));
    const q = rankQueue(t, scores, { n: 10, exclude });
    expect(q.map((r) => r.index)).toEqual(Array.from({ length: 10 }, (_, i) => 500 + i));
  });

  it('feedback anchors move neighbours by a fraction of the pool range', () => {
    const t = tracks([0, 1, 2, 3, 4, 5]);
    const scores = Float32Array.of(1, 2, 3, 4, 5, 6);
    const down = rankQueue(t, scores, {
      n: 6,
      exclude: new Set(),
      feedbackWeight: 1,
      anchors: [{ index: 5, sign: -1, neighbours: Int32Array.of(0), distances: Float32Array.of(0.1) }],
    });
    expect(down[0]!.index).not.toBe(0);
    const up = rankQueue(t, scores, {
      n: 6,
      exclude: new Set(),
      feedbackWeight: 1,
      anchors: [{ index: 5, sign: 1, neighbours: Int32Array.of(3), distances: Float32Array.of(0.1) }],
    });
    expect(up.findIndex((r) => r.index === 3)).toBeLessThan(3);
    expect(up.find((r) => r.index === 3)!.likedAnchor).toBe(5);
  });
});
