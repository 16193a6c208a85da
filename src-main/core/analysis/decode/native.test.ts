import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { decodeClip } from './index.ts';
import { findFfmpeg } from './ffmpeg.ts';
import { ADDON_RELATIVE_PATH, findAddon, nativeDecoders, selectDecoders, type NativeDecoders } from './native.ts';
import { PacketOutput } from './wasm-direct.ts';
import type { DecodeSuccess } from './types.ts';

const run = promisify(execFile);
const hasFfmpeg = (await findFfmpeg()) !== undefined;
const native = nativeDecoders();

afterEach(() => selectDecoders(undefined));

describe('finding and loading the native decoders', () => {
  it('finds the build in the first folder above the module that has it', async () => {
    const root = await mkdtemp(join(tmpdir(), 'cadenza-native-'));
    try {
      const deep = join(root, 'out', 'main', 'chunks');
      await mkdir(deep, { recursive: true });
      expect(findAddon({}, deep)).toBeUndefined();
      await mkdir(join(root, 'native', 'decoders', 'build', 'Release'), { recursive: true });
      await writeFile(join(root, ADDON_RELATIVE_PATH), '');
      expect(findAddon({}, deep)).toBe(join(root, ADDON_RELATIVE_PATH));
      expect(findAddon({ CADENZA_NATIVE_DECODERS: '/elsewhere/x.node' }, deep)).toBe('/elsewhere/x.node');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('CADENZA_DECODERS=native makes a missing build an error; =wasm turns them off', () => {
    const saved = { choice: process.env.CADENZA_DECODERS, path: process.env.CADENZA_NATIVE_DECODERS };
    try {
      process.env.CADENZA_DECODERS = 'native';
      process.env.CADENZA_NATIVE_DECODERS = join(tmpdir(), 'no-such-addon.node');
      selectDecoders(undefined);
      expect(() => nativeDecoders()).toThrow(/CADENZA_DECODERS=native but the native decoders do not load/);
      process.env.CADENZA_DECODERS = 'wasm';
      selectDecoders(undefined);
      expect(nativeDecoders()).toBeNull();
    } finally {
      for (const [k, v] of [
        ['CADENZA_DECODERS', saved.choice],
        ['CADENZA_NATIVE_DECODERS', saved.path],
      ] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});

// Layouts the 4-minute suite in decode.test.ts does not cover: mono, 48 kHz MPEG and AAC, 24-bit FLAC.
const LAYOUTS: { file: string; args: string[]; tol: number }[] = [
  { file: 'mono.mp3', args: ['-ac', '1', '-c:a', 'libmp3lame', '-b:a', '96k'], tol: 1e-5 },
  { file: 'r48.mp3', args: ['-ar', '48000', '-c:a', 'libmp3lame', '-b:a', '192k'], tol: 1e-5 },
  { file: 'mono.ogg', args: ['-ac', '1', '-c:a', 'libvorbis', '-q:a', '5'], tol: 1e-5 },
  { file: 's24.flac', args: ['-ar', '48000', '-c:a', 'flac', '-sample_fmt', 's32'], tol: 1e-5 },
  { file: 'mono.flac', args: ['-ac', '1', '-c:a', 'flac'], tol: 1e-4 },
  // AAC: Debian's FAAD2 2.10 against the WASM build's FAAD2: the same samples mid-stream (within 1e-6 on
  // these tones), up to ~1 % of the peak in the first seconds of a stream.
  { file: 'mono.m4a', args: ['-ac', '1', '-c:a', 'aac', '-b:a', '96k'], tol: 1e-2 },
  { file: 'r48.m4a', args: ['-ar', '48000', '-c:a', 'aac', '-b:a', '192k', '-movflags', '+faststart'], tol: 1e-2 },
];

describe.skipIf(!hasFfmpeg || !native)('the native decoders against the WASM ones', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cadenza-native-'));
    const src = 'aevalsrc=0.4*sin(2*PI*440*t)+0.2*sin(2*PI*3000*t)|0.3*sin(2*PI*660*t):s=44100:d=40';
    await Promise.all(
      LAYOUTS.map((l) => run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', src, ...l.args, join(dir, l.file)])),
    );
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function decodeWith(choice: 'wasm' | 'native', file: string, startSec: number): Promise<DecodeSuccess> {
    selectDecoders(choice);
    const r = await decodeClip(join(dir, file), { startSec, durationSec: 12, allowFfmpeg: false });
    if (!r.ok) throw new Error(`${file} (${choice}): ${r.reason}`);
    return r;
  }

  for (const l of LAYOUTS) {
    it(`${l.file}: the same samples at the same place`, async () => {
      for (const start of [0, 14]) {
        const a = await decodeWith('wasm', l.file, start);
        const b = await decodeWith('native', l.file, start);
        expect(b.decoder).toMatch(/-native$/);
        expect(b.sampleRate).toBe(a.sampleRate);
        expect(b.startSec).toBe(a.startSec);
        expect(b.trackDurationSec).toBe(a.trackDurationSec);
        expect(b.channels.length).toBe(a.channels.length);
        let max = 0;
        let energy = 0;
        for (let c = 0; c < a.channels.length; c++) {
          const x = a.channels[c] as Float32Array,
            y = b.channels[c] as Float32Array;
          expect(y.length).toBe(x.length);
          for (let i = 0; i < x.length; i++) {
            max = Math.max(max, Math.abs((x[i] as number) - (y[i] as number)));
            energy += (y[i] as number) ** 2;
          }
        }
        expect(energy).toBeGreaterThan(1000); // real audio, not two silences that agree
        expect(max, `${l.file} from ${start} s`).toBeLessThan(l.tol);
      }
    });
  }
  it('AAC with more than two channels stays on the WASM decoder (its channel order)', async () => {
    await run('ffmpeg', [
      '-v',
      'error',
      '-y',
      '-i',
      join(dir, 'mono.m4a'),
      '-af',
      'pan=5.1|c0=c0|c1=c0|c2=c0|c3=c0|c4=c0|c5=c0',
      '-c:a',
      'aac',
      join(dir, 's51.m4a'),
    ]);
    selectDecoders('native');
    const r = await decodeClip(join(dir, 's51.m4a'), { startSec: 2, durationSec: 5, allowFfmpeg: false });
    expect(r.ok && r.decoder).toBe('faad2-wasm');
    expect(r.ok && r.channels.length).toBe(6);
  });
});

/** Deterministic pseudo-random bytes. */
function noise(seed: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

describe.skipIf(!native)('the native decoders on hostile input', () => {
  const n = native as NativeDecoders;

  it('garbage packets decode to nothing or to bounded audio, never a crash', () => {
    const out = new PacketOutput(2);
    const vorbisId = Uint8Array.from([
      1,
      ...Buffer.from('vorbis'),
      0,
      0,
      0,
      0,
      2,
      0x44,
      0xac,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0xee,
      0x02,
      0,
      0,
      0,
      0,
      0xb8,
      1,
    ]);
    expect(() => n.vorbis(vorbisId, noise(1, 300))).toThrow(/vorbis: the stream's headers were rejected/);
    expect(() => n.vorbis(noise(2, 30), noise(3, 300))).toThrow(/vorbis: the stream's headers were rejected/);
    for (const d of [n.mpeg()]) {
      for (let k = 0; k < 400; k++) {
        out.clear();
        // garbage, and garbage behind a valid MPEG-1 layer III header
        const packet = noise(k + 7, (k * 37) % 3000);
        if (k % 2 && packet.length > 4) packet.set([0xff, 0xfb, 0x90, 0x64]);
        const got = d.decode([packet], out);
        expect(got).toBeGreaterThanOrEqual(0);
        expect(got).toBeLessThanOrEqual(4096);
        expect(out.samples).toBe(got);
      }
      d.close();
    }
    expect(() => n.aac(noise(4, 2))).toThrow(/aac: the AudioSpecificConfig was rejected/);
    const aac = n.aac(Uint8Array.from([0x12, 0x10])); // AAC LC, 44.1 kHz, stereo
    expect([aac.sampleRate, aac.channels]).toEqual([44100, 2]);
    for (let k = 0; k < 400; k++) {
      out.clear();
      const got = aac.units.decode([noise(k + 500, (k * 13) % 1500)], out);
      expect(got).toBeGreaterThanOrEqual(0);
      expect(got).toBeLessThanOrEqual(2048);
    }
    aac.units.close();
    const flac = n.flac(0);
    let total = 0;
    for (let k = 0; k < 50; k++) total += flac.decode(noise(k + 99, 4096), out);
    total += flac.decode(new Uint8Array(0), out, true);
    expect(total).toBeGreaterThanOrEqual(0);
    flac.close();
  });

  it('a closed handle, or one of another kind, is refused with an error', () => {
    const out = new PacketOutput(1);
    const mpeg = n.mpeg();
    mpeg.close();
    mpeg.close(); // twice is harmless
    expect(() => mpeg.decode([new Uint8Array(10)], out)).toThrow(/mpegDecode\(handle, frame, planes, offset\): bad arguments/);
    // the raw calls: a FLAC handle handed to the MPEG call, a plane that is not a Float32Array
    const raw = createRequire(import.meta.url)(findAddon() as string) as Record<string, (...args: unknown[]) => unknown>;
    const flac = raw.flacOpen!(0);
    expect(() => raw.mpegDecode!(flac, new Uint8Array(10), [new Float32Array(6000)], 0)).toThrow(/bad arguments/);
    const m = raw.mpegOpen!();
    expect(() => raw.mpegDecode!(m, new Uint8Array(10), [new Int16Array(6000)], 0)).toThrow(/bad arguments/);
    expect(() => raw.mpegDecode!(m, new Uint8Array(10), [new Float32Array(6000)], -1)).toThrow(/bad arguments/);
    expect(() => raw.flacTake!(flac, [], 0)).toThrow(/bad arguments/);
    raw.close!(flac);
    raw.close!(m);
  });
});
