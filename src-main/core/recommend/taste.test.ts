import { describe, expect, it } from 'vitest';
import { blendQueue, rankQueue, type RankTracks } from './ranking.ts';
import { tasteDirection, type ItemSpace } from './taste.ts';

/** Points on a line through a 3-d space: x = i / (n − 1) · 2 − 1, plus a constant and a wobble. */
function line(n: number): ItemSpace {
  const rows = Array.from({ length: n }, (_, i) => Float32Array.of((i / (n - 1)) * 2 - 1, 0.5, Math.sin(i) * 0.01));
  return { count: n, item: (i) => rows[i]! };
}

const tracks = (n: number): RankTracks => ({
  count: n,
  artistKey: new Int32Array(n).fill(-1),
  songKey: new Int32Array(n).fill(-1),
});

describe('tasteDirection', () => {
  it('scores tracks by how far they lie from the negatives towards the positives, in library standard deviations', () => {
    const space = line(101);
    const taste = tasteDirection(space, [90, 95], [5, 10])!;
    expect(taste.score(100)).toBeGreaterThan(taste.score(60));
    expect(taste.score(60)).toBeGreaterThan(taste.score(0));
    // Centred and scaled on the library: the middle is ~0, the ends ~±1.7 (a uniform line's ends are √3 sd out).
    expect(taste.score(50)).toBeCloseTo(0, 1);
    expect(taste.score(100)).toBeCloseTo(Math.sqrt(3), 1);
    // Only likes, or only dislikes: the library's centroid stands in for the missing side.
    expect(tasteDirection(space, [95], [])!.score(100)).toBeGreaterThan(0);
    expect(tasteDirection(space, [], [95])!.score(100)).toBeLessThan(0);
  });

  it('scores every track the same from the rows back to back as from a view per row', () => {
    const space = line(101);
    const flat = new Float32Array(101 * 3);
    for (let i = 0; i < 101; i++) flat.set(space.item(i), i * 3);
    const far = Float32Array.from(flat);
    far[100 * 3] = 1000; // an outlier: clamped on both paths
    for (const rows of [flat, far]) {
      const perRow = tasteDirection({ count: 101, item: (i) => rows.subarray(3 * i, 3 * i + 3) }, [90, 95], [5, 10])!;
      const whole = tasteDirection(
        { count: 101, item: (i) => rows.subarray(3 * i, 3 * i + 3), items: () => rows },
        [90, 95],
        [5, 10],
      )!;
      const a = perRow.scores(101);
      const b = whole.scores(101);
      for (let i = 0; i < 101; i++) expect(b[i]).toBeCloseTo(a[i]!, 5);
      expect(whole.scores(101)).toBe(b); // computed once, then shared
    }
  });

  it('is absent without feedback or when likes and dislikes coincide, and clamps outliers', () => {
    const space = line(11);
    expect(tasteDirection(space, [], [])).toBeNull();
    expect(tasteDirection(space, [3], [3])).toBeNull();
    expect(tasteDirection({ count: 0, item: () => [] }, [1], [2])).toBeNull();
    const far: ItemSpace = { count: 12, item: (i) => (i === 11 ? [1000, 0.5, 0] : line(11).item(i)) };
    expect(tasteDirection(far, [10], [0])!.score(11)).toBe(3);
  });
});

describe('the taste direction in a queue', () => {
  it('moves every pooled track along it, in every lane, and weight 0 leaves the ranking as it was', () => {
    const n = 200;
    const space = line(n);
    // The lane's order has nothing to do with the line; the listener liked high indices and disliked low ones.
    const scores = Float32Array.from({ length: n }, (_, i) => (i * 37) % n);
    const taste = tasteDirection(space, [150, 160], [2, 4]);
    const plain = rankQueue(tracks(n), scores, { n: 20, exclude: new Set() }).map((r) => r.index);
    const off = rankQueue(tracks(n), scores, { n: 20, exclude: new Set(), taste, tasteWeight: 0 }).map((r) => r.index);
    expect(off).toEqual(plain);
    const on = rankQueue(tracks(n), scores, { n: 20, exclude: new Set(), taste, tasteWeight: 0.25 }).map((r) => r.index);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(on)).toBeGreaterThan(mean(plain));
    // A blend: both lanes move the same way.
    const other = Float32Array.from({ length: n }, (_, i) => (i * 7) % n);
    const lanes = [
      { scores, weight: 1 },
      { scores: other, weight: 1 },
    ];
    const blendOff = blendQueue(tracks(n), lanes, { n: 20, exclude: new Set() });
    const blendOn = blendQueue(tracks(n), lanes, { n: 20, exclude: new Set(), taste, tasteWeight: 0.5 });
    for (const lane of [0, 1]) {
      const of = (q: typeof blendOn) => mean(q.filter((r) => r.lane === lane).map((r) => taste!.score(r.index)));
      expect(of(blendOn)).toBeGreaterThan(of(blendOff));
    }
  });
});
