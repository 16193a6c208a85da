import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { decodeClip, probeDuration, sniffContainer } from './index.ts';
import type { DecodeResult, DecodeSuccess } from './types.ts';
import { findFfmpeg } from './ffmpeg.ts';
import { nativeDecoders, selectDecoders } from './native.ts';
import { downmixToMono, mfcc, resample, SAMPLE_RATE, toSegments } from '../dsp/index.ts';
import { fillClip } from '../clip.ts';
import { integratedLoudness } from '../../loudness/integrated-loudness.ts';

const run = promisify(execFile);
const hasFfmpeg = (await findFfmpeg()) !== undefined;
/** The native decoders run where they are built (CI builds them and sets CADENZA_DECODERS=native). */
const CHOICES = nativeDecoders() ? (['wasm', 'native'] as const) : (['wasm'] as const);
/** The formats native/decoders covers (the rest have no native path). */
const NATIVE = /^(mpg123|flac|vorbis|faad2)-/;

/** Segment i (10 s each) of the generated track is a tone at 300 + 100·i Hz. */
const freqAt = (sec: number): number => 300 + 100 * Math.floor(sec / 10);
const CANDIDATES = Array.from({ length: 24 }, (_, i) => 300 + 100 * i);

/** Dominant candidate frequency of a block (Goertzel). */
function dominant(x: Float32Array, sr: number): number {
  let best = -1,
    bestF = 0;
  for (const f of CANDIDATES) {
    const w = 2 * Math.cos((2 * Math.PI * f) / sr);
    let s1 = 0,
      s2 = 0;
    for (let i = 0; i < x.length; i++) {
      const s0 = (x[i] ?? 0) + w * s1 - s2;
      s2 = s1;
      s1 = s0;
    }
    const p = s1 * s1 + s2 * s2 - w * s1 * s2;
    if (p > best) {
      best = p;
      bestF = f;
    }
  }
  return bestF;
}

function block(res: DecodeSuccess, fromSec: number, lenSec: number): Float32Array {
  const ch = res.channels[0] as Float32Array;
  const a = Math.round((fromSec - res.startSec) * res.sampleRate);
  return ch.subarray(Math.max(0, a), Math.max(0, a + Math.round(lenSec * res.sampleRate)));
}

/**
 * Checks that the audio is the requested part of the track: every segment boundary inside the
 * clip sits within `tol` seconds of where it should, and the middle of each segment has the
 * segment's frequency.
 */
function expectAligned(res: DecodeSuccess, tol: number): void {
  const end = res.startSec + res.durationSec;
  const probe = 0.08;
  for (let t = Math.ceil(res.startSec / 10) * 10; t < end - tol - probe; t += 10) {
    if (t - tol - probe < res.startSec) continue;
    expect(dominant(block(res, t - tol - probe, probe), res.sampleRate), `before ${t}s`).toBe(freqAt(t - 1));
    expect(dominant(block(res, t + tol, probe), res.sampleRate), `after ${t}s`).toBe(freqAt(t + 1));
  }
  for (let t = Math.floor(res.startSec / 10) * 10 + 5; t < end - 0.5; t += 10) {
    if (t - 0.5 < res.startSec) continue;
    expect(dominant(block(res, t - 0.25, 0.5), res.sampleRate), `segment at ${t}s`).toBe(freqAt(t));
  }
}

function ok(r: DecodeResult): DecodeSuccess {
  if (!r.ok) throw new Error(`decode failed: ${r.code}: ${r.reason}`);
  return r;
}

interface Gen {
  file: string;
  args: string[];
  decoder: string;
  /** alignment tolerance in seconds */
  tol: number;
  sampleRate: number;
}

