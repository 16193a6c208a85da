// A library analysed before loudness existed gets its loudness without a new analysis: the next
// analysis run measures only the stored clip of each track that has current features, no measurement
// and no ReplayGain tag (the same measurement a full analysis makes), and leaves the features as they are.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { requireFfmpeg } from '../../../test/fixtures/library/make-library.ts';
import { tempDir } from '../../../test/helpers/temp-dir.ts';
import { startAnalysisJob } from '../analysis/analysis-job.ts';
import { FeatureStore } from '../analysis/feature-store.ts';
import { openLibraryDatabase } from '../db/open.ts';
import { scanLibrary } from '../library/scanner.ts';

interface Measured {
  id: number;
  lufs: number | null;
  peak: number;
  start: number;
}

describe('loudness for tracks analysed before it was measured', () => {
  it('is measured on the stored clip alone, equal to a full analysis, and only where no tag gives it', async () => {
    const music = path.join(tempDir(), 'music');
    fs.mkdirSync(music);
    for (const [name, amplitude] of [
      ['a', 0.3],
      ['b', 0.1],
      ['c', 0.2],
    ] as const) {
      execFileSync(requireFfmpeg(), [
        '-v',
        'error',
        '-f',
        'lavfi',
        '-i',
        `anoisesrc=d=45:c=pink:a=${amplitude}:seed=3`,
        '-ac',
        '2',
        '-c:a',
        'flac',
        path.join(music, `${name}.flac`),
      ]);
    }
    const dataDir = path.join(tempDir(), 'data');
    const db = openLibraryDatabase(dataDir);
    expect((await scanLibrary(db, { addRoots: [music] })).failed).toEqual([]);
    const full = await startAnalysisJob({ dataDir, workers: 1 }).result;
    expect(full.analysed).toBe(3);
    const measured = () =>
      db
        .prepare(
          'SELECT track_id AS id, integrated_lufs AS lufs, sample_peak AS peak, measured_start AS start FROM track_loudness ORDER BY track_id',
        )
        .all() as Measured[];
    const byAnalysis = measured();
    expect(byAnalysis).toHaveLength(3);
    const store = new FeatureStore(db);
    expect(store.pending()).toEqual([]);

    // As a library from before migration 0007 looks: features, no measurement; one track has a tag gain.
    const analysedAt = () => db.prepare('SELECT track_id, analysed_at FROM track_features ORDER BY track_id').all();
    const before = analysedAt();
    db.prepare('DELETE FROM track_loudness').run();
    const [a, b, c] = byAnalysis.map((m) => m.id);
    db.prepare('UPDATE tracks SET rg_track_gain = -2 WHERE id = ?').run(c);
    const pending = store.pending();
    expect(pending.map((t) => [t.trackId, t.loudnessOnly?.start])).toEqual([
      [a, expect.closeTo(byAnalysis[0]!.start, 9)],
      [b, expect.closeTo(byAnalysis[1]!.start, 9)],
    ]);

    const backfill = await startAnalysisJob({ dataDir, workers: 1 }).result;
    expect(backfill.analysed).toBe(2);
    expect(backfill.stageMs.mfccMs).toBe(0); // decoded and measured, not analysed
    expect(analysedAt()).toEqual(before);
    const again = measured();
    expect(again.map((m) => m.id)).toEqual([a, b]);
    again.forEach((m, i) => {
      expect(m.lufs).toBeCloseTo(byAnalysis[i]!.lufs!, 9);
      expect(m.peak).toBeCloseTo(byAnalysis[i]!.peak, 9);
    });
    expect(store.pending()).toEqual([]);
    db.close();
  }, 120_000);
});
