// Feature version 2 through the real decoders: descriptors stored per view, the views of long tracks, the
// views option, and old (version 1) rows analysed again.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeAnalysisLibrary } from '../../../test/fixtures/analysis/make-analysis-library.ts';
import { CLICK_BPM, makeViewFixtures } from '../../../test/fixtures/analysis/make-view-fixtures.ts';
import { tempDir } from '../../../test/helpers/temp-dir.ts';
import { openLibraryDatabase } from '../db/open.ts';
import { scanLibrary } from '../library/scanner.ts';
import { analyseFile, EXTRA_VIEWS_MIN_SECONDS } from './analyse-file.ts';
import { defaultWorkerCount, startAnalysisJob } from './analysis-job.ts';
import { clipStart } from './clip.ts';
import { CLIP_DESCRIPTOR_LENGTH, CLIP_DESCRIPTOR_NAMES, DESCRIPTOR_LENGTH, SEGMENTS_DESCRIPTOR_LENGTH } from './dsp/descriptors.ts';
import { FEATURE_LENGTH, FEATURE_VERSION } from './dsp/index.ts';
import { FeatureStore } from './feature-store.ts';
import { databaseOpener } from '../../../test/helpers/open-db.ts';

const db = databaseOpener();

const clipValue = (descriptors: Float32Array, view: number, name: string): number =>
  descriptors[view * DESCRIPTOR_LENGTH + CLIP_DESCRIPTOR_NAMES.indexOf(name)]!;

describe('descriptor layout', () => {
  it('one view is the clip vector followed by the segments', () => {
    expect(FEATURE_VERSION).toBe(2);
    expect(DESCRIPTOR_LENGTH).toBe(CLIP_DESCRIPTOR_LENGTH + SEGMENTS_DESCRIPTOR_LENGTH);
    expect(DESCRIPTOR_LENGTH).toBe(2791);
  });
});

