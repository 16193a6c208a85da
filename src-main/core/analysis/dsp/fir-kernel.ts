/**
 * Polyphase FIR inner loop: a tiny hand-assembled WebAssembly SIMD module
 * plus an equivalent scalar JavaScript fallback.
 *
 * For output i the kernel reads a pair of byte offsets (xOff, hOff) from a
 * table and computes y[i] = sum_{k<T} x[xOff/4 + k] * h[hOff/4 + k] in float32
 * arithmetic with two 4-lane accumulators (T must be a multiple of 8).
 */
import { section, uleb } from '../../wasm/encoding.ts';

// Opcodes used below.
// prettier-ignore
const BLOCK = 0x02, LOOP = 0x03, END = 0x0b, BR_IF = 0x0d, VOID = 0x40;
// prettier-ignore
const LGET = 0x20, LSET = 0x21, LTEE = 0x22;
// prettier-ignore
const I32_LOAD = 0x28, F32_STORE = 0x38, I32_CONST = 0x41, I32_EQZ = 0x45;
// prettier-ignore
const I32_ADD = 0x6a, I32_SUB = 0x6b, F32_ADD = 0x92;
const SIMD = 0xfd;
const V128_LOAD = [SIMD, 0x00];
const V128_CONST = [SIMD, 0x0c];
const F32X4_EXTRACT = [SIMD, 0x1f];
const F32X4_ADD = [SIMD, 0xe4, 0x01];
const F32X4_MUL = [SIMD, 0xe6, 0x01];

// Locals: params tab=0, y=1, n=2, T=3; xp=4, hp=5, k=6 (i32); acc0=7, acc1=8 (v128).
// prettier-ignore
const TAB = 0, Y = 1, N = 2, T = 3, XP = 4, HP = 5, K = 6, A0 = 7, A1 = 8;

/**
 * (func (export "fir") (param $tab $y $n $T i32)
 *   for n outputs: xp, hp = tab[0], tab[1]; acc0 = acc1 = 0;
 *     for k = T; k != 0; k -= 8: acc0 += x[xp..+4] * h[hp..+4]; acc1 += x[xp+4..+8] * h[hp+4..+8]; xp, hp += 32
 *     *y = horizontal sum(acc0 + acc1); y += 4; tab += 8)
 * with the memory imported as e.m.
 */
function buildModule(): Uint8Array {
  const zero16 = new Array<number>(16).fill(0);
  // prettier-ignore
  const body: number[] = [
    // locals: 3 x i32, 2 x v128
    0x02, 0x03, 0x7f, 0x02, 0x7b,
    BLOCK, VOID,
    LGET, N, I32_EQZ, BR_IF, 0,
    LOOP, VOID,
    LGET, TAB, I32_LOAD, 0x02, 0x00, LSET, XP,
    LGET, TAB, I32_LOAD, 0x02, 0x04, LSET, HP,
    ...V128_CONST, ...zero16, LSET, A0,
    ...V128_CONST, ...zero16, LSET, A1,
    LGET, T, LSET, K,
    LOOP, VOID,
    LGET, A0,
    LGET, XP, ...V128_LOAD, 0x00, 0x00,
    LGET, HP, ...V128_LOAD, 0x00, 0x00,
    ...F32X4_MUL, ...F32X4_ADD, LSET, A0,
    LGET, A1,
    LGET, XP, ...V128_LOAD, 0x00, 0x10,
    LGET, HP, ...V128_LOAD, 0x00, 0x10,
    ...F32X4_MUL, ...F32X4_ADD, LSET, A1,
    LGET, XP, I32_CONST, 0x20, I32_ADD, LSET, XP,
    LGET, HP, I32_CONST, 0x20, I32_ADD, LSET, HP,
    LGET, K, I32_CONST, 0x08, I32_SUB, LTEE, K,
    BR_IF, 0,
    END,
    LGET, A0, LGET, A1, ...F32X4_ADD, LSET, A0,
    LGET, Y,
    LGET, A0, ...F32X4_EXTRACT, 0,
    LGET, A0, ...F32X4_EXTRACT, 1, F32_ADD,
    LGET, A0, ...F32X4_EXTRACT, 2,
    LGET, A0, ...F32X4_EXTRACT, 3, F32_ADD,
    F32_ADD,
    F32_STORE, 0x02, 0x00,
    LGET, Y, I32_CONST, 0x04, I32_ADD, LSET, Y,
    LGET, TAB, I32_CONST, 0x08, I32_ADD, LSET, TAB,
    LGET, N, I32_CONST, 0x01, I32_SUB, LTEE, N,
    BR_IF, 0,
    END,
    END,
    END, // function end
  ];
  // prettier-ignore
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [0x01, 0x60, 0x04, 0x7f, 0x7f, 0x7f, 0x7f, 0x00]), // type: (i32 i32 i32 i32) -> ()
    ...section(2, [0x01, 0x01, 0x65, 0x01, 0x6d, 0x02, 0x00, 0x01]), // import "e" "m" memory, min 1 page
    ...section(3, [0x01, 0x00]), // one function of type 0
    ...section(7, [0x01, 0x03, 0x66, 0x69, 0x72, 0x00, 0x00]), // export "fir"
    ...section(10, [0x01, ...uleb(body.length), ...body]),
  ];
  return Uint8Array.from(bytes);
}

