import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeAnalysisLibrary, SECTION_HZ } from '../../../test/fixtures/analysis/make-analysis-library.ts';
import { tempDir } from '../../../test/helpers/temp-dir.ts';
import { openLibraryDatabase } from '../db/open.ts';
import { scanLibrary } from '../library/scanner.ts';
import { startAnalysisJob } from './analysis-job.ts';
import { downmixToMono, FEATURE_LENGTH, FEATURE_VERSION, mfcc, resample, SAMPLE_RATE, toSegments } from './dsp/index.ts';
import { blobToFeatures, FeatureStore } from './feature-store.ts';
import { ensureSongVectors, songVector } from '../recommend/song-vectors.ts';
import { databaseOpener } from '../../../test/helpers/open-db.ts';

const BIN = path.resolve(import.meta.dirname, '../../../bin/cadenza.js');
const db = databaseOpener();

/** The 40-s fixture piece, synthesised here: 10-s sine sections at 44.1 kHz, amplitude 0.5. */
function pieceWindow(startSec: number, seconds: number): Float32Array {
  const rate = 44_100;
  const out = new Float32Array(seconds * rate);
  for (let i = 0; i < out.length; i++) {
    const t = startSec + i / rate;
    const hz = SECTION_HZ[Math.min(3, Math.floor(t / 10))]!;
    const local = t - Math.floor(t / 10) * 10; // each section restarts its phase
    out[i] = 0.5 * Math.sin(2 * Math.PI * hz * local);
  }
  return toSegments(mfcc(resample(downmixToMono([out]), rate, SAMPLE_RATE)));
}

function meanAbsDiff(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]! - b[i]!);
  return s / a.length;
}

describe('analysis job', () => {
  let lib: Awaited<ReturnType<typeof makeAnalysisLibrary>>;
  let dataDir: string;
  let first: Awaited<ReturnType<typeof startAnalysisJob>['result']>;

  beforeAll(async () => {
    lib = await makeAnalysisLibrary(path.join(tempDir(), 'music'));
    dataDir = path.join(tempDir(), 'data');
    const d = openLibraryDatabase(dataDir);
    const scan = await scanLibrary(d, { addRoots: [lib.root] });
    d.close();
    expect(scan.failed).toEqual([]);
    first = await startAnalysisJob({ dataDir, workers: 2 }).result;
  });

  it('stores 20 × 378 float32 features with the feature version for every decodable track', () => {
    const d = db(dataDir);
    const store = new FeatureStore(d);
    const rows = d.prepare('SELECT t.id, t.path FROM tracks t').all() as { id: number; path: string }[];
    for (const file of lib.files.filter((f) => f.expect === 'features')) {
      const row = rows.find((r) => r.path === file.path)!;
      const stored = store.features(row.id);
      expect(stored, file.name).toBeDefined();
      expect(stored!.features).toHaveLength(FEATURE_LENGTH);
      expect(stored!.features.every(Number.isFinite), file.name).toBe(true);
    }
    expect(d.prepare('SELECT DISTINCT feature_version AS v FROM track_features').all()).toEqual([{ v: FEATURE_VERSION }]);
    expect(first.analysed).toBe(lib.files.filter((f) => f.expect === 'features').length);
    expect(first.decoders).not.toHaveProperty('undefined');
  });

  it("stores each analysed track's song vector with its features, so the first more-like-this computes none", () => {
    const d = db(dataDir);
    const vectors = d.prepare('SELECT track_id AS id, vector FROM track_song_vectors').all() as { id: number; vector: Buffer }[];
    expect(vectors).toHaveLength(first.analysed);
    const store = new FeatureStore(d);
    for (const { id, vector } of vectors) {
      const stored = store.features(id)!;
      expect(Array.from(blobToFeatures(vector))).toEqual(Array.from(songVector(stored.features, stored.descriptors)));
    }
    expect(ensureSongVectors(d)).toBe(0);
  });

  it('analyses the middle 30 s of the track, in every format', () => {
    const d = db(dataDir);
    const store = new FeatureStore(d);
    // Candidate windows of the piece; the analysed clip must match the middle one (5..35 s) best.
    const starts = [0, 2.5, 5, 7.5, 10];
    const windows = starts.map((s) => pieceWindow(s, 30));
    for (const file of lib.files.filter((f) => f.name.startsWith('piece'))) {
      const { id } = d.prepare('SELECT id FROM tracks WHERE path = ?').get(file.path) as { id: number };
      const stored = store.features(id)!;
      expect(stored.clipStart, file.name).toBeCloseTo(5, 0);
      const distances = windows.map((w) => meanAbsDiff(stored.features, w));
      const best = distances.indexOf(Math.min(...distances));
      expect(starts[best], `${file.name}: ${distances.map((x) => x.toFixed(2)).join(' ')}`).toBe(5);
    }
  });

  it('records tracks it cannot use, with reasons, and goes on', () => {
    const failed = new Map(first.failed.map((f) => [path.basename(f.path), f.reason]));
    expect(failed.get('tiny-3s.mp3')).toMatch(/less than 5 s|too short|only/);
    expect(failed.get('silent.flac')).toMatch(/silent/);
    expect(failed.get('damaged.flac')).toBeDefined();
    expect(first.failed).toHaveLength(3);
  });

  it('a second run has nothing to do; a changed file or a new pipeline version is analysed again', async () => {
    const again = await startAnalysisJob({ dataDir }).result;
    expect(again).toMatchObject({ analysed: 0, skipped: first.analysed });
    const wav = lib.files.find((f) => f.name === 'piece.wav')!;
    const later = new Date(Date.now() + 120_000);
    fs.utimesSync(wav.path, later, later);
    const d = db(dataDir);
    await scanLibrary(d);
    const third = await startAnalysisJob({ dataDir }).result;
    expect(third.analysed).toBe(1);
    expect(new FeatureStore(d, FEATURE_VERSION + 1).pending()).toHaveLength(lib.files.length);
  });
});

