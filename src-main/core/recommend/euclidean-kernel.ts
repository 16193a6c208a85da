/**
 * Squared Euclidean distance of one query to every stored vector, in a WebAssembly SIMD module
 * generated for the vector width (padded to a multiple of 4, fully unrolled: one v128 load, subtract,
 * multiply-add per 4 values), with a plain JavaScript fallback. The unlearned song metric of "more
 * like this" runs on it (song-similarity.ts); the layout mirrors distance-kernel.ts: the vectors live
 * in the module's memory and the scores go to a reused buffer.
 */
import { compiledModule, scoreModule, sleb, uleb, WASM_PAGE, wasmApi, type WasmMemory } from '../wasm/encoding.ts';
import { kernelMemory, SHARED_MAX_PAGES, SplitKernel } from '../wasm/kernel-split.ts';

// prettier-ignore
const BLOCK = 0x02, LOOP = 0x03, END = 0x0b, BR_IF = 0x0d, VOID = 0x40, LGET = 0x20, LSET = 0x21, LTEE = 0x22;
// prettier-ignore
const F32_STORE = 0x38, I32_CONST = 0x41, I32_EQZ = 0x45, I32_ADD = 0x6a, I32_SUB = 0x6b, F32_ADD = 0x92;
const SIMD = 0xfd;
const v128Load = (offset: number) => [SIMD, 0x00, 0x04, ...uleb(offset)];
const V128_CONST0 = [SIMD, 0x0c, ...new Array<number>(16).fill(0)];
const F32X4_EXTRACT = [SIMD, 0x1f];
const F32X4_ADD = [SIMD, 0xe4, 0x01];
const F32X4_SUB = [SIMD, 0xe5, 0x01];
const F32X4_MUL = [SIMD, 0xe6, 0x01];
const I16X8_EXTEND_LOW_I8 = [SIMD, 0x87, 0x01];
const I16X8_EXTEND_HIGH_I8 = [SIMD, 0x88, 0x01];
const I16X8_SUB = [SIMD, 0x91, 0x01];
const I32X4_DOT_I16X8 = [SIMD, 0xba, 0x01];
const I32X4_ADD = [SIMD, 0xae, 0x01];
const I32X4_EXTRACT = [SIMD, 0x1b];
// prettier-ignore
const I32_ADD_ = 0x6a, F32_CONVERT_I32_S = 0xb2, F32_CONST = 0x43, F32_MUL = 0x94;

/** Floats per stored vector: the width rounded up to a multiple of 4. */
export function paddedWidth(width: number): number {
  return Math.ceil(width / 4) * 4;
}

/** (func (export "score") (param $x $y $n i32)): y[i] = ‖query − x[i]‖² for n vectors; the query is at address 0. */
export function buildEuclideanModule(width: number, shared = false): Uint8Array {
  const W = paddedWidth(width);
  const X = 0, Y = 1, N = 2, ACC = 3, T = 4; // prettier-ignore
  const body: number[] = [0x01, 0x02, 0x7b];
  body.push(BLOCK, VOID, LGET, N, I32_EQZ, BR_IF, 0, LOOP, VOID, ...V128_CONST0, LSET, ACC);
  for (let k = 0; k < W / 4; k++) {
    body.push(
      LGET,
      X,
      ...v128Load(16 * k),
      I32_CONST,
      0,
      ...v128Load(16 * k),
      ...F32X4_SUB,
      LTEE,
      T,
      LGET,
      T,
      ...F32X4_MUL,
      LGET,
      ACC,
      ...F32X4_ADD,
      LSET,
      ACC,
    );
  }
  body.push(
    LGET, Y,
    LGET, ACC, ...F32X4_EXTRACT, 0, LGET, ACC, ...F32X4_EXTRACT, 1, F32_ADD,
    LGET, ACC, ...F32X4_EXTRACT, 2, LGET, ACC, ...F32X4_EXTRACT, 3, F32_ADD, F32_ADD,
    F32_STORE, 0x02, 0x00,
    LGET, X, I32_CONST, ...sleb(4 * W), I32_ADD, LSET, X,
    LGET, Y, I32_CONST, 4, I32_ADD, LSET, Y,
    LGET, N, I32_CONST, 1, I32_SUB, LTEE, N, BR_IF, 0,
    END, END, END,
  ); // prettier-ignore
  return scoreModule(body, shared ? SHARED_MAX_PAGES : undefined);
}

