import { describe, expect, it } from 'vitest';
import { mean, npmiCoherence, randomTopicsBaseline, umassCoherence } from './coherence.ts';

// Tags 0 and 1 always together, 2 and 3 never together, 4 everywhere.
const docs = [
  [0, 1, 4],
  [0, 1, 4],
  [2, 4],
  [3, 4],
  [2, 4, 4],
  [3, 4],
];

describe('npmiCoherence', () => {
  it('scores perfect, independent-ish and exclusive pairs', () => {
    const [together, exclusive, withEverywhere] = npmiCoherence([[0, 1], [2, 3], [0, 4]], docs);
    expect(together).toBeCloseTo(1, 10);
    expect(exclusive).toBe(-1);
    // p(0,4) = p(0) = 1/3, p(4) = 1 → PMI 0 → NPMI 0.
    expect(withEverywhere).toBeCloseTo(0, 10);
  });

  it('averages over all pairs and returns 0 for topics under two tags', () => {
    const [three, one] = npmiCoherence([[0, 1, 2], [0]], docs);
    // pairs: (0,1) = 1, (0,2) = −1, (1,2) = −1.
    expect(three).toBeCloseTo(-1 / 3, 10);
    expect(one).toBe(0);
  });
});

describe('umassCoherence', () => {
  it('is highest for tags that always co-occur', () => {
    const [together, exclusive] = umassCoherence([[0, 1], [2, 3]], docs);
    expect(together).toBeCloseTo(Math.log(3 / 2), 10);
    expect(exclusive).toBeCloseTo(Math.log(1 / 2), 10);
    expect(together!).toBeGreaterThan(exclusive!);
  });
});

describe('randomTopicsBaseline', () => {
  it('draws distinct ids of the requested sizes, deterministically', () => {
    const a = randomTopicsBaseline([10, 3, 0], 50, { seed: 4 });
    expect(a.map((t) => t.length)).toEqual([10, 3, 0]);
    for (const t of a) {
      expect(new Set(t).size).toBe(t.length);
      for (const w of t) expect(w >= 0 && w < 50).toBe(true);
    }
    expect(randomTopicsBaseline([10, 3, 0], 50, { seed: 4 })).toEqual(a);
    expect(randomTopicsBaseline([10, 3, 0], 50, { seed: 5 })).not.toEqual(a);
  });

  it('draws from a pool when given, capped at its size', () => {
    const [t] = randomTopicsBaseline([5], 100, { seed: 1, pool: [7, 8, 9, 9] });
    expect([...t!].sort()).toEqual([7, 8, 9]);
  });
});

describe('mean', () => {
  it('averages and is 0 for an empty list', () => {
    expect(mean([1, 2, 6])).toBe(3);
    expect(mean([])).toBe(0);
  });
});
