import { describe, expect, it } from 'vitest';
import { createRng } from '../topics/rng.ts';
import { distanceScorer } from './distance-kernel.ts';
import { embeddingsOf, kMedoids, medoidAmong, mostCentral, pairDistances, spread } from './medoids.ts';

// D(a, b) = (a − b)² on 1-d points: one 1 → 1 → 1 layer pair with unit weights.
const unit = { w: Float32Array.of(1), b: new Float32Array(1), inputs: 1, outputs: 1 };
const pair = () => distanceScorer([unit, unit]);
const points = (...xs: number[]) => Float32Array.from(xs);

describe('medoids under D', () => {
  it('pairDistances gives D for every pair, row by row', () => {
    const d = pairDistances(points(0, 1, 3), 1, pair());
    expect(Array.from(d)).toEqual([0, 1, 9, 1, 0, 4, 9, 4, 0]);
  });

  it('mostCentral gives the k items of least summed D, most central first', () => {
    const rng = createRng(4);
    const xs = Float32Array.from({ length: 40 }, () => rng.next() * 10);
    const d = pairDistances(xs, 1, pair());
    const sums = Array.from(xs, (_, a) => Array.from(xs, (__, b) => d[a * 40 + b]!).reduce((s, v) => s + v, 0));
    const byHand = [...sums.keys()].sort((a, b) => sums[a]! - sums[b]!).slice(0, 5);
    expect(mostCentral(d, 40, 5)).toEqual(byHand);
    // On a line the most central item is the one nearest the mean.
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const nearestMean = [...xs.keys()].sort((a, b) => Math.abs(xs[a]! - mean) - Math.abs(xs[b]! - mean))[0];
    expect(mostCentral(d, 40, 1)).toEqual([nearestMean]);
    expect(medoidAmong(d, 40, [...xs.keys()])).toBe(nearestMean);
  });

  it('kMedoids finds one medoid per cluster and its parts, or null when a part is too small', () => {
    const xs = points(0, 0.1, 0.2, 10, 10.1, 10.3);
    const split = kMedoids(xs, 1, 2, pair(), { rounds: 4 })!;
    expect([...split.medoids].sort()).toEqual([1, 4]);
    expect(split.parts.map((p) => [...p].sort()).sort((a, b) => a[0]! - b[0]!)).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
    expect(kMedoids(xs, 1, 2, pair(), { rounds: 4, minPart: 4 })).toBeNull();
    // One outlier: with minPart 2 it gets no part of its own.
    expect(kMedoids(points(0, 0.1, 0.2, 0.3, 9), 1, 2, pair(), { rounds: 4, minPart: 2 })).toBeNull();
    // Fewer items than k: every item a medoid.
    expect(kMedoids(points(1, 2), 1, 4, pair(), { rounds: 4 })!.medoids.sort()).toEqual([0, 1]);
    // Identical items: a medoid whose songs all go to an earlier tied one keeps its place (no hole).
    const same = kMedoids(points(5, 5, 5, 5), 1, 3, pair(), { rounds: 4 })!;
    expect(same.medoids).toHaveLength(3);
    for (const m of same.medoids) expect(m).toBeGreaterThanOrEqual(0);
  });

  it('spread picks k items evenly over a list (all of a short one); embeddingsOf copies the positions’ items', () => {
    expect(spread([1, 2, 3], 5)).toEqual([1, 2, 3]);
    expect(
      spread(
        Array.from({ length: 100 }, (_, i) => i),
        4,
      ),
    ).toEqual([12, 37, 62, 87]);
    expect(spread([], 3)).toEqual([]);
    const scorer = pair();
    scorer.setItems(points(7, 8, 9));
    expect(Array.from(embeddingsOf(scorer, [2, 0]))).toEqual([9, 7]);
  });
});
