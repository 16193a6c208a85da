import { describe, expect, it } from 'vitest';
import { sleb } from '../wasm/encoding.ts';
import {
  buildEuclideanModule,
  buildQuantisedEuclideanModule,
  euclideanScorer,
  paddedWidth,
  quantisedEuclideanScorer,
  quantisedStride,
} from './euclidean-kernel.ts';

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

describe('int8 squared-Euclidean scorer', () => {
  const range = 4;
  const step = range / 127;
  const grid = (x: number) => Math.max(-127, Math.min(127, Math.round(x / step)));

  it('WebAssembly SIMD and JavaScript give the same integer sums on the grid, for any width', () => {
    for (const width of [1, 15, 16, 17, 108, 311]) {
      const n = 41;
      // Values up to ±6: some beyond the range, which are clipped to ±127 steps.
      const items = Float32Array.from({ length: n * width }, (_, i) => Math.sin(i * 1.37) * 6);
      const query = Float32Array.from({ length: width }, (_, i) => Math.cos(i * 0.71) * 2);
      const wasm = quantisedEuclideanScorer(width, range);
      const js = quantisedEuclideanScorer(width, range, 'js');
      expect(wasm.kind).toBe('wasm-simd-int8');
      expect(js.kind).toBe('js-int8');
      wasm.setItems(items);
      js.setItems(items);
      const a = wasm.score(query).slice();
      const b = js.score(query);
      expect(a).toHaveLength(n);
      for (let i = 0; i < n; i++) {
        let sum = 0;
        for (let d = 0; d < width; d++) sum += (grid(query[d]!) - grid(items[i * width + d]!)) ** 2;
        // the int32 sum, converted to float32 and multiplied by step² in float32: exact, both ways
        const expected = Math.fround(Math.fround(sum) * Math.fround(step * step));
        expect(a[i]).toBe(expected);
        expect(b[i]).toBe(expected);
      }
      // A stored item is its own nearest, at exactly 0; item() gives its values on the grid.
      expect(wasm.score(wasm.item(3))[3]).toBe(0);
      expect(Array.from(wasm.item(3), (v) => Math.round(v / step) + 0)).toEqual(
        Array.from(items.subarray(3 * width, 4 * width), (x) => grid(x) + 0), // (+ 0: no −0)
      );
    }
  });

  it('clips values beyond the range and grows for many items', () => {
    const s = quantisedEuclideanScorer(4, range);
    s.setItems(Float32Array.of(100, -100, 0, 0, 4, -4, 0, 0));
    // both items sit at ±127 steps: the same point
    expect(Array.from(s.score(Float32Array.of(4, -4, 0, 0)))).toEqual([0, 0]);
    const n = 50_000; // 0.8 MB of int8 at width 16: beyond the first page
    const big = quantisedEuclideanScorer(16, range);
    big.setItems(Float32Array.from({ length: n * 16 }, (_, i) => (i % 16) * step));
    const out = big.score(Float32Array.from({ length: 16 }, (_, d) => d * step));
    expect(out).toHaveLength(n);
    expect(Math.max(...out)).toBe(0);
    expect(() => quantisedEuclideanScorer(4, 0)).toThrow(RangeError);
  });

  it('builds a valid module', () => {
    expect(quantisedStride(311)).toBe(320);
    const wasm = (globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } }).WebAssembly;
    expect(wasm.validate(buildQuantisedEuclideanModule(311, step))).toBe(true);
    expect(wasm.validate(buildQuantisedEuclideanModule(1, step))).toBe(true);
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
