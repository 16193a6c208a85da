// Decode speed over mer-dev: ms per 30-s clip (middle of each file) per format, built-in decoders vs
// the ffmpeg CLI decoding the same clip. Run: npx tsx bench/decode.ts [filesPerFormat=50]
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { decodeClip, probeDuration } from '../src-main/core/analysis/decode/index.ts';
import { decodeWithFfmpeg, findFfmpeg } from '../src-main/core/analysis/decode/ffmpeg.ts';

const ROOT = process.env['MER_DEV'] ?? '/work/shared/datasets/mer-dev/audio';
const PER = Number(process.argv[2] ?? 50);
const files = (['Q1', 'Q2', 'Q3', 'Q4'] as const).flatMap((q) => readdirSync(join(ROOT, q)).sort().map((f) => join(ROOT, q, f)));
const hasFfmpeg = (await findFfmpeg()) !== undefined;

console.log(`format  n   ours ms/clip (p50)  decoder       read/file   ffmpeg-cli ms/clip`);
for (const ext of ['mp3', 'ogg', 'opus', 'm4a', 'flac']) {
  const list = files.filter((f) => f.endsWith(`.${ext}`)).slice(0, PER);
  if (!list.length) continue;
  const reqs = await Promise.all(list.map(async (f) => ({ f, start: Math.max(0, ((await probeDuration(f)) ?? 30) / 2 - 15) })));
  await decodeClip(list[0] as string, { startSec: 0, durationSec: 30 }); // warm-up: WASM instantiation
  const times: number[] = [];
  let read = 0, size = 0, fails = 0;
  const decoders = new Set<string>();
  for (const { f, start } of reqs) {
    const t = performance.now();
    const r = await decodeClip(f, { startSec: start, durationSec: 30, allowFfmpeg: false });
    times.push(performance.now() - t);
    if (!r.ok) { fails++; console.log(`  fail ${f}: ${r.code} ${r.reason}`); continue; }
    decoders.add(r.decoder);
    read += r.bytesRead;
    size += statSync(f).size;
  }
  let ff = NaN;
  if (hasFfmpeg) {
    const t = performance.now();
    for (const { f, start } of reqs) await decodeWithFfmpeg(f, { startSec: start, durationSec: 30 });
    ff = (performance.now() - t) / reqs.length;
  }
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  const p50 = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)] ?? NaN;
  console.log(`${ext.padEnd(6)} ${String(list.length).padStart(3)}  ${mean.toFixed(1).padStart(8)} (${p50.toFixed(1)})      ${[...decoders].join(',').padEnd(12)}  ${((100 * read) / Math.max(1, size)).toFixed(0).padStart(4)}%      ${ff.toFixed(1)}${fails ? `  (${fails} failed)` : ''}`);
}