describe('analysis stores feature version 2 (MFCC + descriptors of 1 or 3 views)', () => {
  let dataDir: string;
  let files: Awaited<ReturnType<typeof makeViewFixtures>>;
  let piecePath: string;
  let result: Awaited<ReturnType<typeof startAnalysisJob>['result']>;

  beforeAll(async () => {
    const root = path.join(tempDir(), 'music');
    files = await makeViewFixtures(root);
    // One 40-s piece from the analysis library: too short for extra views.
    const lib = await makeAnalysisLibrary(path.join(tempDir(), 'lib'));
    piecePath = path.join(root, 'piece.flac');
    fs.copyFileSync(lib.files.find((f) => f.name === 'piece.flac')!.path, piecePath);
    dataDir = path.join(tempDir(), 'data');
    const d = openLibraryDatabase(dataDir);
    await scanLibrary(d, { addRoots: [root] });
    // An old database: a version-1 row (no descriptors) for the piece, as Cadenza 1 stored it.
    const { id, size, mtime_ms } = d.prepare('SELECT id, size, mtime_ms FROM tracks WHERE path = ?').get(piecePath) as {
      id: number;
      size: number;
      mtime_ms: number;
    };
    d.prepare(
      `INSERT INTO track_features (track_id, feature_version, features, source_size, source_mtime_ms, clip_start, clip_seconds, decoder, analysed_at)
       VALUES (?, 1, ?, ?, ?, 5, 30, 'flac', 0)`,
    ).run(id, Buffer.alloc(FEATURE_LENGTH * 4), size, mtime_ms);
    expect(new FeatureStore(d).pending().map((t) => t.path)).toContain(piecePath);
    expect(new FeatureStore(d).features(id)).toBeUndefined();
    d.close();
    result = await startAnalysisJob({ dataDir, workers: 1, views: 3 }).result;
  });

  it('re-analyses the version-1 row and stores every track with finite descriptors of the right length', () => {
    expect(result).toMatchObject({ analysed: 3, skipped: 0, failed: [] });
    expect(result.stageMs.descriptorsMs).toBeGreaterThan(0);
    expect(result.stageMs.loudnessMs).toBeGreaterThan(0);
    expect(result.stageMs.otherMs).toBeGreaterThan(0); // the database write, at least
    // The per-decoder breakdown covers every analysed song, with that decoder's own stage times.
    const byDecoder = Object.values(result.byDecoder);
    expect(byDecoder.reduce((n, d) => n + d.songs, 0)).toBe(3);
    expect(Object.keys(result.byDecoder).sort()).toEqual(Object.keys(result.decoders).sort());
    for (const d of byDecoder) expect(d.stageMs.decodeMs).toBeGreaterThan(0);
    expect(result.views).toBe(3 + 2 + 1);
    const d = db(dataDir);
    expect(d.prepare('SELECT DISTINCT feature_version AS v FROM track_features').all()).toEqual([{ v: 2 }]);
    const store = new FeatureStore(d);
    expect(store.pending()).toHaveLength(0);
    for (const row of d.prepare('SELECT id, path FROM tracks').all() as { id: number; path: string }[]) {
      const stored = store.features(row.id)!;
      expect(stored.features).toHaveLength(FEATURE_LENGTH);
      expect(stored.descriptors.length).toBe(stored.views.length * DESCRIPTOR_LENGTH);
      expect(stored.descriptors.every(Number.isFinite), row.path).toBe(true);
      // View 0 is the MFCC's clip.
      expect(stored.views[0]).toEqual({ start: stored.clipStart, seconds: stored.clipSeconds });
      // Its descriptors repeat the MFCC: mfcc0.mean is the mean of c0 over the clip's 420 frames.
      let c0 = 0;
      for (let t = 0; t < 420; t++) c0 += stored.features[t * 18]!;
      expect(clipValue(stored.descriptors, 0, 'mfcc0.mean')).toBeCloseTo(c0 / 420, 2);
    }
  });

  it('a track of ≥ 90 s gets views at ½, ¼ and ¾; a silent stretch loses its view; a short track has one', () => {
    const d = db(dataDir);
    const store = new FeatureStore(d);
    const byPath = (p: string) => store.features((d.prepare('SELECT id FROM tracks WHERE path = ?').get(p) as { id: number }).id)!;
    const clicks = files.find((f) => f.name.startsWith('clicks'))!;
    expect(clicks.durationSec).toBeGreaterThanOrEqual(EXTRA_VIEWS_MIN_SECONDS);
    expect(clicks.viewStarts).toEqual([0.5, 0.25, 0.75].map((p) => clipStart(clicks.durationSec, p)));
    for (const f of files) {
      const stored = byPath(f.path);
      expect(stored.views.map((v) => v.start), f.name).toEqual(f.viewStarts.map((s) => expect.closeTo(s, 1)));
      for (const v of stored.views) expect(v.seconds).toBeCloseTo(30, 1);
    }
    const piece = byPath(piecePath);
    expect(piece.views).toHaveLength(1);
    expect(piece.views[0]!.start).toBeCloseTo(5, 0);
  });

  it('descriptor values are sane: the click track gives its tempo in every view, the tone its pitch and loudness', () => {
    const d = db(dataDir);
    const store = new FeatureStore(d);
    const { id } = d.prepare("SELECT id FROM tracks WHERE path LIKE '%clicks-120bpm%'").get() as { id: number };
    const clicks = store.features(id)!;
    for (let v = 0; v < 3; v++) {
      expect(Math.abs(clipValue(clicks.descriptors, v, 'tempo') - CLICK_BPM), `view ${v}`).toBeLessThan(2);
      expect(clipValue(clicks.descriptors, v, 'onset.mean')).toBeGreaterThan(0);
    }
    const piece = store.features((d.prepare("SELECT id FROM tracks WHERE path LIKE '%piece.flac'").get() as { id: number }).id)!;
    // Steady 330–660 Hz tones (ffmpeg's sine at 1/8, volume 0.5, −3 dB in the mono → stereo mix: RMS 1/32),
    // centroid within the tones' range, chroma of a tone peaks at 1.
    expect(clipValue(piece.descriptors, 0, 'rms.p50')).toBeCloseTo(1 / 32, 3);
    expect(clipValue(piece.descriptors, 0, 'rms.std')).toBeLessThan(0.002);
    const centroid = clipValue(piece.descriptors, 0, 'centroid.p50');
    expect(centroid).toBeGreaterThan(300);
    expect(centroid).toBeLessThan(1000);
    const chromaMax = Math.max(...Array.from({ length: 12 }, (_, c) => clipValue(piece.descriptors, 0, `chroma${c}.p90`)));
    expect(chromaMax).toBeCloseTo(1, 3);
  });

  it('views: 1 describes only the main clip (analyseFile and the job option)', async () => {
    const clicks = files.find((f) => f.name.startsWith('clicks'))!;
    const one = await analyseFile(clicks.path, { views: 1 });
    expect(one.ok).toBe(true);
    if (!one.ok) return;
    expect(one.views).toEqual([{ start: expect.closeTo(45, 1), seconds: expect.closeTo(30, 1) }]);
    expect(one.descriptors).toHaveLength(DESCRIPTOR_LENGTH);

    const d = db(dataDir);
    d.prepare('DELETE FROM track_features').run();
    const again = await startAnalysisJob({ dataDir, workers: 1, views: 1 }).result;
    expect(again).toMatchObject({ analysed: 3, views: 3 });
    const rows = d.prepare('SELECT descriptors, descriptor_views FROM track_features').all() as { descriptors: Buffer; descriptor_views: string }[];
    for (const row of rows) {
      expect(row.descriptors.byteLength).toBe(DESCRIPTOR_LENGTH * 4);
      expect(JSON.parse(row.descriptor_views)).toHaveLength(1);
    }
  });
});