/** Bytes per stored vector of the quantised scorer: the width rounded up to a multiple of 16. */
export function quantisedStride(width: number): number {
  return Math.ceil(width / 16) * 16;
}

/**
 * (func (export "score") (param $x $y $n i32)) over int8 vectors: y[i] = step² · Σ (q − x[i])², the
 * query at address 0 as int16 (already widened), the sums exact in int32 (|q − x| ≤ 254, ≤ 65,536 values).
 * Per 16 values: one load, two widenings, two subtractions, two i32x4 dot products.
 */
export function buildQuantisedEuclideanModule(width: number, step: number, shared = false): Uint8Array {
  const P = quantisedStride(width);
  const X = 0, Y = 1, N = 2, ACC = 3, ACC2 = 4, T = 5, D = 6; // prettier-ignore
  const f32 = new Uint8Array(new Float32Array([step * step]).buffer);
  const body: number[] = [0x01, 0x04, 0x7b];
  body.push(BLOCK, VOID, LGET, N, I32_EQZ, BR_IF, 0, LOOP, VOID, ...V128_CONST0, LSET, ACC, ...V128_CONST0, LSET, ACC2);
  for (let k = 0; k < P / 16; k++) {
    body.push(
      LGET, X, ...v128Load(16 * k), LTEE, T,
      ...I16X8_EXTEND_LOW_I8, I32_CONST, 0, ...v128Load(32 * k), ...I16X8_SUB, LTEE, D, LGET, D, ...I32X4_DOT_I16X8,
      LGET, ACC, ...I32X4_ADD, LSET, ACC,
      LGET, T,
      ...I16X8_EXTEND_HIGH_I8, I32_CONST, 0, ...v128Load(32 * k + 16), ...I16X8_SUB, LTEE, D, LGET, D, ...I32X4_DOT_I16X8,
      LGET, ACC2, ...I32X4_ADD, LSET, ACC2,
    ); // prettier-ignore
  }
  body.push(
    LGET, ACC, LGET, ACC2, ...I32X4_ADD, LSET, ACC,
    LGET, Y,
    LGET, ACC, ...I32X4_EXTRACT, 0, LGET, ACC, ...I32X4_EXTRACT, 1, I32_ADD_,
    LGET, ACC, ...I32X4_EXTRACT, 2, LGET, ACC, ...I32X4_EXTRACT, 3, I32_ADD_, I32_ADD_,
    F32_CONVERT_I32_S, F32_CONST, ...f32, F32_MUL,
    F32_STORE, 0x02, 0x00,
    LGET, X, I32_CONST, ...sleb(P), I32_ADD, LSET, X,
    LGET, Y, I32_CONST, 4, I32_ADD, LSET, Y,
    LGET, N, I32_CONST, 1, I32_SUB, LTEE, N, BR_IF, 0,
    END, END, END,
  ); // prettier-ignore
  return scoreModule(body, shared ? SHARED_MAX_PAGES : undefined);
}

/** One query against every stored vector by squared Euclidean distance. */
export interface EuclideanScorer {
  readonly kind: 'wasm-simd' | 'wasm-simd-int8' | 'js' | 'js-int8';
  readonly width: number;
  readonly count: number;
  /** Copies the vectors in (n × width, back to back). */
  setItems(items: Float32Array): void;
  /** Stored vector i (a copy). */
  item(i: number): Float32Array;
  /** ‖query − item i‖² for every item, into a reused buffer (valid until the next call). */
  score(query: Float32Array): Float32Array;
}

/**
 * What both WebAssembly scorers share: the module's instance on a (possibly shared) memory, the pass
 * over both cores, and the memory layout [query | items | scores | the helper's spare scores].
 */
abstract class WasmScorer {
  count = 0;
  protected readonly memory: WasmMemory;
  private readonly split: SplitKernel;
  /** Where the items start: after the query's `queryBytes`, 64-byte aligned. */
  protected readonly itemsAt: number;
  private outAt: number;
  /** Where the helper thread writes its half of a pass (kernel-split.ts). */
  private spareAt: number;