describe('cancelling analysis', () => {
  it('stops handing out tracks, keeps what was finished, and the next run does the rest', async () => {
    const lib = await makeAnalysisLibrary(path.join(tempDir(), 'music'));
    const dataDir = path.join(tempDir(), 'data');
    const d = db(dataDir);
    await scanLibrary(d, { addRoots: [lib.root] });
    const progress: number[] = [];
    const job = startAnalysisJob({
      dataDir,
      workers: 1,
      progressIntervalMs: 0,
      onProgress: (p) => {
        progress.push(p.done);
        if (p.done === 1) job.cancel();
      },
    });
    const cancelled = await job.result;
    expect(cancelled.cancelled).toBe(true);
    expect(cancelled.analysed + (cancelled.failed.length > 0 ? 1 : 0)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...progress)).toBeLessThanOrEqual(2);
    const rest = await startAnalysisJob({ dataDir }).result;
    expect(rest.cancelled).toBe(false);
    expect(new FeatureStore(d).pending()).toHaveLength(0);
    expect(rest.skipped + rest.analysed).toBe(lib.files.filter((f) => f.expect === 'features').length);
  });
});

describe('analysis after kill -9', () => {
  it('resumes without redoing finished tracks and leaves the database consistent', async () => {
    const lib = await makeAnalysisLibrary(path.join(tempDir(), 'music'));
    // Enough copies that the job is still running when it is killed.
    for (let copy = 1; copy <= 4; copy++) {
      const dir = path.join(lib.root, `copy-${copy}`);
      fs.mkdirSync(dir);
      for (const f of lib.files.filter((x) => x.expect === 'features')) fs.copyFileSync(f.path, path.join(dir, f.name));
    }
    const dataDir = path.join(tempDir(), 'data');
    const d = db(dataDir);
    await scanLibrary(d, { addRoots: [lib.root] });
    const total = (d.prepare('SELECT COUNT(*) AS n FROM tracks').get() as { n: number }).n;
    const count = () => (d.prepare('SELECT COUNT(*) AS n FROM track_features').get() as { n: number }).n;

    const child = spawn(process.execPath, [BIN, 'analyze', '--data-dir', dataDir, '--workers', '1'], { stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal === 'SIGKILL' ? -9 : _code)),
    );
    const start = Date.now();
    while (count() < 3 && Date.now() - start < 60_000) await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGKILL');
    expect(await exited).toBe(-9);
    const before = count();
    expect(before).toBeGreaterThanOrEqual(3);
    expect(before).toBeLessThan(total - 3);
    expect(d.pragma('integrity_check', { simple: true })).toBe('ok');
    const analysedIds = d.prepare('SELECT track_id, analysed_at FROM track_features').all() as {
      track_id: number;
      analysed_at: number;
    }[];

    const store = new FeatureStore(d);
    const pendingBefore = store.pending().length;
    const resumed = await startAnalysisJob({ dataDir }).result;
    expect(resumed.skipped).toBe(before);
    expect(resumed.analysed).toBeGreaterThan(0);
    expect(resumed.analysed).toBeLessThanOrEqual(pendingBefore);
    expect(store.pending()).toHaveLength(0);
    const failures = (d.prepare('SELECT COUNT(*) AS n FROM analysis_failures').get() as { n: number }).n;
    expect(count() + failures).toBe(total);
    // Finished tracks were not redone.
    for (const row of analysedIds) {
      expect(d.prepare('SELECT analysed_at FROM track_features WHERE track_id = ?').get(row.track_id)).toEqual({
        analysed_at: row.analysed_at,
      });
    }
  });
});
