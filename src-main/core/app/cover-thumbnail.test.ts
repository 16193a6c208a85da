// Thumbnails of real pictures made by ffmpeg: a large JPEG and a PNG with transparency shrink to fit the
// size with their aspect and colours kept (area averaging: a half red, half blue picture stays so), a small
// picture is left alone, and damaged, oversized or unknown pictures give a reason instead of a throw.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { requireFfmpeg } from '../../../test/fixtures/library/make-library.ts';
import { tempDir } from '../../../test/helpers/temp-dir.ts';
import { areaAverage, makeThumbnail } from './cover-thumbnail.ts';
import { pictureSize, THUMB_SIZE } from './thumbnail-messages.ts';

function picture(name: string, filter: string): Uint8Array {
  const file = path.join(tempDir(), name);
  execFileSync(requireFfmpeg(), ['-v', 'error', '-y', '-f', 'lavfi', '-i', filter, '-frames:v', '1', file]);
  return new Uint8Array(fs.readFileSync(file));
}

/** The mean colour of a box of a decoded RGBA picture. */
function meanColour(img: { width: number; data: Uint8Array }, x0: number, y0: number, x1: number, y1: number): number[] {
  const sum = [0, 0, 0];
  let n = 0;
  for (let y = y0; y < y1; y++)
    for (let x = x0; x < x1; x++) {
      for (let c = 0; c < 3; c++) sum[c]! += img.data[(y * img.width + x) * 4 + c]!;
      n++;
    }
  return sum.map((v) => v / n);
}

describe('cover thumbnails', () => {
  it('shrinks a large JPEG to fit the size, keeping its aspect and its colours', () => {
    // 1200 × 800: red left half, blue right half.
    const bytes = picture('big.jpg', 'color=c=red:s=600x800[a];color=c=blue:s=600x800[b];[a][b]hstack');
    const out = makeThumbnail(bytes, 'image/jpeg');
    expect(out.kind).toBe('thumbnail');
    if (out.kind !== 'thumbnail') return;
    expect([out.width, out.height]).toEqual([THUMB_SIZE, Math.round((THUMB_SIZE * 800) / 1200)]);
    expect(out.bytes.length).toBeLessThan(bytes.length);
    const back = jpeg.decode(out.bytes, { useTArray: true });
    expect([back.width, back.height]).toEqual([out.width, out.height]);
    const left = meanColour(back, 10, 10, 140, 200);
    const right = meanColour(back, 180, 10, 310, 200);
    expect(left[0]).toBeGreaterThan(200);
    expect(left[2]).toBeLessThan(50);
    expect(right[2]).toBeGreaterThan(200);
    expect(right[0]).toBeLessThan(50);
  });

  it('lays a PNG’s transparency over the panel colour, and leaves a small picture alone', () => {
    // 800 × 800, fully transparent black: the thumbnail is the backdrop (#1d2027) everywhere.
    const clear = picture('clear.png', 'color=c=black@0.0:s=800x800,format=rgba');
    const out = makeThumbnail(clear, 'image/png');
    expect(out.kind).toBe('thumbnail');
    if (out.kind !== 'thumbnail') return;
    const back = jpeg.decode(out.bytes, { useTArray: true });
    const [r, g, b] = meanColour(back, 0, 0, back.width, back.height);
    expect(Math.abs(r! - 0x1d)).toBeLessThan(6);
    expect(Math.abs(g! - 0x20)).toBeLessThan(6);
    expect(Math.abs(b! - 0x27)).toBeLessThan(6);
    expect(makeThumbnail(picture('small.png', 'color=c=green:s=64x64'), 'image/png')).toEqual({ kind: 'small' });
  });

  it('gives a reason for a damaged, oversized or unknown picture instead of throwing', () => {
    const bytes = picture('cut.jpg', 'color=c=red:s=900x900');
    const cut = makeThumbnail(bytes.subarray(0, 200), 'image/jpeg');
    expect(cut.kind).toBe('unreadable');
    // A PNG header claiming 100,000 × 100,000 pixels is refused before any bitmap is allocated.
    const png = picture('tiny.png', 'color=c=red:s=8x8');
    const huge = Uint8Array.from(png);
    new DataView(huge.buffer).setUint32(16, 100_000);
    new DataView(huge.buffer).setUint32(20, 100_000);
    expect(makeThumbnail(huge, 'image/png')).toMatchObject({ kind: 'unreadable', reason: expect.stringMatching(/over 40 MP/) });
    expect(makeThumbnail(new Uint8Array([0x89, 0x50]), 'image/png').kind).toBe('unreadable');
    expect(makeThumbnail(bytes, 'image/webp')).toEqual({ kind: 'unsupported' });
  });

  it('reads a JPEG’s and a PNG’s size from the header alone', () => {
    expect(pictureSize(picture('wide.jpg', 'color=c=red:s=700x300'), 'image/jpeg')).toEqual({ width: 700, height: 300 });
    expect(pictureSize(picture('prog.jpg', 'color=c=red:s=640x480'), 'image/jpeg')).toEqual({ width: 640, height: 480 });
    expect(pictureSize(picture('tall.png', 'color=c=red:s=40x90'), 'image/png')).toEqual({ width: 40, height: 90 });
    expect(pictureSize(Uint8Array.of(0xff, 0xd8, 0xff), 'image/jpeg')).toBeNull();
    expect(pictureSize(new Uint8Array(30), 'image/png')).toBeNull();
    expect(pictureSize(new Uint8Array(30), 'image/webp')).toBeNull();
  });

  it('area averaging weighs each source pixel by its overlap (a 3 → 2 shrink of a ramp)', () => {
    // One row of 3 pixels: 0, 90, 180 (grey). Target pixel 0 covers [0, 1.5): (0 + 0.5 · 90) / 1.5 = 30; pixel 1: (0.5 · 90 + 180) / 1.5 = 150.
    const data = Uint8Array.of(0, 0, 0, 255, 90, 90, 90, 255, 180, 180, 180, 255);
    const out = areaAverage({ width: 3, height: 1, data }, 2, 1);
    expect(Array.from(out)).toEqual([30, 30, 30, 255, 150, 150, 150, 255]);
  });
});