  constructor(
    module: object,
    memory: { memory: WasmMemory; shared: boolean },
    queryBytes: number,
    /** Bytes per stored item. */
    protected readonly itemBytes: number,
  ) {
    this.memory = memory.memory;
    const run = new wasmApi!.Instance(module, { e: { m: this.memory } }).exports['score'] as (
      x: number,
      y: number,
      n: number,
    ) => void;
    this.split = new SplitKernel(module, this.memory, memory.shared, run);
    this.itemsAt = Math.ceil(queryBytes / 64) * 64;
    this.outAt = this.itemsAt;
    this.spareAt = this.itemsAt;
  }

  /** Lays out room for `count` items (growing the memory) and returns their bytes, zeroed. */
  protected reserve(count: number): ArrayBuffer {
    this.count = count;
    this.outAt = this.itemsAt + Math.ceil((count * this.itemBytes) / 16) * 16;
    this.spareAt = this.outAt + Math.ceil((count * 4) / 16) * 16;
    const need = this.spareAt + count * 4;
    const have = this.memory.buffer.byteLength;
    if (need > have) this.memory.grow(Math.ceil((need - have) / WASM_PAGE));
    new Uint8Array(this.memory.buffer, this.itemsAt, count * this.itemBytes).fill(0);
    return this.memory.buffer;
  }

  /** Runs the pass over every item (the query already at address 0) and returns the scores. */
  protected pass(): Float32Array {
    this.split.pass(this.itemsAt, this.outAt, this.count, this.itemBytes, this.spareAt);
    return new Float32Array(this.memory.buffer, this.outAt, this.count);
  }
}

class WasmEuclidean extends WasmScorer implements EuclideanScorer {
  readonly kind = 'wasm-simd' as const;
  private readonly padded: number;

  constructor(
    readonly width: number,
    module: object,
    memory: { memory: WasmMemory; shared: boolean },
  ) {
    super(module, memory, paddedWidth(width) * 4, paddedWidth(width) * 4);
    this.padded = paddedWidth(width);
  }

  setItems(items: Float32Array): void {
    const count = items.length / this.width;
    const dst = new Float32Array(this.reserve(count), this.itemsAt, count * this.padded);
    for (let i = 0; i < count; i++) dst.set(items.subarray(i * this.width, (i + 1) * this.width), i * this.padded);
  }

  item(i: number): Float32Array {
    return new Float32Array(this.memory.buffer, this.itemsAt + i * this.itemBytes, this.width).slice();
  }

  score(query: Float32Array): Float32Array {
    const q = new Float32Array(this.memory.buffer, 0, this.padded);
    q.fill(0);
    q.set(query.subarray(0, this.width));
    return this.pass();
  }
}

class JsEuclidean implements EuclideanScorer {
  readonly kind = 'js' as const;
  count = 0;
  private items = new Float32Array(0);
  private out = new Float32Array(0);
  constructor(readonly width: number) {}

  setItems(items: Float32Array): void {
    this.items = Float32Array.from(items);
    this.count = items.length / this.width;
    this.out = new Float32Array(this.count);
  }

  item(i: number): Float32Array {
    return this.items.slice(i * this.width, (i + 1) * this.width);
  }

  score(query: Float32Array): Float32Array {
    const w = this.width;
    for (let n = 0, base = 0; n < this.count; n++, base += w) {
      let s = 0;
      for (let k = 0; k < w; k++) {
        const d = query[k]! - this.items[base + k]!;
        s += d * d;
      }
      this.out[n] = s;
    }
    return this.out;
  }
}

/** A squared-Euclidean scorer: WebAssembly SIMD where available, JavaScript otherwise. */
export function euclideanScorer(width: number, prefer: 'auto' | 'js' = 'auto'): EuclideanScorer {
  if (prefer === 'auto' && wasmApi !== undefined) {
    const memory = kernelMemory();
    const module = compiledModule(`euclidean:${paddedWidth(width)}${memory.shared ? 's' : ''}`, () =>
      buildEuclideanModule(width, memory.shared),
    );
    if (module) return new WasmEuclidean(width, module, memory);
  }
  return new JsEuclidean(width);
}

/** int8 levels each side of zero. */
const LEVELS = 127;