const GENERATED: Gen[] = [
  { file: 'cbr.mp3', args: ['-c:a', 'libmp3lame', '-b:a', '128k'], decoder: 'mpg123-wasm', tol: 0.03, sampleRate: 44100 },
  // VBR: positions come from the Xing TOC (1/256 of the file per entry), as in other players
  { file: 'vbr.mp3', args: ['-c:a', 'libmp3lame', '-q:a', '4'], decoder: 'mpg123-wasm', tol: 0.35, sampleRate: 44100 },
  { file: 't.flac', args: ['-c:a', 'flac'], decoder: 'flac-wasm', tol: 0.03, sampleRate: 44100 },
  { file: 't.ogg', args: ['-c:a', 'libvorbis', '-q:a', '3'], decoder: 'vorbis-wasm', tol: 0.03, sampleRate: 44100 },
  { file: 't.opus', args: ['-c:a', 'libopus', '-b:a', '96k'], decoder: 'opus-wasm', tol: 0.03, sampleRate: 24000 },
  {
    file: 'fast.m4a',
    args: ['-c:a', 'aac', '-b:a', '128k', '-movflags', '+faststart'],
    decoder: 'faad2-wasm',
    tol: 0.03,
    sampleRate: 44100,
  },
  { file: 'end.m4a', args: ['-c:a', 'aac', '-b:a', '128k'], decoder: 'faad2-wasm', tol: 0.03, sampleRate: 44100 },
  { file: 'alac.m4a', args: ['-c:a', 'alac'], decoder: 'alac-js', tol: 0.03, sampleRate: 44100 },
  { file: 't.wav', args: ['-c:a', 'pcm_s16le'], decoder: 'pcm-wav', tol: 0.03, sampleRate: 44100 },
  { file: 't.aiff', args: ['-c:a', 'pcm_s16be'], decoder: 'pcm-aiff', tol: 0.03, sampleRate: 44100 },
  { file: 't.wma', args: ['-c:a', 'wmav2', '-b:a', '128k'], decoder: 'wma-wasm', tol: 0.03, sampleRate: 44100 },
];

let dir = '';

async function pool<T>(items: T[], n: number, fn: (t: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: n }, async () => {
      for (let it = queue.shift(); it !== undefined; it = queue.shift()) await fn(it);
    }),
  );
}