export interface FirKernel {
  /** 'wasm-simd' or 'js' */
  readonly kind: 'wasm-simd' | 'js';
  /**
   * Makes sure the heap holds at least `bytes` bytes and returns it.
   * Views taken earlier are invalid after a call that grows the heap.
   */
  heap(bytes: number): ArrayBuffer;
  /** Runs the FIR over `n` outputs; all arguments are byte offsets into the heap. */
  run(tab: number, y: number, n: number, taps: number): void;
}

const PAGE = 65536;

/** The part of the WebAssembly JS API used here (the project's TS libs do not declare it). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
type WasmModule = object;
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (
    module: WasmModule,
    imports: Record<string, Record<string, unknown>>,
  ) => { readonly exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => WasmMemory;
}
const wasmApi: WasmApi | undefined = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

class WasmFir implements FirKernel {
  readonly kind = 'wasm-simd' as const;
  private readonly memory: WasmMemory;
  private readonly fir: (tab: number, y: number, n: number, t: number) => void;

  constructor(api: WasmApi, module: WasmModule) {
    this.memory = new api.Memory({ initial: 1 });
    const instance = new api.Instance(module, { e: { m: this.memory } });
    const fir = instance.exports['fir'];
    if (typeof fir !== 'function') throw new Error('fir export missing');
    this.fir = fir as (tab: number, y: number, n: number, t: number) => void;
  }

  heap(bytes: number): ArrayBuffer {
    const have = this.memory.buffer.byteLength;
    if (bytes > have) this.memory.grow(Math.ceil((bytes - have) / PAGE));
    return this.memory.buffer;
  }

  run(tab: number, y: number, n: number, taps: number): void {
    if (taps <= 0 || taps % 8 !== 0) throw new RangeError('taps must be a positive multiple of 8');
    this.fir(tab, y, n, taps);
  }
}

class JsFir implements FirKernel {
  readonly kind = 'js' as const;
  private buffer = new ArrayBuffer(PAGE);

  heap(bytes: number): ArrayBuffer {
    if (bytes > this.buffer.byteLength) {
      const next = new ArrayBuffer(Math.ceil(bytes / PAGE) * PAGE);
      new Uint8Array(next).set(new Uint8Array(this.buffer));
      this.buffer = next;
    }
    return this.buffer;
  }

  run(tab: number, y: number, n: number, taps: number): void {
    if (taps <= 0 || taps % 8 !== 0) throw new RangeError('taps must be a positive multiple of 8');
    const f = new Float32Array(this.buffer);
    const t32 = new Int32Array(this.buffer);
    let ti = tab >> 2;
    let yi = y >> 2;
    for (let i = 0; i < n; i++, ti += 2, yi++) {
      const xo = (t32[ti] ?? 0) >> 2;
      const ho = (t32[ti + 1] ?? 0) >> 2;
      let a0 = 0,
        a1 = 0,
        a2 = 0,
        a3 = 0;
      for (let k = 0; k < taps; k += 4) {
        a0 += (f[xo + k] ?? 0) * (f[ho + k] ?? 0);
        a1 += (f[xo + k + 1] ?? 0) * (f[ho + k + 1] ?? 0);
        a2 += (f[xo + k + 2] ?? 0) * (f[ho + k + 2] ?? 0);
        a3 += (f[xo + k + 3] ?? 0) * (f[ho + k + 3] ?? 0);
      }
      f[yi] = a0 + a1 + a2 + a3;
    }
  }
}

let wasmModule: WasmModule | null | undefined;
let wasmKernel: FirKernel | undefined;
let jsKernel: FirKernel | undefined;

/** Returns the shared kernel: WebAssembly SIMD when available, otherwise JavaScript. */
export function firKernel(prefer: 'auto' | 'js' = 'auto'): FirKernel {
  if (prefer === 'auto') {
    if (wasmModule === undefined) {
      try {
        const bytes = buildModule();
        wasmModule = wasmApi !== undefined && wasmApi.validate(bytes) ? new wasmApi.Module(bytes) : null;
      } catch {
        wasmModule = null;
      }
    }
    if (wasmModule !== null && wasmApi !== undefined) {
      wasmKernel ??= new WasmFir(wasmApi, wasmModule);
      return wasmKernel;
    }
  }
  jsKernel ??= new JsFir();
  return jsKernel;
}
