import { describe, expect, it } from 'vitest';
import { createRng } from '../topics/rng.ts';
import { pathLength, smoothOrder, twoOpt } from './smooth-order.ts';

/** |x_a − x_b| for points on a line. */
function lineDistances(xs: readonly number[]): Float32Array {
  const m = xs.length;
  return Float32Array.from({ length: m * m }, (_, k) => Math.abs(xs[Math.floor(k / m)]! - xs[k % m]!));
}

describe('smoothOrder', () => {
  it('walks shuffled points on a line in order from the chosen first one', () => {
    const rng = createRng(5);
    const xs = Array.from({ length: 40 }, (_, i) => i * 1.5 + (i % 3) * 0.1);
    for (let i = xs.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [xs[i], xs[j]] = [xs[j]!, xs[i]!];
    }
    const dist = lineDistances(xs);
    const leftmost = xs.indexOf(Math.min(...xs));
    const order = smoothOrder(dist, xs.length, leftmost);
    expect(order[0]).toBe(leftmost);
    expect([...order].sort((a, b) => a - b)).toEqual(xs.map((_, i) => i));
    expect(order.map((k) => xs[k])).toEqual([...xs].sort((a, b) => a - b));
    expect(pathLength(dist, xs.length, order)).toBeCloseTo(Math.max(...xs) - Math.min(...xs), 4);
  });

  it('moves what greedy nearest neighbour leaves behind, keeping the first song', () => {
    // Greedy from 0 goes 0 → 1 → 3 → 6 and must jump back to −1.2 → −3.5 (15.5); the best open walk is 13.
    const xs = [0, 1, -1.2, 3, -3.5, 6];
    const dist = lineDistances(xs);
    const greedyOnly = smoothOrder(dist, xs.length, 0, 0);
    expect(pathLength(dist, 6, greedyOnly)).toBeCloseTo(15.5, 4);
    const order = smoothOrder(dist, xs.length, 0);
    expect(order[0]).toBe(0);
    expect(pathLength(dist, 6, order)).toBeCloseTo(13, 4);
  });

  it('ends 2-opt optimal on random points in the plane, shorter than greedy and than random orders', () => {
    const rng = createRng(11);
    const m = 60;
    const pts = Array.from({ length: m }, () => [rng.next(), rng.next()] as const);
    const dist = Float32Array.from({ length: m * m }, (_, k) => {
      const [a, b] = [pts[Math.floor(k / m)]!, pts[k % m]!];
      return Math.hypot(a[0] - b[0], a[1] - b[1]);
    });
    const greedy = smoothOrder(dist, m, 7, 0);
    expect(twoOpt(dist, m, [...greedy])).toBe(true); // greedy leaves crossings
    const order = smoothOrder(dist, m, 7);
    expect(order[0]).toBe(7);
    expect(new Set(order).size).toBe(m);
    expect(twoOpt(dist, m, [...order])).toBe(false);
    const length = pathLength(dist, m, order);
    expect(length).toBeLessThan(pathLength(dist, m, greedy));
    for (let r = 0; r < 20; r++) {
      const shuffled = Array.from({ length: m }, (_, i) => i).sort(() => rng.next() - 0.5);
      expect(length).toBeLessThan(pathLength(dist, m, shuffled) / 3);
    }
  });

  it('refuses a first song outside the set', () => {
    expect(() => smoothOrder(new Float32Array(4), 2, 2)).toThrow(RangeError);
    expect(smoothOrder(new Float32Array(0), 0)).toEqual([]);
  });
});
