// npx tsx bench/decode-fuzz.ts SEED COUNT FILE… — mutation fuzz of the decoders: each case is one of the
// given files with bit flips, a run of one byte, a span of random bytes or a truncation (and half the
// time flips in its first 8 KB, where the headers are), decoded through decodeClip at a random window.
// Run with CADENZA_DECODERS=native (or =wasm); a crash ends the process with a signal instead of the
// summary line. Under AddressSanitizer: build native/decoders with -fsanitize=address into DIR, then
// LD_PRELOAD=$(gcc -print-file-name=libasan.so) ASAN_OPTIONS=detect_leaks=0 CADENZA_NATIVE_DECODERS=DIR/…node.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeClip } from '../src-main/core/analysis/decode/index.ts';

const [seedArg, countArg, ...sources] = process.argv.slice(2);
if (!seedArg || !countArg || sources.length === 0) throw new Error('usage: decode-fuzz.ts SEED COUNT FILE…');
let x = Number(seedArg) >>> 0 || 1;
const rnd = (): number => {
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  return (x >>> 0) / 4294967296;
};
const dir = mkdtempSync(path.join(os.tmpdir(), 'cadenza-fuzz-'));
let decoded = 0;
let refused = 0;
for (let i = 0; i < Number(countArg); i++) {
  const src = sources[Math.floor(rnd() * sources.length)]!;
  const b = Buffer.from(readFileSync(src));
  const n = b.length;
  const kind = Math.floor(rnd() * 4);
  if (kind === 0) for (let k = 0; k < 1 + rnd() * 200; k++) b[Math.floor(rnd() * n)]! ^= 1 << Math.floor(rnd() * 8);
  else if (kind === 1) {
    const at = Math.floor(rnd() * n);
    b.fill(Math.floor(rnd() * 256), at, Math.min(n, at + Math.floor(rnd() * 20000)));
  } else if (kind === 2) {
    const at = Math.floor(rnd() * n);
    for (let k = at; k < Math.min(n, at + 50000); k++) b[k] = Math.floor(rnd() * 256);
  }
  const data = kind === 3 ? b.subarray(0, Math.floor(rnd() * n)) : b;
  if (rnd() < 0.5)
    for (let k = 0; k < 1 + rnd() * 20; k++) data[Math.floor(rnd() * Math.min(8192, data.length))]! ^= 1 << Math.floor(rnd() * 8);
  const file = path.join(dir, `case${path.extname(src)}`);
  writeFileSync(file, data);
  const r = await decodeClip(file, { startSec: rnd() * 60, durationSec: 30, allowFfmpeg: false });
  if (r.ok) decoded++;
  else refused++;
}
rmSync(dir, { recursive: true, force: true });
console.log(`seed ${seedArg}: ${decoded} decoded, ${refused} refused with a reason, no crash`);
