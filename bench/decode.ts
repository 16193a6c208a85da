// npm run bench:decode [-- DIR [filesPerFormat]] — clip decoding alone, one thread: ms per 30-s clip (the
// middle of each file) per format, with the native decoders (native/decoders), with the WASM ones, and the
// ffmpeg CLI decoding the same clip, the three alternating file by file so that load changes hit all
// three alike. CPU ms (process.cpuUsage, this thread) beside wall ms. DIR defaults to mer-dev's audio;
// `.cache/bench-audio/full-mix` (built by bench:analyze with BENCH_SET=full-mix) is the full-length mix.
import { readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { decodeClip, probeDuration } from '../src-main/core/analysis/decode/index.ts';
import { decodeWithFfmpeg, findFfmpeg } from '../src-main/core/analysis/decode/ffmpeg.ts';
import { nativeDecoders, nativeDecodersStatus, selectDecoders } from '../src-main/core/analysis/decode/native.ts';

const ROOT = process.argv[2] ?? process.env['MER_DEV'] ?? '/work/shared/datasets/mer-dev/audio';
const PER = Number(process.argv[3] ?? 50);
const files = readdirSync(ROOT, { recursive: true, withFileTypes: true })
  .filter((f) => f.isFile())
  .map((f) => join(f.parentPath, f.name))
  .sort();
const hasFfmpeg = (await findFfmpeg()) !== undefined;
const native = nativeDecoders();
if (!native) throw new Error(`the native decoders are not available: ${nativeDecodersStatus()} (npm run build:native)`);
console.log(`${ROOT}: ${files.length} files; load ${os.loadavg()[0]!.toFixed(1)}; native ${JSON.stringify(native.versions())}\n`);

interface Timing {
  wall: number[];
  cpu: number[];
  decoders: Set<string>;
  fails: number;
}
const timing = (): Timing => ({ wall: [], cpu: [], decoders: new Set(), fails: 0 });
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function timed(t: Timing, fn: () => Promise<{ ok: boolean; decoder?: string }>): Promise<void> {
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  const r = await fn();
  t.wall.push(performance.now() - w0);
  const c = process.cpuUsage(c0);
  t.cpu.push((c.user + c.system) / 1000);
  if (!r.ok) t.fails++;
  else if (r.decoder) t.decoders.add(r.decoder);
}

console.log('| format | files | native ms/clip (CPU) | WASM ms/clip (CPU) | WASM ÷ native | ffmpeg CLI ms/clip | decoders |');
console.log('|---|---|---|---|---|---|---|');
for (const ext of ['mp3', 'ogg', 'opus', 'flac', 'm4a']) {
  const list = files.filter((f) => f.endsWith(`.${ext}`)).slice(0, PER);
  if (!list.length) continue;
  const reqs = await Promise.all(list.map(async (f) => ({ f, start: Math.max(0, ((await probeDuration(f)) ?? 30) / 2 - 15) })));
  // warm-up: WASM instantiation, the addon's first load, the page cache
  for (const choice of ['native', 'wasm'] as const) {
    selectDecoders(choice);
    await decodeClip(list[0]!, { startSec: 0, durationSec: 30, allowFfmpeg: false });
  }
  const nat = timing(),
    wasm = timing(),
    ff = timing();
  for (const { f, start } of reqs) {
    for (const [choice, t] of [
      ['native', nat],
      ['wasm', wasm],
    ] as const) {
      selectDecoders(choice);
      await timed(t, () => decodeClip(f, { startSec: start, durationSec: 30, allowFfmpeg: false }));
    }
    if (hasFfmpeg) await timed(ff, () => decodeWithFfmpeg(f, { startSec: start, durationSec: 30 }));
  }
  const cell = (t: Timing) => `${mean(t.wall).toFixed(1)} (${mean(t.cpu).toFixed(1)})`;
  console.log(
    `| ${ext} | ${list.length} | ${cell(nat)} | ${cell(wasm)} | ${(mean(wasm.cpu) / mean(nat.cpu)).toFixed(2)} (p50 wall ${(p50(wasm.wall) / p50(nat.wall)).toFixed(2)}) | ` +
      `${hasFfmpeg ? mean(ff.wall).toFixed(1) : '–'} | ${[...nat.decoders, ...wasm.decoders].join(', ')}${nat.fails + wasm.fails ? ` (${nat.fails}/${wasm.fails} failed)` : ''} |`,
  );
}
selectDecoders(undefined);
console.log(
  `\n(ffmpeg CLI: wall time of a child process per clip, its CPU is not in this thread's; sizes: ${(files.reduce((a, f) => a + statSync(f).size, 0) / 1e6).toFixed(0)} MB)`,
);