describe('default analysis pool', () => {
  it('uses every core on machines with one or two (workers at low priority), else leaves one to the app', () => {
    expect([1, 2, 3, 4, 16].map((cores) => defaultWorkerCount(cores))).toEqual([1, 2, 2, 3, 15]);
  });
});

describe('FeatureStore.saveFeatures', () => {
  it('refuses descriptors that are not a positive multiple of DESCRIPTOR_LENGTH, or views that do not match', () => {
    const d = db(path.join(tempDir(), 'data'));
    d.prepare("INSERT INTO library_roots (id, path, added_at) VALUES (1, '/m', 0)").run();
    d.prepare("INSERT INTO tracks (id, root_id, path, size, mtime_ms, added_at, updated_at) VALUES (1, 1, '/m/a.mp3', 1, 1, 0, 0)").run();
    const store = new FeatureStore(d);
    const task = { trackId: 1, path: '/m/a.mp3', pathBytes: null, size: 1, mtimeMs: 1, duration: 40 };
    const base = { features: new Float32Array(FEATURE_LENGTH), clipStart: 5, clipSeconds: 30, decoder: 'flac' };
    const view = { start: 5, seconds: 30 };
    expect(() => store.saveFeatures(task, { ...base, descriptors: new Float32Array(0), views: [] })).toThrow(/multiple/);
    expect(() => store.saveFeatures(task, { ...base, descriptors: new Float32Array(DESCRIPTOR_LENGTH + 1), views: [view] })).toThrow(/multiple/);
    expect(() => store.saveFeatures(task, { ...base, descriptors: new Float32Array(DESCRIPTOR_LENGTH), views: [view, view] })).toThrow(/view/);
    const descriptors = Float32Array.from({ length: 2 * DESCRIPTOR_LENGTH }, (_, i) => i / 7);
    store.saveFeatures(task, { ...base, descriptors, views: [view, { start: 0, seconds: 30 }] });
    const stored = store.features(1)!;
    expect(stored.descriptors).toEqual(descriptors);
    expect(stored.views).toEqual([view, { start: 0, seconds: 30 }]);
  });
});