describe.skipIf(!hasFfmpeg)('decodeClip on generated 4-minute tracks', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cadenza-decode-'));
    const src = 'aevalsrc=sin(2*PI*(300+100*floor(t/10))*t)*0.5|sin(2*PI*(300+100*floor(t/10))*t)*0.3:s=44100:d=240';
    await pool(GENERATED, 2, async (g) => {
      await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', src, ...g.args, join(dir, g.file)]);
    });
    // Ogg FLAC: a codec without a built-in decoder (ffmpeg only).
    await run('ffmpeg', [
      '-v',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'sine=f=500:d=5',
      '-c:a',
      'flac',
      '-f',
      'ogg',
      join(dir, 'oggflac.oga'),
    ]);
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  // Every test once with the WASM decoders and once with the native ones (native/decoders) where they
  // are built: the same clips, the same places, the same failures.
  for (const choice of CHOICES) {
    describe(`with the ${choice} decoders`, () => {
      beforeAll(() => selectDecoders(choice));
      afterAll(() => selectDecoders(undefined));

      for (const g of GENERATED.filter((g) => choice === 'wasm' || NATIVE.test(g.decoder))) {
        it(`${g.file}: decodes the middle 30 s, reading a fraction of the file`, async () => {
          const path = join(dir, g.file);
          const size = (await stat(path)).size;
          const res = ok(await decodeClip(path, { startSec: 105, durationSec: 30 }));
          expect(res.decoder).toBe(choice === 'native' ? g.decoder.replace('-wasm', '-native') : g.decoder);
          expect(res.sampleRate).toBe(g.sampleRate);
          expect(res.channels).toHaveLength(2);
          expect(res.startSec).toBeCloseTo(105, 2);
          expect(res.durationSec).toBeCloseTo(30, 2);
          expect(res.channels[1]?.length).toBe(res.channels[0]?.length);
          expect(res.trackDurationSec).toBeGreaterThan(239.9);
          expect(res.trackDurationSec).toBeLessThan(240.1);
          expectAligned(res, g.tol);
          // ~1/8 of the track's bytes, plus headers and seeking probes
          expect(res.bytesRead).toBeLessThan(size * 0.125 * 1.25 + 160 * 1024);
          expect(res.bytesRead).toBeLessThan(size * 0.5);
          console.log(`${g.file}: bytesRead ${res.bytesRead} of ${size} (${((100 * res.bytesRead) / size).toFixed(1)}%)`);
          const probed = await probeDuration(path);
          expect(probed).toBeGreaterThan(239.9);
          expect(probed).toBeLessThan(240.1);
        });
      }

      it.each(
        choice === 'native'
          ? ['cbr.mp3', 't.flac', 't.ogg', 'end.m4a']
          : ['cbr.mp3', 't.flac', 't.ogg', 't.opus', 'end.m4a', 't.wma', 't.wav'],
      )('%s: windows at the start and past the end are clamped', async (file) => {
        const path = join(dir, file);
        const tol = 0.03;
        const atStart = ok(await decodeClip(path, { startSec: -3, durationSec: 12 }));
        expect(atStart.startSec).toBe(0);
        expect(atStart.durationSec).toBeCloseTo(12, 2);
        expectAligned(atStart, tol);
        expect(dominant(block(atStart, 0.2, 0.3), atStart.sampleRate)).toBe(300);
        const pastEnd = ok(await decodeClip(path, { startSec: 225, durationSec: 30 }));
        expect(pastEnd.startSec).toBeCloseTo(210, 2);
        expect(pastEnd.durationSec).toBeGreaterThan(29.9);
        expectAligned(pastEnd, tol);
      });

      /** ffmpeg's decode of [start, start + seconds), decoding from the file's start (exact), as channels. */
      async function ffmpegWindow(
        path: string,
        start: number,
        seconds: number,
        inputArgs: string[] = [],
      ): Promise<Float32Array[]> {
        const { stdout } = await run(
          'ffmpeg',
          ['-v', 'error', ...inputArgs, '-i', path, '-ss', String(start), '-t', String(seconds), '-f', 'f32le', '-'],
          {
            encoding: 'buffer',
            maxBuffer: 1 << 28,
          },
        );
        const all = new Float32Array(stdout.buffer, stdout.byteOffset, stdout.length / 4);
        return [0, 1].map((c) => Float32Array.from({ length: all.length / 2 }, (_, i) => all[2 * i + c] as number));
      }

      // The Vorbis packets go straight from ogg.ts's page parser into the decoder (wasm-direct.ts): the samples
      // must be libvorbis's, at the right place.
      it("t.ogg: the clip is libvorbis's decode of that window, sample for sample", async () => {
        const path = join(dir, 't.ogg');
        const res = ok(await decodeClip(path, { startSec: 105, durationSec: 30 }));
        const ref = await ffmpegWindow(path, res.startSec, 30);
        for (let c = 0; c < 2; c++) {
          const a = res.channels[c] as Float32Array,
            b = ref[c] as Float32Array;
          expect(Math.abs(a.length - b.length)).toBeLessThanOrEqual(1);
          let max = 0;
          for (let i = 0; i < Math.min(a.length, b.length); i++)
            max = Math.max(max, Math.abs((a[i] as number) - (b[i] as number)));
          expect(max, `channel ${c}`).toBeLessThan(1e-4);
        }
      });

      // Opus is decoded at 24 kHz for analysis: the MFCC and the loudness must be those of the 48 kHz decode.
      it('t.opus: at 24 kHz the MFCC and the loudness are those of libopus at 48 kHz', async () => {
        const path = join(dir, 't.opus');
        const res = ok(await decodeClip(path, { startSec: 105, durationSec: 30 }));
        expect(res.sampleRate).toBe(24000);
        const ref = await ffmpegWindow(path, res.startSec, 30, ['-c:a', 'libopus']);
        const features = (channels: Float32Array[], rate: number) =>
          toSegments(mfcc(fillClip(resample(downmixToMono(channels), rate, SAMPLE_RATE)) as Float32Array));
        const a = features(res.channels, 24000),
          b = features(ref, 48000);
        let max = 0,
          sum = 0;
        for (let i = 0; i < a.length; i++) {
          const d = Math.abs((a[i] as number) - (b[i] as number));
          max = Math.max(max, d);
          sum += d;
        }
        console.log(`opus 24 kHz vs 48 kHz: MFCC mean |d| ${(sum / a.length).toFixed(4)}, max ${max.toFixed(3)}`);
        expect(sum / a.length).toBeLessThan(0.05);
        expect(max).toBeLessThan(5); // measured 3.3 here and ≤ 3.2 on real Opus tracks, in near-empty mel bands (features span ±100)
        const lufs24 = integratedLoudness(res.channels, 24000).integratedLufs as number;
        const lufs48 = integratedLoudness(ref, 48000).integratedLufs as number;
        expect(Math.abs(lufs24 - lufs48)).toBeLessThan(0.1);
      });

      it('sniffs by content, not by extension', async () => {
        const kinds: Record<string, string> = {
          'cbr.mp3': 'mp3',
          't.flac': 'flac',
          't.ogg': 'ogg',
          't.opus': 'ogg',
          'fast.m4a': 'mp4',
          'end.m4a': 'mp4',
          'alac.m4a': 'mp4',
          't.wav': 'wav',
          't.aiff': 'aiff',
          't.wma': 'asf',
        };
        for (const [f, k] of Object.entries(kinds))
          expect(sniffContainer(new Uint8Array((await readFile(join(dir, f))).subarray(0, 4096))), f).toBe(k);
        // a FLAC file named .mp3 still decodes as FLAC
        const renamed = join(dir, 'flac-named.mp3');
        await writeFile(renamed, await readFile(join(dir, 't.flac')));
        expect(ok(await decodeClip(renamed, { startSec: 50, durationSec: 5 })).decoder).toBe(`flac-${choice}`);
      });

      it('corrupt input comes back as a value with a reason', async () => {
        const rnd = join(dir, 'random.mp3');
        const bytes = new Uint8Array(256 * 1024);
        for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 2654435761 + (i >> 3) * 40503) & 0xff;
        await writeFile(rnd, bytes);
        const empty = join(dir, 'empty.flac');
        await writeFile(empty, new Uint8Array(0));
        const cut = async (name: string, frac: number): Promise<string> => {
          const b = await readFile(join(dir, name));
          const p = join(dir, `cut-${name}`);
          await writeFile(p, b.subarray(0, Math.floor(b.length * frac)));
          return p;
        };
        const cases: [string, string][] = [
          [rnd, 'random bytes'],
          [empty, 'empty'],
          [await cut('end.m4a', 0.3), 'moov'],
          [await cut('t.flac', 0.3), 'FLAC'],
          [await cut('vbr.mp3', 0.3), 'MPEG'],
          [await cut('t.ogg', 0.00001), 'Ogg'],
          [join(dir, 'does-not-exist.wav'), 'ENOENT'],
        ];
        for (const [p, hint] of cases) {
          const res = await decodeClip(p, { startSec: 105, durationSec: 30 });
          expect(res.ok, hint).toBe(false);
          if (res.ok) continue;
          expect(res.reason.length, hint).toBeGreaterThan(5);
          expect(['corrupt', 'unreadable', 'too-short', 'no-decoder']).toContain(res.code);
        }
        const missing = await decodeClip(join(dir, 'does-not-exist.wav'), { startSec: 0, durationSec: 1 });
        expect(missing).toMatchObject({ ok: false, code: 'unreadable' });
        expect(await decodeClip(empty, { startSec: 0, durationSec: 1 })).toMatchObject({
          ok: false,
          code: 'corrupt',
          reason: 'empty file (0 bytes)',
        });
      });

      it('a codec without a built-in decoder: ffmpeg when allowed, a plain reason when not', async () => {
        const p = join(dir, 'oggflac.oga');
        const no = await decodeClip(p, { startSec: 1, durationSec: 2, allowFfmpeg: false });
        expect(no).toEqual({ ok: false, code: 'no-decoder', reason: 'no decoder for flac in ogg' });
        const yes = ok(await decodeClip(p, { startSec: 1, durationSec: 2 }));
        expect(yes.decoder).toBe('ffmpeg');
        expect(yes.durationSec).toBeCloseTo(2, 1);
        expect(yes.startSec).toBeCloseTo(1, 3);
        expect(dominant(yes.channels[0] as Float32Array, yes.sampleRate)).toBe(500);
      });

      it('rejects when aborted', async () => {
        const ac = new AbortController();
        ac.abort();
        await expect(decodeClip(join(dir, 't.flac'), { startSec: 0, durationSec: 5, signal: ac.signal })).rejects.toThrow();
      });
    });
  }
});
