/**
 * Scores one query against every stored embedding with the model's learned distance
 * D(a, b) = w2 · ReLU(W1ᵀ (a − b)² + b1) + b2, in a tiny WebAssembly SIMD module generated here for
 * the model's shape (embedding width E, hidden width H padded to a multiple of 4), with the plain
 * JavaScript `LearnedDistance` as the fallback (other D shapes, or no SIMD).
 *
 * The embeddings live in the module's memory, copied in once (`setItems`); a query costs one pass
 * that writes n float32 scores into a buffer that is reused (no allocation per query, so no jitter).
 * Per item: E scalar differences, squared and splatted, then for each 4-wide group of hidden units
 * E multiply-adds, a ReLU (pmax with 0) and the output weights; one horizontal sum at the end.
 */
import { compiledModule, scoreModule, sleb, uleb, WASM_PAGE, wasmApi, type WasmMemory } from '../wasm/encoding.ts';
import { kernelMemory, SHARED_MAX_PAGES, SplitKernel } from '../wasm/kernel-split.ts';
import { LearnedDistance, type DistanceLayer } from './learned-distance.ts';

// prettier-ignore
const BLOCK = 0x02, LOOP = 0x03, END = 0x0b, BR_IF = 0x0d, VOID = 0x40, LGET = 0x20, LSET = 0x21, LTEE = 0x22;
// prettier-ignore
const F32_LOAD = 0x2a, F32_STORE = 0x38, I32_CONST = 0x41, I32_EQZ = 0x45, I32_ADD = 0x6a, I32_SUB = 0x6b, F32_ADD = 0x92, F32_SUB = 0x93;
const SIMD = 0xfd;
const v128Load = (offset: number) => [SIMD, 0x00, 0x00, ...uleb(offset)];
const f32Load = (offset: number) => [F32_LOAD, 0x02, ...uleb(offset)];
const V128_CONST0 = [SIMD, 0x0c, ...new Array<number>(16).fill(0)];
const F32X4_SPLAT = [SIMD, 0x13];
const F32X4_EXTRACT = [SIMD, 0x1f];
const F32X4_ADD = [SIMD, 0xe4, 0x01];
const F32X4_MUL = [SIMD, 0xe6, 0x01];
const F32X4_PMAX = [SIMD, 0xeb, 0x01];

/** Byte layout of the parameter block at address 0 of the module's memory. */
export interface KernelLayout {
  dim: number;
  groups: number;
  w1: number;
  b1: number;
  w2: number;
  b2: number;
  query: number;
  /** First byte after the parameters (16-aligned): where the items go. */
  end: number;
}

export function kernelLayout(dim: number, hidden: number): KernelLayout {
  const groups = Math.ceil(hidden / 4);
  const w1 = 0;
  const b1 = w1 + dim * groups * 16;
  const w2 = b1 + groups * 16;
  const b2 = w2 + groups * 16;
  const query = b2 + 16;
  const end = Math.ceil((query + dim * 4) / 64) * 64;
  return { dim, groups, w1, b1, w2, b2, query, end };
}

/** (func (export "score") (param $x $y $n i32)): y[i] = D(query, x[i]) for n items of E floats. */
export function buildDistanceModule(layout: KernelLayout, shared = false): Uint8Array {
  const { dim: E, groups: G } = layout;
  const X = 0, Y = 1, N = 2; // prettier-ignore
  const q = (k: number) => 3 + k;
  const s = (k: number) => 3 + E + k;
  const TOT = 3 + 2 * E;
  const ZERO = TOT + 1;
  const body: number[] = [0x02, ...uleb(E), 0x7d, ...uleb(E + 2), 0x7b];
  for (let k = 0; k < E; k++) body.push(I32_CONST, 0, ...f32Load(layout.query + 4 * k), LSET, q(k));
  body.push(...V128_CONST0, LSET, ZERO);
  body.push(BLOCK, VOID, LGET, N, I32_EQZ, BR_IF, 0, LOOP, VOID);
  for (let k = 0; k < E; k++) {
    body.push(LGET, q(k), LGET, X, ...f32Load(4 * k), F32_SUB, ...F32X4_SPLAT, LTEE, s(k), LGET, s(k), ...F32X4_MUL, LSET, s(k));
  }
  body.push(LGET, ZERO, LSET, TOT);
  for (let g = 0; g < G; g++) {
    body.push(I32_CONST, 0, ...v128Load(layout.b1 + 16 * g));
    for (let k = 0; k < E; k++)
      body.push(LGET, s(k), I32_CONST, 0, ...v128Load(layout.w1 + 16 * (k * G + g)), ...F32X4_MUL, ...F32X4_ADD);
    body.push(
      LGET,
      ZERO,
      ...F32X4_PMAX,
      I32_CONST,
      0,
      ...v128Load(layout.w2 + 16 * g),
      ...F32X4_MUL,
      LGET,
      TOT,
      ...F32X4_ADD,
      LSET,
      TOT,
    );
  }
  body.push(
    LGET, Y,
    LGET, TOT, ...F32X4_EXTRACT, 0, LGET, TOT, ...F32X4_EXTRACT, 1, F32_ADD,
    LGET, TOT, ...F32X4_EXTRACT, 2, LGET, TOT, ...F32X4_EXTRACT, 3, F32_ADD, F32_ADD,
    I32_CONST, 0, ...f32Load(layout.b2), F32_ADD,
    F32_STORE, 0x02, 0x00,
    LGET, X, I32_CONST, ...sleb(4 * E), I32_ADD, LSET, X,
    LGET, Y, I32_CONST, 4, I32_ADD, LSET, Y,
    LGET, N, I32_CONST, 1, I32_SUB, LTEE, N, BR_IF, 0,
    END, END, END,
  ); // prettier-ignore
  return scoreModule(body, shared ? SHARED_MAX_PAGES : undefined);
}

