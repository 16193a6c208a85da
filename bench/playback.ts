// Every format plays (issue 14): time to first audio and to audio after a seek for a 5-minute ALAC track
// served as the transcoded WAV stream (the decode worker as the app ships it, out/main/playback.worker.js),
// beside ffmpeg transcoding the same track to WAV from the same positions in the same run.
// Run: npm run bench:playback [seeks=10]
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findFfmpeg } from '../src-main/core/analysis/decode/index.ts';
import { PlaybackTranscoder, WorkerChunkDecoder, type TranscodeSource } from '../src-main/core/playback/transcoder.ts';
import { WAV_HEADER_BYTES } from '../src-main/core/playback/wav-header.ts';

const SEEKS = Number(process.argv[2] ?? 10);
const TRACK_SEC = 300;
const bundle = new URL('../out/main/playback.worker.js', import.meta.url);
if (!fs.existsSync(bundle)) throw new Error('build first: npm run build (the bench times the bundled worker)');
const ffmpeg = await findFfmpeg();
if (!ffmpeg) throw new Error('ffmpeg is needed to make the track and for the baseline');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cadenza-bench-playback-'));
const file = path.join(dir, 'five-minutes.m4a');
// Music-like content for the encoder: a chord plus noise, stereo, 44.1 kHz, 16-bit ALAC.
execFileSync(ffmpeg, [
  '-v',
  'error',
  '-f',
  'lavfi',
  '-i',
  `sine=f=220:d=${TRACK_SEC}`,
  '-f',
  'lavfi',
  '-i',
  `anoisesrc=d=${TRACK_SEC}:a=0.1`,
  '-filter_complex',
  '[0][1]amerge=inputs=2',
  '-ar',
  '44100',
  '-c:a',
  'alac',
  '-sample_fmt',
  's16p',
  file,
]);
const copy = path.join(dir, 'five-minutes-copy.m4a'); // an unseen track for a warm worker
fs.copyFileSync(file, copy);

const source = (p: string): TranscodeSource => {
  const stat = fs.statSync(p);
  return { path: p, size: stat.size, mtimeMs: stat.mtimeMs };
};

/** ms from the request until the first PCM byte (past the WAV header) arrives, starting at byte `from`. */
async function ours(transcoder: PlaybackTranscoder, p: string, from: number): Promise<number> {
  const t = performance.now();
  const wav = await transcoder.open(source(p));
  const reader = wav.body(from, wav.size - 1).getReader();
  let got = from;
  let audio = false;
  while (!audio) {
    const { value, done } = await reader.read();
    if (done) throw new Error('stream ended early');
    got += value.length;
    audio = got > WAV_HEADER_BYTES;
  }
  const ms = performance.now() - t;
  await reader.cancel();
  return ms;
}

/** The baseline: ffmpeg transcoding the same track to WAV from `sec`, ms until its first PCM byte. */
function viaFfmpeg(p: string, sec: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const child = spawn(ffmpeg!, ['-v', 'error', '-ss', String(sec), '-i', p, '-f', 'wav', '-c:a', 'pcm_s16le', '-'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let got = 0;
    child.stdout.on('data', (d: Buffer) => {
      got += d.length;
      if (got > 100 && got - d.length <= 100) {
        resolve(performance.now() - t); // past ffmpeg's WAV header (it writes a LIST chunk too)
        child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const max = (xs: number[]) => Math.max(...xs);

const decoder = new WorkerChunkDecoder(bundle);
const transcoder = new PlaybackTranscoder(decoder);
const t = performance.now();
decoder.warm(); // what the app does when it starts
await decoder.probe(copy, 0.6);
const workerStart = performance.now() - t;
await decoder.close();
const cold = await ours(transcoder, file, 0); // starts the worker, learns the track's layout
const warmFirst = await ours(transcoder, copy, 0); // worker running, track not seen before
const positions = Array.from({ length: SEEKS }, (_, i) => ((i + 0.37) / SEEKS) * (TRACK_SEC - 5));
const frameBytes = 4;
const seeks: number[] = [];
for (const sec of positions) seeks.push(await ours(transcoder, file, WAV_HEADER_BYTES + Math.round(sec * 44100) * frameBytes));
const ffFirst = await viaFfmpeg(file, 0);
const ffSeeks: number[] = [];
for (const sec of positions) ffSeeks.push(await viaFfmpeg(file, sec));
await decoder.close();
fs.rmSync(dir, { recursive: true, force: true });

const row = (name: string, value: number, base: number) =>
  console.log(
    `${name.padEnd(44)} ${value.toFixed(0).padStart(6)} ms   ffmpeg ${base.toFixed(0).padStart(5)} ms   ratio ${(value / base).toFixed(2)}`,
  );
console.log(
  `5-minute ALAC (44.1 kHz stereo 16-bit), ${SEEKS} seeks; ${os.cpus().length} CPUs, load ${os.loadavg()[0]!.toFixed(1)}`,
);
console.log(`decode worker start (bundled, until its first reply)   ${workerStart.toFixed(0).padStart(6)} ms`);
row('first audio, cold (worker start + layout)', cold, ffFirst);
row('first audio, warm worker, new track', warmFirst, ffFirst);
row(`seek, median of ${SEEKS}`, median(seeks), median(ffSeeks));
row(`seek, worst of ${SEEKS}`, max(seeks), max(ffSeeks));
