import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeAnalysisLibrary } from '../../../../test/fixtures/analysis/make-analysis-library.ts';
import { tempDir } from '../../../../test/helpers/temp-dir.ts';
import { decodeClip } from './index.ts';

/** The fixture m4a with one box's field overwritten (`at` bytes after the box's type). */
async function damagedM4a(box: string, at: number, value: number): Promise<string> {
  const lib = await makeAnalysisLibrary(path.join(tempDir(), 'music'));
  const source = lib.files.find((f) => f.name === 'piece-aac.m4a')!.path;
  const bytes = fs.readFileSync(source);
  const i = bytes.indexOf(box, 0, 'latin1');
  expect(i).toBeGreaterThan(0);
  bytes.writeUInt32BE(value >>> 0, i + at);
  const file = path.join(tempDir(), `${box}.m4a`);
  fs.writeFileSync(file, bytes);
  return file;
}

describe('MP4 sample tables with counts their boxes cannot hold', () => {
  it('a chunk count in the billions with empty chunks is refused at once, not walked', async () => {
    const lib = await damagedM4a('stco', 8, 0xfffffff0);
    const bytes = fs.readFileSync(lib);
    bytes.writeUInt32BE(0, bytes.indexOf('stsc', 0, 'latin1') + 16); // first entry: 0 samples per chunk
    fs.writeFileSync(lib, bytes);
    const started = performance.now();
    const result = await decodeClip(lib, { startSec: 5, durationSec: 30, allowFfmpeg: false });
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(result.ok).toBe(false);
  });

  it('a sample count of 40 million in a box of a few kB is refused before anything is allocated', async () => {
    const file = await damagedM4a('stsz', 12, 40_000_000);
    const result = await decodeClip(file, { startSec: 5, durationSec: 30, allowFfmpeg: false });
    expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(/sample table larger than its box/) });
  });
});
