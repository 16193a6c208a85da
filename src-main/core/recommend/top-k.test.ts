import { describe, expect, it } from 'vitest';
import { createRng } from '../topics/rng.ts';
import { smallestK } from './top-k.ts';

/** The definition: every non-NaN, non-excluded index, sorted by (score, index), the first k. */
function reference(scores: Float32Array, k: number, exclude?: (i: number) => boolean): number[] {
  const all: number[] = [];
  for (let i = 0; i < scores.length; i++) if (!Number.isNaN(scores[i]!) && !exclude?.(i)) all.push(i);
  return all.sort((a, b) => scores[a]! - scores[b]! || a - b).slice(0, Math.max(0, k));
}

describe('smallestK', () => {
  it('equals the sorted definition on ties, NaN, ±Infinity, ±0, heavy exclusions, any k and size', () => {
    const rng = createRng(12);
    for (const n of [0, 1, 7, 300, 5000, 20_000, 40_000]) {
      for (const kind of ['uniform', 'ties', 'specials', 'sorted', 'reversed'] as const) {
        const scores = Float32Array.from({ length: n }, (_, i) => {
          const u = rng.next();
          if (kind === 'ties') return Math.floor(u * 7) / 7; // few distinct values
          if (kind === 'sorted') return i / n;
          if (kind === 'reversed') return 1 - i / n;
          if (kind === 'specials') {
            if (u < 0.05) return NaN;
            if (u < 0.07) return Infinity;
            if (u < 0.09) return -Infinity;
            if (u < 0.12) return u < 0.105 ? -0 : 0;
            return (u - 0.5) * 1e6;
          }
          return u * 2 - 0.5;
        });
        for (const k of [0, 1, 20, 1000, n + 5]) {
          for (const excluded of [0, 0.01, 0.95]) {
            const out = new Set<number>();
            for (let i = 0; i < n; i++) if (rng.next() < excluded) out.add(i);
            const exclude = excluded === 0 ? undefined : (i: number) => out.has(i);
            const got = smallestK(scores, k, exclude);
            expect(got, `${kind}, n ${n}, k ${k}, excluded ${excluded}`).toEqual(reference(scores, k, exclude));
          }
        }
      }
    }
  });

  it('asks the exclusion only about candidates, not about every score', () => {
    const n = 100_000;
    const scores = Float32Array.from({ length: n }, (_, i) => Math.abs(Math.sin(i * 12.9898) * 43758.5453) % 1);
    let asked = 0;
    const got = smallestK(scores, 20, (i) => (asked++, i % 2 === 0));
    expect(got).toEqual(reference(scores, 20, (i) => i % 2 === 0));
    expect(asked).toBeLessThan(2_000);
  });

  it('past the keys’ index range (2²¹ songs) the heap answers, the same way', () => {
    const n = 2 ** 21 + 3;
    const scores = new Float32Array(n).fill(5);
    scores[n - 1] = 1;
    scores[17] = 1;
    scores[2 ** 21] = NaN;
    scores[3] = 2;
    expect(smallestK(scores, 4, (i) => i === 3)).toEqual([17, n - 1, 0, 1]);
  });
});
