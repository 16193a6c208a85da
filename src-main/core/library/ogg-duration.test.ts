// An Ogg file's length from its first and last pages, against music-metadata reading every page (the
// reference) on Vorbis and Opus files ffmpeg encodes here, and the cases that must fall back.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseFile } from 'music-metadata';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireFfmpeg } from '../../../test/fixtures/library/make-library.ts';
import { tempDir } from '../../../test/helpers/temp-dir.ts';
import { lastGranule, MAX_OGG_PAGE, oggDuration, oggPageCrc, oggStreamHead } from './ogg-duration.ts';
import { readTrackMetadata } from './read-metadata.ts';

const dir = tempDir();
const file = (name: string) => path.join(dir, name);

function encode(name: string, seconds: number, rate: number, codec: string[]): string {
  const out = file(name);
  execFileSync(requireFfmpeg(), [
    '-v', 'error', '-y', '-f', 'lavfi', '-i', `sine=frequency=330:sample_rate=${rate}:duration=${seconds}`,
    ...codec, out,
  ]); // prettier-ignore
  return out;
}

const ends = (f: string) => {
  const bytes = new Uint8Array(fs.readFileSync(f));
  return { bytes, head: bytes.subarray(0, 4100), tail: bytes.subarray(Math.max(0, bytes.length - MAX_OGG_PAGE)) };
};

let vorbis: string;
let opus: string;
let oggFlac: string;

beforeAll(() => {
  vorbis = encode('a.ogg', 7.3, 44_100, ['-c:a', 'libvorbis', '-q:a', '3']);
  opus = encode('b.opus', 11.1, 48_000, ['-c:a', 'libopus', '-b:a', '64k']);
  oggFlac = encode('c.oga', 2.5, 44_100, ['-c:a', 'flac', '-f', 'ogg']);
});

describe('the length of an Ogg file from its ends', () => {
  it('equals music-metadata reading every page, for Vorbis and Opus', async () => {
    for (const [f, seconds] of [
      [vorbis, 7.3],
      [opus, 11.1],
    ] as const) {
      const { head, tail } = ends(f);
      const reference = (await parseFile(f, { duration: true })).format.duration!;
      expect(oggDuration(head, tail)).toBeCloseTo(reference, 9);
      expect(reference).toBeCloseTo(seconds, 1);
      expect((await readTrackMetadata(f)).duration).toBeCloseTo(reference, 9);
    }
  });

  it('reads the stream head: Opus at 48 kHz with its pre-skip, Vorbis at its own rate', () => {
    expect(oggStreamHead(ends(opus).head)).toMatchObject({ codec: 'opus', granuleRate: 48_000, preSkip: 312 });
    expect(oggStreamHead(ends(vorbis).head)).toMatchObject({ codec: 'vorbis', granuleRate: 44_100, preSkip: 0 });
    expect(oggStreamHead(ends(oggFlac).head)).toBeNull(); // Ogg FLAC: not from the ends
  });

  it('checks each page by its CRC: the stored one of a real page, and a damaged last page is passed over', () => {
    const { bytes, tail } = ends(vorbis);
    const first = bytes.subarray(0, 58);
    expect(oggPageCrc(first)).toBe(new DataView(bytes.buffer).getUint32(22, true));
    const serial = oggStreamHead(bytes)!.serial;
    const whole = lastGranule(tail, serial)!;
    const damaged = Uint8Array.from(tail);
    damaged[damaged.length - 3]! ^= 0xff; // inside the last page's sound data
    const earlier = lastGranule(damaged, serial)!;
    expect(earlier).toBeGreaterThan(0n);
    expect(earlier).toBeLessThan(whole);
  });

  it("answers null where one stream's last page is not the file's: another stream last, or no sound page", () => {
    const a = ends(opus);
    const b = ends(vorbis);
    const serial = oggStreamHead(a.head)!.serial;
    expect(oggStreamHead(b.head)!.serial).not.toBe(serial);
    const lastOfB = b.bytes.subarray(b.bytes.length - 4096); // ends with the Vorbis stream's last page
    const muxed = new Uint8Array([...a.tail, ...lastOfB]);
    expect(lastGranule(muxed, serial)).toBeNull();
    expect(oggDuration(a.head, a.head.subarray(0, 58))).toBeNull(); // only the header page: granule 0
    expect(oggDuration(a.head, new Uint8Array(1000))).toBeNull();
  });

  it('falls back to reading every page where the ends cannot tell (Ogg FLAC), with the same answer as before', async () => {
    const reference = await parseFile(oggFlac, { duration: true });
    const read = await readTrackMetadata(oggFlac);
    expect(read.codec).toBe(reference.format.codec);
    expect(read.duration).toBe(reference.format.duration ?? null);
  });
});
