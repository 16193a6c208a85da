// The transcoded stream through the real decode worker: bytes of any range are the exact PCM of a
// lossless source (compared with ffmpeg's own decode), joins between chunks included.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireFfmpeg } from '../../../test/fixtures/library/make-library.ts';
import { tempDir } from '../../../test/helpers/temp-dir.ts';
import { mediaResponse } from '../app/media.ts';
import { insertTracks, openTestDb } from '../app/test-db.ts';
import { browserPlays } from './browser-codecs.ts';
import { CHUNK_SEC, FIRST_CHUNK_SEC, PlaybackTranscoder, WorkerChunkDecoder, type VirtualWav } from './transcoder.ts';
import { WAV_HEADER_BYTES } from './wav-header.ts';

const RATE = 44100;
const SECONDS = 5.3; // several chunks and a short last one

/** A stereo source whose channels differ (a join that swapped or shifted samples would show). */
function encode(file: string, codecArgs: string[]): void {
  execFileSync(requireFfmpeg(), [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=441:duration=${SECONDS}`,
    '-f',
    'lavfi',
    '-i',
    `anoisesrc=d=${SECONDS}:a=0.2:seed=7`,
    '-filter_complex',
    '[0][1]amerge=inputs=2',
    '-ar',
    String(RATE),
    ...codecArgs,
    file,
  ]);
}

/** ffmpeg's decode of a file as interleaved s16le: the reference for a lossless source. */
function ffmpegPcm(file: string): Buffer {
  return execFileSync(requireFfmpeg(), ['-v', 'error', '-i', file, '-f', 's16le', '-c:a', 'pcm_s16le', '-'], {
    maxBuffer: 1 << 26,
  });
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const part of stream as unknown as AsyncIterable<Uint8Array>) parts.push(part);
  return Buffer.concat(parts);
}

function sourceOf(file: string) {
  const stat = fs.statSync(file);
  return { path: file, size: stat.size, mtimeMs: stat.mtimeMs };
}

describe('browserPlays', () => {
  it('decides by the stored container and codec: Chromium plays mp3, flac, vorbis, opus, aac and plain PCM WAV', () => {
    const plays: [string, string][] = [
      ['MPEG', 'MPEG 1 Layer 3'],
      ['FLAC', 'FLAC'],
      ['Ogg', 'Vorbis I'],
      ['Ogg', 'Opus'],
      ['M4A/isom/iso2', 'MPEG-4/AAC'],
      ['M4A/mp42/isom', 'MPEG-4/AAC+SBR'],
      ['WAVE', 'PCM'],
    ];
    const transcoded: [string | null, string | null][] = [
      ['M4A/isom/iso2', 'ALAC'],
      ['AIFF', 'PCM'],
      ['AIFF-C', 'PCM (byte swapped)'],
      ['ASF/audio', 'Windows Media Audio V8'],
      ['Ogg', 'FLAC'],
      ['WAVE', 'non-PCM (65534)'],
      ['WAVE', 'ADPCM'],
      [null, null],
    ];
    for (const [container, codec] of plays) expect(browserPlays(container, codec), `${container} ${codec}`).toBe(true);
    for (const [container, codec] of transcoded) expect(browserPlays(container, codec), `${container} ${codec}`).toBe(false);
  });
});

describe('PlaybackTranscoder (real decode worker)', () => {
  const decoder = new WorkerChunkDecoder();
  const transcoder = new PlaybackTranscoder(decoder);
  let dir: string;
  const files: Record<'alac' | 'aiff' | 'wma', string> = { alac: '', aiff: '', wma: '' };

  beforeAll(() => {
    dir = tempDir();
    files.alac = path.join(dir, 'tone.m4a');
    files.aiff = path.join(dir, 'tone.aiff');
    files.wma = path.join(dir, 'tone.wma');
    encode(files.alac, ['-c:a', 'alac', '-sample_fmt', 's16p']);
    encode(files.aiff, ['-c:a', 'pcm_s16be']);
    encode(files.wma, ['-c:a', 'wmav2', '-b:a', '128k']);
  });
  afterAll(() => decoder.close());

  for (const kind of ['alac', 'aiff'] as const) {
    it(`serves ${kind} as a WAV whose every byte range is ffmpeg's exact decode, across chunk joins`, async () => {
      const wav: VirtualWav = await transcoder.open(sourceOf(files[kind]));
      const reference = ffmpegPcm(files[kind]);
      expect(wav.contentType).toBe('audio/wav');
      expect(wav.size).toBe(WAV_HEADER_BYTES + reference.length);
      const whole = await readAll(wav.body(0, wav.size - 1));
      expect(whole.subarray(0, 4).toString('latin1')).toBe('RIFF');
      expect(whole.readUInt16LE(22)).toBe(2);
      expect(whole.readUInt32LE(24)).toBe(RATE);
      expect(whole.readUInt32LE(40)).toBe(reference.length);
      expect(whole.subarray(WAV_HEADER_BYTES).equals(reference)).toBe(true);
      // Ranges that start inside a frame, inside the header, at a seek point, and end at the file's end.
      const joins = [FIRST_CHUNK_SEC, FIRST_CHUNK_SEC + CHUNK_SEC].map((sec) => WAV_HEADER_BYTES + Math.round(sec * RATE) * 4);
      for (const [start, end] of [
        [3, 200],
        [joins[0]! - 1001, joins[1]! + 777],
        [WAV_HEADER_BYTES + 4 * 150_001 + 3, wav.size - 1],
        [wav.size - 10, wav.size - 1],
      ] as const) {
        const part = await readAll(wav.body(start, end));
        expect(part.equals(whole.subarray(start, end + 1)), `bytes ${start}-${end}`).toBe(true);
      }
    });
  }

  it('serves WMA (lossy) close to ffmpeg and without jumps at the chunk joins', async () => {
    const wav = await transcoder.open(sourceOf(files.wma));
    const body = await readAll(wav.body(0, wav.size - 1));
    const ours = new Int16Array(body.buffer, body.byteOffset + WAV_HEADER_BYTES, (body.length - WAV_HEADER_BYTES) / 2);
    expect(Math.abs(ours.length / 2 / RATE - SECONDS)).toBeLessThan(0.1);
    // The left channel is a 441 Hz sine: its sample-to-sample step stays small everywhere, joins included.
    let maxStep = 0;
    for (let i = 2 * 2; i < ours.length - 2 * 4096; i += 2) maxStep = Math.max(maxStep, Math.abs(ours[i]! - ours[i - 2]!));
    const sineStep = 32768 * 0.125 * Math.sin((2 * Math.PI * 441) / RATE); // ffmpeg's sine source is at 1/8 full scale
    expect(maxStep).toBeLessThan(sineStep * 2);
  });

  it('answers the media route with the virtual WAV: ranges, HEAD, 416, and 415 for a file no decoder reads', async () => {
    const db: Database = openTestDb(path.join(dir, 'data'));
    const junk = path.join(dir, 'junk.m4a');
    fs.writeFileSync(junk, Buffer.alloc(5000, 7));
    const [alac, broken] = insertTracks(db, [
      { path: files.alac, container: 'M4A/isom/iso2', codec: 'ALAC' },
      { path: junk, container: 'M4A/isom/iso2', codec: 'ALAC' },
    ]);
    const size = WAV_HEADER_BYTES + ffmpegPcm(files.alac).length;
    const ranged = await mediaResponse(db, alac!, { range: 'bytes=1000-1999' });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get('content-type')).toBe('audio/wav');
    expect(ranged.headers.get('content-range')).toBe(`bytes 1000-1999/${size}`);
    expect((await ranged.arrayBuffer()).byteLength).toBe(1000);
    const head = await mediaResponse(db, alac!, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(size));
    expect((await mediaResponse(db, alac!, { range: `bytes=${size}-` })).status).toBe(416);
    const refused = await mediaResponse(db, broken!, {});
    expect(refused.status).toBe(415);
    expect(await refused.text()).toMatch(/cannot be decoded/);
    db.close();
  });
});
