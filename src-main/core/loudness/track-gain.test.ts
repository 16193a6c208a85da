// From a real file to the track row the renderer gets: the analysis measures the clip's loudness (all
// channels, before the mono mix; checked against ffmpeg's ebur128 on the same window), the feature store
// keeps it, and the row's gain prefers tags over the measurement.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireFfmpeg } from '../../../test/fixtures/library/make-library.ts';
import { tempDir } from '../../../test/helpers/temp-dir.ts';
import { analyseFile } from '../analysis/analyse-file.ts';
import { FeatureStore } from '../analysis/feature-store.ts';
import { insertTracks, openTestDb } from '../app/test-db.ts';
import { getTracks } from '../app/track-query.ts';

function ebur128(file: string, startSec: number, seconds: number): number {
  const { stderr } = spawnSync(
    requireFfmpeg(),
    ['-hide_banner', '-nostats', '-ss', String(startSec), '-t', String(seconds), '-i', file, '-af', 'ebur128', '-f', 'null', '-'],
    { encoding: 'utf8' },
  );
  return Number(/Integrated loudness:\s*I:\s*(-?[\d.]+) LUFS/.exec(stderr)?.[1]);
}

describe('track gain', () => {
  it('is measured during analysis on the clip, stored, and served in track rows (tags win over the measurement)', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'quiet-left.flac');
    // 50 s, stereo with a quiet right channel: a mono mix would read differently from BS.1770's channel sum.
    execFileSync(requireFfmpeg(), [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      'anoisesrc=d=50:c=pink:a=0.25:seed=5',
      '-af',
      'pan=stereo|c0=c0|c1=0.2*c0',
      '-ar',
      '44100',
      '-c:a',
      'flac',
      file,
    ]);
    const outcome = await analyseFile(file, { allowFfmpeg: false });
    if (!outcome.ok) throw new Error(outcome.reason);
    const loudness = outcome.loudness!;
    expect(loudness.seconds).toBeCloseTo(30, 1);
    expect(loudness.start).toBeCloseTo(outcome.clipStart, 6);
    const reference = ebur128(file, loudness.start, loudness.seconds);
    expect(
      Math.abs(loudness.integratedLufs! - reference),
      `ours ${loudness.integratedLufs} vs ffmpeg ${reference}`,
    ).toBeLessThanOrEqual(0.5);

    const db = openTestDb(path.join(dir, 'data'));
    const [measured, tagged, unknown] = insertTracks(db, [
      { path: file },
      { path: path.join(dir, 'tagged.mp3') },
      { path: path.join(dir, 'new.mp3') },
    ]);
    const stat = fs.statSync(file);
    new FeatureStore(db).saveFeatures(
      { trackId: measured!, path: file, pathBytes: null, size: stat.size, mtimeMs: stat.mtimeMs, duration: 50 },
      outcome,
    );
    db.prepare(
      'UPDATE tracks SET rg_track_gain = -6.5, rg_track_peak = 0.99, rg_album_gain = -7.25, rg_album_peak = 1 WHERE id = ?',
    ).run(tagged);
    // A tagged track keeps its tags even when it was measured too.
    db.prepare(
      'INSERT INTO track_loudness (track_id, integrated_lufs, sample_peak, measured_start, measured_seconds, measured_at) VALUES (?, -30, 0.5, 0, 30, 0)',
    ).run(tagged);
    const [m, t, u] = getTracks(db, [measured!, tagged!, unknown!]);
    expect(m!.gain).toEqual({
      track: expect.closeTo(-18 - loudness.integratedLufs!, 6),
      trackPeak: loudness.samplePeak,
      album: null,
      albumPeak: null,
      source: 'measured',
    });
    expect(t!.gain).toEqual({ track: -6.5, trackPeak: 0.99, album: -7.25, albumPeak: 1, source: 'tags' });
    expect(u!.gain).toEqual({ track: null, trackPeak: null, album: null, albumPeak: null, source: null });
    db.close();
  });

  it("gives an untagged album the energy average of its measured tracks' loudness", () => {
    const db = openTestDb(path.join(tempDir(), 'data'));
    const ids = insertTracks(db, [
      { path: '/m/a1.mp3', album: 'Night', artist: 'Band' },
      { path: '/m/a2.mp3', album: 'Night', artist: 'Band' },
      { path: '/m/a3.mp3', album: 'Night', artist: 'Band' }, // not measured yet: still gets the album's gain
      { path: '/m/b1.mp3', album: 'Night', artist: 'Other Band' }, // another album of the same name
      { path: '/m/single.mp3', album: null, artist: 'Band' },
    ]);
    const measure = db.prepare(
      'INSERT INTO track_loudness (track_id, integrated_lufs, sample_peak, measured_start, measured_seconds, measured_at) VALUES (?, ?, ?, 0, 30, 0)',
    );
    measure.run(ids[0], -20, 0.4);
    measure.run(ids[1], -10, 0.8);
    measure.run(ids[3], -30, 0.1);
    measure.run(ids[4], -14, 0.7);
    const rows = getTracks(db, ids);
    // 10·log10((10^-2 + 10^-1) / 2) = −12.60 LUFS → −5.40 dB to −18 LUFS; the peak is the album's highest.
    for (const row of rows.slice(0, 3)) expect(row.gain).toMatchObject({ album: expect.closeTo(-5.4, 2), albumPeak: 0.8 });
    expect(rows[0]!.gain.track).toBeCloseTo(2, 9);
    expect(rows[2]!.gain.track).toBeNull();
    expect(rows[3]!.gain).toMatchObject({ album: expect.closeTo(12, 9), albumPeak: 0.1 });
    expect(rows[4]!.gain).toMatchObject({ track: expect.closeTo(-4, 9), album: null, albumPeak: null });
    db.close();
  });
});
