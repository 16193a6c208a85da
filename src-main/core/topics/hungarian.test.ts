import { describe, expect, it } from 'vitest';
import { hungarian } from './hungarian.ts';
import { createRng } from './rng.ts';

function total(cost: number[][], assignment: number[]): number {
  return assignment.reduce((s, c, r) => s + (c >= 0 ? cost[r]![c]! : 0), 0);
}

function permutations(n: number): number[][] {
  if (n === 0) return [[]];
  return permutations(n - 1).flatMap((p) => Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)]));
}

describe('hungarian', () => {
  it('solves a textbook example', () => {
    const cost = [
      [4, 1, 3],
      [2, 0, 5],
      [3, 2, 2],
    ];
    const a = hungarian(cost);
    expect(a).toEqual([1, 0, 2]);
    expect(total(cost, a)).toBe(5);
  });

  it('matches brute force on random square matrices', () => {
    const rng = createRng(42);
    for (let trial = 0; trial < 30; trial++) {
      const n = 1 + rng.int(6);
      const cost = Array.from({ length: n }, () => Array.from({ length: n }, () => rng.int(20) - 5));
      const a = hungarian(cost);
      expect(new Set(a).size).toBe(n);
      const best = Math.min(...permutations(n).map((p) => total(cost, p)));
      expect(total(cost, a)).toBe(best);
    }
  });

  it('handles rectangular matrices', () => {
    const wide = [
      [9, 1, 9, 9],
      [9, 9, 9, 2],
    ];
    expect(hungarian(wide)).toEqual([1, 3]);
    const tall = [
      [5, 9],
      [1, 9],
      [9, 0],
    ];
    expect(hungarian(tall)).toEqual([-1, 0, 1]);
    expect(hungarian([])).toEqual([]);
  });

  it('rejects ragged or non-finite input', () => {
    expect(() => hungarian([[1, 2], [3]])).toThrow(RangeError);
    expect(() => hungarian([[Number.NaN]])).toThrow(RangeError);
  });
});
