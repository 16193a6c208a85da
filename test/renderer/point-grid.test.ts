// The map's spatial index against a brute-force scan over the same random points.
import { describe, expect, it } from 'vitest';
import { PointGrid } from '../../src-renderer/src/lib/point-grid.ts';
import { createRng } from '../../src-main/core/topics/rng.ts';

function points(n: number, seed: number): { xs: Float32Array; ys: Float32Array } {
  const rng = createRng(seed);
  // Clusters and empty space, as a map has: half the points in a tight blob.
  const xs = Float32Array.from({ length: n }, (_, i) => (i % 2 ? 100 + rng.next() * 20 : rng.next() * 500));
  const ys = Float32Array.from({ length: n }, (_, i) => (i % 2 ? 300 + rng.next() * 20 : rng.next() * 500));
  return { xs, ys };
}

const dist = (xs: Float32Array, ys: Float32Array, i: number, x: number, y: number) => (xs[i]! - x) ** 2 + (ys[i]! - y) ** 2;

describe('PointGrid', () => {
  const { xs, ys } = points(5000, 7);
  const grid = new PointGrid(xs, ys, 500, 500, 10);
  const rng = createRng(3);
  const queries = Array.from({ length: 300 }, () => ({ x: rng.next() * 520 - 10, y: rng.next() * 520 - 10 }));

  it('nearest within a radius is the brute-force nearest (or none when nothing is that close)', () => {
    for (const { x, y } of queries) {
      let best = -1;
      for (let i = 0; i < xs.length; i++) {
        const d = dist(xs, ys, i, x, y);
        if (d <= 36 && (best < 0 || d < dist(xs, ys, best, x, y) || (d === dist(xs, ys, best, x, y) && i > best))) best = i;
      }
      expect(grid.nearest(x, y, 6)).toBe(best);
    }
    expect(grid.nearest(-50, -50, 6)).toBe(-1);
  });

  it('nearestK returns the k nearest in order, across empty cells too', () => {
    for (const { x, y } of queries.slice(0, 100)) {
      const brute = Array.from(xs.keys())
        .sort((a, b) => dist(xs, ys, a, x, y) - dist(xs, ys, b, x, y) || b - a)
        .slice(0, 8);
      expect(grid.nearestK(x, y, 8).map((i) => dist(xs, ys, i, x, y))).toEqual(brute.map((i) => dist(xs, ys, i, x, y)));
    }
  });

  it('a tie goes to the later point (the one drawn on top), and few points still answer', () => {
    const tie = new PointGrid(Float32Array.of(5, 5, 40), Float32Array.of(5, 5, 40), 50, 50, 10);
    expect(tie.nearest(5, 5, 3)).toBe(1);
    expect(tie.nearestK(0, 0, 5)).toEqual([1, 0, 2]);
    expect(new PointGrid(new Float32Array(0), new Float32Array(0), 50, 50, 10).nearestK(1, 1, 3)).toEqual([]);
  });

  it('inPolygon (the map lasso) finds exactly the points inside a rectangle, a concave L and a triangle', () => {
    const brute = (keep: (x: number, y: number) => boolean) => Array.from(xs.keys()).filter((i) => keep(xs[i]!, ys[i]!));
    // A rectangle that runs off the map on the left (cells are clamped, points there still count).
    expect(grid.inPolygon([-40, 280, 115, 280, 115, 330, -40, 330])).toEqual(
      brute((x, y) => x > -40 && x < 115 && y > 280 && y < 330),
    );
    // An L: the union of two rectangles, drawn as one concave outline.
    const l = [50, 50, 250, 50, 250, 120, 120, 120, 120, 400, 50, 400];
    const inL = brute((x, y) => (x > 50 && x < 250 && y > 50 && y < 120) || (x > 50 && x < 120 && y > 50 && y < 400));
    expect(inL.length).toBeGreaterThan(100);
    expect(grid.inPolygon(l)).toEqual(inL);
    // A triangle below the line y = x inside the box 200..480 (vertices not on any point).
    expect(grid.inPolygon([200.5, 200.5, 480.5, 200.5, 480.5, 480.5])).toEqual(brute((x, y) => x < 480.5 && y > 200.5 && y < x));
    expect(grid.inPolygon([1, 1, 400, 400])).toEqual([]); // a line is not a region
  });
});
