/**
 * Decoding real clips: the middle and the first 30 s of mer-dev's mp3, ogg, opus, m4a and flac files
 * decode with the built-in decoders (no ffmpeg) to non-silent audio. Fails (never skips) where the data
 * set is absent; runs under `npm run test:datasets`.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeClip, probeDuration } from '../../src-main/core/analysis/decode/index.ts';
import type { DecodeResult, DecodeSuccess } from '../../src-main/core/analysis/decode/types.ts';
import { requireMerDev } from '../helpers/shared-data.ts';

function ok(r: DecodeResult): DecodeSuccess {
  if (!r.ok) throw new Error(`decode failed: ${r.code}: ${r.reason}`);
  return r;
}

describe('decodeClip on real mer-dev clips', () => {
  const MER = join(requireMerDev(), 'audio');
  for (const ext of ['mp3', 'ogg', 'opus', 'm4a', 'flac']) {
    it(`${ext}: the middle of real files decodes to non-silent audio`, async () => {
      const files: string[] = [];
      for (const q of ['Q1', 'Q2', 'Q3', 'Q4']) {
        for (const f of (await readdir(join(MER, q))).sort()) if (f.endsWith(`.${ext}`)) files.push(join(MER, q, f));
      }
      expect(files.length).toBeGreaterThan(0);
      for (const f of files.slice(0, 4)) {
        const dur = await probeDuration(f);
        expect(dur, f).toBeGreaterThan(5);
        const res = ok(await decodeClip(f, { startSec: (dur ?? 30) / 2 - 5, durationSec: 10, allowFfmpeg: false }));
        expect(res.durationSec, f).toBeCloseTo(Math.min(10, res.trackDurationSec), 1);
        expect(res.decoder).not.toBe('ffmpeg');
        const x = res.channels[0] as Float32Array;
        let ss = 0;
        for (let i = 0; i < x.length; i++) ss += (x[i] ?? 0) ** 2;
        expect(Math.sqrt(ss / x.length), f).toBeGreaterThan(1e-3);
        const whole = ok(await decodeClip(f, { startSec: 0, durationSec: 30, allowFfmpeg: false }));
        expect(whole.durationSec, f).toBeGreaterThan(Math.min(29, whole.trackDurationSec - 0.1));
      }
    });
  }
});
