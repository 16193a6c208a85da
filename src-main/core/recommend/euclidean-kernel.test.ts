import { describe, expect, it } from 'vitest';
import { sleb } from '../wasm/encoding.ts';
import { buildEuclideanModule, euclideanScorer, paddedWidth } from './euclidean-kernel.ts';

describe('squared-Euclidean scorer', () => {
  it('WebAssembly SIMD and JavaScript give the naive sums for widths that are and are not multiples of 4', () => {
    for (const width of [1, 5, 16, 108, 144]) {
      const n = 37;
      const items = Float32Array.from({ length: n * width }, (_, i) => Math.sin(i * 1.37) * 3);
      const query = Float32Array.from({ length: width }, (_, i) => Math.cos(i * 0.71));
      const wasm = euclideanScorer(width);
      const js = euclideanScorer(width, 'js');
      expect(wasm.kind).toBe('wasm-simd');
      expect(js.kind).toBe('js');
      wasm.setItems(items);
      js.setItems(items);
      const a = wasm.score(query).slice();
      const b = js.score(query);
      expect(a).toHaveLength(n);
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let d = 0; d < width; d++) s += (query[d]! - items[i * width + d]!) ** 2;
        expect(a[i]).toBeCloseTo(s, 3);
        expect(b[i]).toBeCloseTo(s, 3);
      }
      expect(Array.from(wasm.item(3))).toEqual(Array.from(items.subarray(3 * width, 4 * width)));
      expect(wasm.score(wasm.item(3))[3]).toBe(0);
    }
  });

  it('grows its memory for more items and handles none', () => {
    const s = euclideanScorer(16);
    s.setItems(new Float32Array(0));
    expect(s.score(new Float32Array(16))).toHaveLength(0);
    const n = 20_000; // 1.3 MB: beyond the first page
    s.setItems(Float32Array.from({ length: n * 16 }, (_, i) => i % 16));
    const out = s.score(Float32Array.from({ length: 16 }, (_, d) => d));
    expect(out).toHaveLength(n);
    expect(Math.max(...out)).toBe(0);
  });

  it('builds a valid module', () => {
    expect(paddedWidth(5)).toBe(8);
    const wasm = (globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } }).WebAssembly;
    expect(wasm.validate(buildEuclideanModule(5))).toBe(true);
    expect(wasm.validate(buildEuclideanModule(16))).toBe(true);
  });
});

describe('sleb', () => {
  it('encodes i32.const immediates as signed LEB128', () => {
    expect(sleb(0)).toEqual([0x00]);
    expect(sleb(63)).toEqual([0x3f]);
    expect(sleb(64)).toEqual([0xc0, 0x00]);
    expect(sleb(432)).toEqual([0xb0, 0x03]);
    expect(sleb(-1)).toEqual([0x7f]);
    expect(sleb(-64)).toEqual([0x40]);
  });
});