/** One query against all items, with D. */
export interface DistanceScorer {
  readonly kind: 'wasm-simd' | 'js';
  readonly dim: number;
  readonly count: number;
  /** Copies the embeddings in (n × dim, back to back). */
  setItems(items: Float32Array): void;
  /** The stored item i (a view; do not keep across setItems). */
  item(i: number): Float32Array;
  /** Every stored item, back to back (a view; do not keep across setItems). */
  items(): Float32Array;
  /** D(query, item i) for every item, into a reused buffer (valid until the next call). */
  score(query: Float32Array): Float32Array;
}

class WasmScorer implements DistanceScorer {
  readonly kind = 'wasm-simd' as const;
  count = 0;
  private readonly memory: WasmMemory;
  private readonly split: SplitKernel;
  private itemsAt: number;
  private outAt: number;
  /** Where the helper thread writes its half of a pass (kernel-split.ts). */
  private spareAt: number;

  constructor(
    readonly dim: number,
    private readonly layout: KernelLayout,
    module: object,
    layers: DistanceLayer[],
    memory: { memory: WasmMemory; shared: boolean },
  ) {
    this.memory = memory.memory;
    const instance = new wasmApi!.Instance(module, { e: { m: this.memory } });
    const run = instance.exports['score'] as (x: number, y: number, n: number) => void;
    this.split = new SplitKernel(module, this.memory, memory.shared, run);
    this.spareAt = layout.end;
    this.itemsAt = layout.end;
    this.outAt = layout.end;
    const [first, last] = [layers[0]!, layers[1]!];
    const f = new Float32Array(this.memory.buffer);
    const G = layout.groups;
    for (let k = 0; k < dim; k++)
      for (let o = 0; o < first.outputs; o++)
        f[(layout.w1 + 16 * (k * G + (o >> 2))) / 4 + (o & 3)] = first.w[k * first.outputs + o]!;
    for (let o = 0; o < first.outputs; o++) {
      f[layout.b1 / 4 + o] = first.b[o]!;
      f[layout.w2 / 4 + o] = last.w[o]!;
    }
    f[layout.b2 / 4] = last.b[0]!;
  }

  setItems(items: Float32Array): void {
    this.count = items.length / this.dim;
    this.outAt = this.itemsAt + Math.ceil(items.byteLength / 16) * 16;
    this.spareAt = this.outAt + Math.ceil((this.count * 4) / 16) * 16;
    const need = this.spareAt + this.count * 4;
    const have = this.memory.buffer.byteLength;
    if (need > have) this.memory.grow(Math.ceil((need - have) / WASM_PAGE));
    new Float32Array(this.memory.buffer, this.itemsAt, items.length).set(items);
  }

  item(i: number): Float32Array {
    return new Float32Array(this.memory.buffer, this.itemsAt + i * this.dim * 4, this.dim);
  }

  items(): Float32Array {
    return new Float32Array(this.memory.buffer, this.itemsAt, this.count * this.dim);
  }

  score(query: Float32Array): Float32Array {
    new Float32Array(this.memory.buffer, this.layout.query, this.dim).set(query);
    this.split.pass(this.itemsAt, this.outAt, this.count, this.dim * 4, this.spareAt);
    return new Float32Array(this.memory.buffer, this.outAt, this.count);
  }
}

class JsScorer implements DistanceScorer {
  readonly kind = 'js' as const;
  count = 0;
  private stored = new Float32Array(0);
  private out = new Float32Array(0);
  constructor(
    readonly dim: number,
    private readonly distance: LearnedDistance,
  ) {}

  setItems(items: Float32Array): void {
    this.stored = Float32Array.from(items);
    this.count = items.length / this.dim;
    this.out = new Float32Array(this.count);
  }

  item(i: number): Float32Array {
    return this.stored.subarray(i * this.dim, (i + 1) * this.dim);
  }

  items(): Float32Array {
    return this.stored;
  }

  score(query: Float32Array): Float32Array {
    this.distance.scoreAll(query, this.stored, this.out, this.count);
    return this.out;
  }
}

/** A scorer for D: WebAssembly SIMD for the one-hidden-layer shape, JavaScript otherwise. */
export function distanceScorer(layers: DistanceLayer[], prefer: 'auto' | 'js' = 'auto'): DistanceScorer {
  const dim = layers[0]!.inputs;
  if (prefer === 'auto' && layers.length === 2 && layers[1]!.outputs === 1 && wasmApi !== undefined) {
    const layout = kernelLayout(dim, layers[0]!.outputs);
    const memory = kernelMemory();
    const module = compiledModule(`distance:${dim}x${layout.groups}${memory.shared ? 's' : ''}`, () =>
      buildDistanceModule(layout, memory.shared),
    );
    if (module) return new WasmScorer(dim, layout, module, layers, memory);
  }
  return new JsScorer(dim, new LearnedDistance(layers));
}
