import fs from 'node:fs';
import path from 'node:path';

/**
 * A small binary container for named float32 arrays plus JSON metadata: "CDZT", a uint32 header
 * length, the UTF-8 JSON header ({meta, arrays: [{name, length}]}), padding to 4 bytes, then the
 * arrays as little-endian float32 in header order. Written to a temporary file and renamed, so a
 * crash never leaves a half-written file under the real name.
 */

const MAGIC = 'CDZT';

export interface TensorFile<M> {
  meta: M;
  arrays: Map<string, Float32Array>;
}

export function writeTensorFile<M>(file: string, meta: M, arrays: ReadonlyMap<string, Float32Array>): void {
  const list = [...arrays.entries()];
  const header = Buffer.from(JSON.stringify({ meta, arrays: list.map(([name, a]) => ({ name, length: a.length })) }), 'utf8');
  const headerEnd = 8 + header.length;
  const dataStart = Math.ceil(headerEnd / 4) * 4;
  const total = dataStart + list.reduce((n, [, a]) => n + a.length * 4, 0);
  const buf = Buffer.alloc(total);
  buf.write(MAGIC, 0, 'latin1');
  buf.writeUInt32LE(header.length, 4);
  header.copy(buf, 8);
  let offset = dataStart;
  for (const [, a] of list) {
    // Little-endian platform order (every machine Cadenza runs on, as for the feature BLOBs).
    Buffer.from(a.buffer, a.byteOffset, a.byteLength).copy(buf, offset);
    offset += a.length * 4;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, buf);
  fs.renameSync(tmp, file);
}

export function readTensorFile<M>(file: string): TensorFile<M> {
  const buf = fs.readFileSync(file);
  if (buf.length < 8 || buf.toString('latin1', 0, 4) !== MAGIC) throw new Error(`${file} is not a Cadenza tensor file`);
  const headerLength = buf.readUInt32LE(4);
  const header = JSON.parse(buf.toString('utf8', 8, 8 + headerLength)) as { meta: M; arrays: { name: string; length: number }[] };
  let offset = Math.ceil((8 + headerLength) / 4) * 4;
  const arrays = new Map<string, Float32Array>();
  for (const { name, length } of header.arrays) {
    if (offset + length * 4 > buf.length) throw new Error(`${file} is truncated`);
    const a = new Float32Array(length);
    new Uint8Array(a.buffer).set(buf.subarray(offset, offset + length * 4));
    arrays.set(name, a);
    offset += length * 4;
  }
  return { meta: header.meta, arrays };
}
