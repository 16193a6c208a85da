/**
 * Building blocks for the small hand-assembled WebAssembly SIMD kernels (the resampler's FIR loop,
 * the learned-distance and Euclidean scorers): binary encodings, the scorers' module layout and the
 * WebAssembly API as this code sees it.
 */

/** Unsigned LEB128 encoding. */
export function uleb(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

/** A module section: its id, its byte length, its content. */
export function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}

/** Signed LEB128, the encoding of i32.const immediates (uleb would turn e.g. 64 into −64). */
export function sleb(value: number): number[] {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

/**
 * A scorer module: one function `score(x, y, n: i32)` with the code `body` (locals included), over a
 * memory imported as `e.m` — a shared one of at most `sharedMaxPages` pages when given (kernel-split.ts).
 */
export function scoreModule(body: number[], sharedMaxPages?: number): Uint8Array {
  const limits = sharedMaxPages === undefined ? [0x00, 0x01] : [0x03, 0x01, ...uleb(sharedMaxPages)];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [0x01, 0x60, 0x03, 0x7f, 0x7f, 0x7f, 0x00]),
    ...section(2, [0x01, 0x01, 0x65, 0x01, 0x6d, 0x02, ...limits]),
    ...section(3, [0x01, 0x00]),
    ...section(7, [0x01, 0x05, ...Array.from('score', (c) => c.charCodeAt(0)), 0x00, 0x00]),
    ...section(10, [0x01, ...uleb(body.length), ...body]),
  ]); // prettier-ignore
}

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
export interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (
    module: object,
    imports: Record<string, Record<string, unknown>>,
  ) => { readonly exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
}
/** The runtime's WebAssembly, when it has one. */
export const wasmApi: WasmApi | undefined = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
/** Bytes in a WebAssembly memory page. */
export const WASM_PAGE = 65536;

const compiledModules = new Map<string, object | null>();

/**
 * The compiled module for `key` (one per process; null where this runtime refuses it): the scorers
 * generate a module per shape and share it between their instances. Keys name the kernel and its shape.
 */
export function compiledModule(key: string, build: () => Uint8Array): object | null {
  if (!compiledModules.has(key)) {
    try {
      const bytes = build();
      compiledModules.set(key, wasmApi!.validate(bytes) ? new wasmApi!.Module(bytes) : null);
    } catch {
      compiledModules.set(key, null);
    }
  }
  return compiledModules.get(key) ?? null;
}