/** x on the grid of `step`, clipped to ±LEVELS. */
function quantise(x: number, step: number): number {
  const q = Math.round(x / step);
  return q > LEVELS ? LEVELS : q < -LEVELS ? -LEVELS : q;
}

/**
 * Squared Euclidean distances over vectors stored as int8 on a grid of `range` / 127 (values beyond
 * ±range clipped): a quarter of the float scorer's memory, read in a quarter of the time. For
 * standardised vectors (the descriptors, in sd units), whose pass over 100,000 songs reads 124 MB as
 * floats; the query is put on the same grid, so a stored song's distance to itself stays 0.
 */
class WasmQuantisedEuclidean extends WasmScorer implements EuclideanScorer {
  readonly kind = 'wasm-simd-int8' as const;

  constructor(
    readonly width: number,
    private readonly step: number,
    module: object,
    memory: { memory: WasmMemory; shared: boolean },
  ) {
    // The query as int16 (widened once), the items as int8.
    super(module, memory, quantisedStride(width) * 2, quantisedStride(width));
  }

  setItems(items: Float32Array): void {
    const count = items.length / this.width;
    const dst = new Int8Array(this.reserve(count), this.itemsAt, count * this.itemBytes);
    for (let i = 0, from = 0, to = 0; i < count; i++, to += this.itemBytes - this.width)
      for (let d = 0; d < this.width; d++, from++, to++) dst[to] = quantise(items[from]!, this.step);
  }

  item(i: number): Float32Array {
    const q = new Int8Array(this.memory.buffer, this.itemsAt + i * this.itemBytes, this.width);
    return Float32Array.from(q, (v) => v * this.step);
  }

  score(query: Float32Array): Float32Array {
    const q = new Int16Array(this.memory.buffer, 0, this.itemBytes);
    q.fill(0);
    for (let d = 0; d < this.width; d++) q[d] = quantise(query[d] ?? 0, this.step);
    return this.pass();
  }
}

/** The same quantised distances in plain JavaScript (bit for bit: integer sums, one float multiply). */
class JsQuantisedEuclidean implements EuclideanScorer {
  readonly kind = 'js-int8' as const;
  count = 0;
  private items = new Int8Array(0);
  private out = new Float32Array(0);
  private readonly query: Int16Array;
  private readonly step2: number;
  constructor(
    readonly width: number,
    private readonly step: number,
  ) {
    this.query = new Int16Array(width);
    this.step2 = Math.fround(step * step);
  }

  setItems(items: Float32Array): void {
    this.count = items.length / this.width;
    this.items = Int8Array.from(items, (x) => quantise(x, this.step));
    this.out = new Float32Array(this.count);
  }

  item(i: number): Float32Array {
    return Float32Array.from(this.items.subarray(i * this.width, (i + 1) * this.width), (v) => v * this.step);
  }

  score(query: Float32Array): Float32Array {
    const w = this.width;
    for (let d = 0; d < w; d++) this.query[d] = quantise(query[d] ?? 0, this.step);
    for (let n = 0, base = 0; n < this.count; n++, base += w) {
      let s = 0;
      for (let k = 0; k < w; k++) {
        const d = this.query[k]! - this.items[base + k]!;
        s += d * d;
      }
      this.out[n] = Math.fround(s) * this.step2;
    }
    return this.out;
  }
}

/**
 * A squared-Euclidean scorer over int8 vectors on a grid of `range` / 127 (values beyond ±`range`
 * clipped): WebAssembly SIMD where available, JavaScript otherwise, the same numbers either way.
 */
export function quantisedEuclideanScorer(width: number, range: number, prefer: 'auto' | 'js' = 'auto'): EuclideanScorer {
  if (!(range > 0)) throw new RangeError(`range must be positive, got ${range}`);
  const step = range / LEVELS;
  if (prefer === 'auto' && wasmApi !== undefined) {
    const memory = kernelMemory();
    const module = compiledModule(`euclidean-int8:${quantisedStride(width)}:${step}${memory.shared ? 's' : ''}`, () =>
      buildQuantisedEuclideanModule(width, step, memory.shared),
    );
    if (module) return new WasmQuantisedEuclidean(width, step, module, memory);
  }
  return new JsQuantisedEuclidean(width, step);
}
