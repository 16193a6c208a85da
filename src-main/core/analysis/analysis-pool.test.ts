// The analysis pool's promises (issue 15.1, 15.2): a per-file deadline enforced by the job, the file of a
// worker that dies recorded with the reason, a fatal error that stops every worker, a cancel that ends
// within 2 s whatever a worker is doing, and a track removed mid-analysis that is skipped, not a crash.
// The hang is real: a track whose file became a FIFO with no writer (like a stalled network share),
// where open() blocks inside the decoder's read and never returns.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeAnalysisLibrary } from '../../../test/fixtures/analysis/make-analysis-library.ts';
import { databaseOpener } from '../../../test/helpers/open-db.ts';
import { tempDir } from '../../../test/helpers/temp-dir.ts';
import { scanLibrary } from '../library/scanner.ts';
import { startAnalysisJob } from './analysis-job.ts';
import { FeatureStore } from './feature-store.ts';

const db = databaseOpener();
const KEEP = ['piece.wav', 'piece.flac', 'piece.mp3'];

/** A scanned library of the three kept fixture files; `hang` turns one into a FIFO after the scan. */
async function library(hang?: string): Promise<{ dataDir: string; root: string; unblock: () => void }> {
  const lib = await makeAnalysisLibrary(path.join(tempDir(), 'music'));
  for (const f of lib.files) if (!KEEP.includes(f.name)) fs.rmSync(f.path);
  const dataDir = path.join(tempDir(), 'data');
  await scanLibrary(db(dataDir), { addRoots: [lib.root] });
  let unblock = () => undefined as void;
  if (hang) {
    const fifo = path.join(lib.root, hang);
    fs.rmSync(fifo);
    execFileSync('mkfifo', [fifo]);
    // The blocked open() holds a thread of libuv's pool until a writer appears: open one after the test.
    unblock = () => fs.closeSync(fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK));
  }
  return { dataDir, root: lib.root, unblock };
}

const failures = (dataDir: string) =>
  db(dataDir)
    .prepare('SELECT t.path, a.code, a.reason FROM analysis_failures a JOIN tracks t ON t.id = a.track_id ORDER BY t.path')
    .all() as {
    path: string;
    code: string;
    reason: string;
  }[];

// Generous limits: the waits here are real (deadlines, grace times) and the machine is shared.
describe('analysis pool', { timeout: 300_000 }, () => {
  it('stops a worker stuck past the deadline, records the file as timeout until it changes, and goes on', async () => {
    const { dataDir, unblock } = await library('piece.mp3');
    try {
      const result = await startAnalysisJob({ dataDir, workers: 1, fileTimeoutMs: 8_000 }).result;
      expect(result.analysed).toBe(2);
      expect(result.workersReplaced).toBe(1);
      expect(failures(dataDir)).toEqual([
        { path: expect.stringMatching(/piece\.mp3$/), code: 'timeout', reason: expect.stringMatching(/no result after 8 s/) },
      ]);
      // Not retried while the file is unchanged.
      expect(new FeatureStore(db(dataDir)).pending()).toEqual([]);
    } finally {
      unblock();
    }
  });

  it('records the file of a worker that dies, with the reason, so it does not crash the next run', async () => {
    const { dataDir } = await library();
    const result = await startAnalysisJob({ dataDir, workers: 2, crashOnPathSuffix: 'piece.flac' }).result;
    expect(result.analysed).toBe(2);
    expect(result.workersReplaced).toBe(1);
    expect(failures(dataDir)).toEqual([
      {
        path: expect.stringMatching(/piece\.flac$/),
        code: 'crashed',
        reason: expect.stringMatching(/worker died while reading this file \(exit code 70\)/),
      },
    ]);
    const again = await startAnalysisJob({ dataDir, workers: 2, crashOnPathSuffix: 'piece.flac' }).result;
    expect(again).toMatchObject({ analysed: 0, workersReplaced: 0, skipped: 2 });
  });

  it('fails the job with the reason when workers cannot start (over their heap limit), leaving none running', async () => {
    const { dataDir } = await library();
    const started = performance.now();
    await expect(startAnalysisJob({ dataDir, workers: 2, workerHeapMb: 4 }).result).rejects.toThrow(
      /could not start.*memory limit/,
    );
    expect(performance.now() - started).toBeLessThan(30_000);
    expect(failures(dataDir)).toEqual([]);
  });

  it('cancel ends within 2 s while a worker is stuck, and the unfinished file stays pending', async () => {
    const { dataDir, unblock } = await library('piece.mp3');
    try {
      // Only the FIFO is left to do once the two others are analysed (one worker takes tracks in id order).
      const first = await startAnalysisJob({ dataDir, workers: 1, fileTimeoutMs: 8_000, crashOnPathSuffix: 'none' }).result;
      expect(first.analysed).toBe(2);
      db(dataDir).prepare('DELETE FROM analysis_failures').run();
      let stuckSince = 0;
      const job = startAnalysisJob({ dataDir, workers: 1, fileTimeoutMs: 600_000, progressIntervalMs: 0 });
      // The worker has no reply to give: wait until it has surely started on the file, then cancel.
      await new Promise((resolve) => setTimeout(resolve, 6_000));
      stuckSince = performance.now();
      job.cancel();
      const result = await job.result;
      const cancelMs = performance.now() - stuckSince;
      expect(result.cancelled).toBe(true);
      expect(cancelMs).toBeLessThan(2_000);
      expect(new FeatureStore(db(dataDir)).pending().map((t) => path.basename(t.path))).toEqual(['piece.mp3']);
      expect(failures(dataDir)).toEqual([]);
    } finally {
      unblock();
    }
  });

  it('a track removed from the library while it is analysed is skipped, and the job goes on', async () => {
    const { dataDir } = await library();
    const d = db(dataDir);
    const ids = (d.prepare('SELECT id FROM tracks ORDER BY id').all() as { id: number }[]).map((r) => r.id);
    let removed = false;
    const result = await startAnalysisJob({
      dataDir,
      workers: 1,
      progressIntervalMs: 0,
      onProgress: (p) => {
        // After the first file, and before the next is handed out: a rescan drops the other two tracks.
        if (p.done === 1 && !removed) {
          removed = true;
          d.prepare('DELETE FROM tracks WHERE id != ?').run(ids[0]);
        }
      },
    }).result;
    expect(removed).toBe(true);
    expect(result).toMatchObject({ analysed: 1, removed: 2, cancelled: false });
    expect(failures(dataDir)).toEqual([]);
    expect(d.prepare('SELECT track_id FROM track_features').all()).toEqual([{ track_id: ids[0] }]);
  });
});
