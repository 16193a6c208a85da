// Kernel passes split over two threads (the helper claims chunks of the items on the same shared
// memory): the learned-D and Euclidean scorers give the same scores as their plain JavaScript versions
// once the helper takes part, also after the stored items grow the memory.
import { describe, expect, it } from 'vitest';
import { distanceScorer } from '../recommend/distance-kernel.ts';
import { euclideanScorer } from '../recommend/euclidean-kernel.ts';
import type { DistanceLayer } from '../recommend/learned-distance.ts';
import { createRng } from '../topics/rng.ts';
import { claimChunk, kernelMemory, passTag, SLOT, SPLIT_MIN_ITEMS, splitPasses } from './kernel-split.ts';

const rng = createRng(11);
const floats = (n: number) => Float32Array.from({ length: n }, () => rng.next() * 2 - 1);

/** Scores until a pass was split (the helper starts and registers asynchronously), at most ~10 s. */
async function scoreSplit(score: () => Float32Array): Promise<Float32Array> {
  const before = splitPasses();
  for (let tries = 0; tries < 200; tries++) {
    const out = Float32Array.from(score());
    if (splitPasses() > before) return out;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('no pass was split with the helper');
}

describe('kernel passes over two threads', () => {
  it('uses shared memory here (Node has threads)', () => {
    expect(kernelMemory().shared).toBe(true);
  });

  it('the learned D and the Euclidean scorers match their JavaScript versions when split, before and after the items grow', async () => {
    const dim = 32;
    const hidden = 16;
    const layers: DistanceLayer[] = [
      { inputs: dim, outputs: hidden, w: floats(dim * hidden), b: floats(hidden) },
      { inputs: hidden, outputs: 1, w: floats(hidden), b: floats(1) },
    ];
    const wasm = distanceScorer(layers);
    const js = distanceScorer(layers, 'js');
    expect(wasm.kind).toBe('wasm-simd');
    const euclid = euclideanScorer(37);
    const euclidJs = euclideanScorer(37, 'js');
    for (const n of [SPLIT_MIN_ITEMS + 1001, 3 * SPLIT_MIN_ITEMS + 7]) {
      const items = floats(n * dim);
      wasm.setItems(items);
      js.setItems(items);
      const query = floats(dim);
      const split = await scoreSplit(() => wasm.score(query));
      const plain = js.score(query);
      expect(split.length).toBe(n);
      // Every item: the helper's chunks copied in, this thread's computed here, none left over.
      let worst = 0;
      for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(split[i]! - plain[i]!));
      expect(worst).toBeLessThan(1e-4);
      expect(split[n - 1]).toBeCloseTo(plain[n - 1]!, 4); // the helper's last item

      const vectors = floats(n * 37);
      euclid.setItems(vectors);
      euclidJs.setItems(vectors);
      const q = floats(37);
      const e = await scoreSplit(() => euclid.score(q));
      const ej = euclidJs.score(q);
      let worstE = 0;
      for (let i = 0; i < n; i++) worstE = Math.max(worstE, Math.abs(e[i]! - ej[i]!) / Math.max(1, ej[i]!));
      expect(worstE).toBeLessThan(1e-3);
      expect(e[n - 1]).toBeCloseTo(ej[n - 1]!, 3);
    }
  }, 30_000);

  it('chunks are claimed once each, in order, and only under the current pass’s tag', () => {
    const control = new Int32Array(new SharedArrayBuffer(16 * 4));
    const tag = passTag(7);
    Atomics.store(control, SLOT.next, tag);
    const claimed = Array.from({ length: 6 }, () => claimChunk(control, tag, 4));
    expect(claimed).toEqual([0, 1, 2, 3, -1, -1]);
    // A thread still on an earlier pass claims nothing of the next one.
    Atomics.store(control, SLOT.next, passTag(8));
    expect(claimChunk(control, tag, 4)).toBe(-1);
    expect(claimChunk(control, passTag(8), 4)).toBe(0);
    // A pass being set up is closed under its tag: nobody claims until it opens.
    Atomics.store(control, SLOT.next, passTag(9) | 0xffff);
    expect(claimChunk(control, passTag(8), 4)).toBe(-1);
    expect(claimChunk(control, passTag(9), 4)).toBe(-1);
    // Pass numbers wrap: the tag stays in the high 16 bits of a positive word.
    expect(passTag(0x7fff + 1)).toBe(passTag(0));
    expect(passTag(-1) >= 0).toBe(true);
  });
});
