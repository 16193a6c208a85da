/**
 * Building blocks for the small hand-assembled WebAssembly SIMD kernels (the resampler's FIR loop,
 * the learned-distance scorer): binary encodings shared by both.
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
