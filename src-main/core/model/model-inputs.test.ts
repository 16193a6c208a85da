// Migration 0010's narrow table through the real pipeline: real audio decoded and analysed, the store writing
// track_model_inputs with the features row, and the loader reading the same arrays from it as from the
// descriptors blob it read before.
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeAnalysisLibrary } from '../../../test/fixtures/analysis/make-analysis-library.ts';
import { databaseOpener } from '../../../test/helpers/open-db.ts';
import { tempDir } from '../../../test/helpers/temp-dir.ts';
import { startAnalysisJob } from '../analysis/analysis-job.ts';
import { CLIP_DESCRIPTOR_LENGTH } from '../analysis/dsp/descriptors.ts';
import { FEATURE_VERSION } from '../analysis/dsp/index.ts';
import { FeatureStore, type AnalysisTask } from '../analysis/feature-store.ts';
import { openLibraryDatabase } from '../db/open.ts';
import { scanLibrary } from '../library/scanner.ts';
import { loadLibraryDataset } from './data.ts';

const db = databaseOpener();

type InputRow = { trackId: number; featureVersion: number; clip: Buffer; descriptors: Buffer };
const inputRows = (d: Database) =>
  d
    .prepare(
      `SELECT i.track_id AS trackId, i.feature_version AS featureVersion, i.clip_descriptors AS clip, f.descriptors
       FROM track_model_inputs i JOIN track_features f ON f.track_id = i.track_id ORDER BY i.track_id`,
    )
    .all() as InputRow[];
const count = (d: Database, table: string) => (d.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;

function taskOf(d: Database, trackId: number): AnalysisTask {
  return d
    .prepare('SELECT id AS trackId, path, path_bytes AS pathBytes, size, mtime_ms AS mtimeMs, duration FROM tracks WHERE id = ?')
    .get(trackId) as AnalysisTask;
}

/** A topic model of k = 2 with every analysed track's topics (the loader needs them; tags are not under test here). */
function writeTopics(d: Database): void {
  const f32 = (v: number[]) => Buffer.from(new Float32Array(v).buffer);
  const model = Number(
    d
      .prepare(
        `INSERT INTO topic_models (fingerprint, k, seed, alpha, beta, sweeps, min_doc_freq, vocab, topic_word, topic_share, labels, top_tags, num_docs, num_tokens, created_at, active)
         VALUES ('test', 2, 1, 0.3, 0.1, 1, 1, '["a","b"]', ?, ?, '["one","two"]', '[[],[]]', 1, 1, 0, 1)`,
      )
      .run(f32([0.5, 0.5, 0.5, 0.5]), f32([0.5, 0.5])).lastInsertRowid,
  );
  const ids = (d.prepare('SELECT track_id AS id FROM track_features ORDER BY track_id').all() as { id: number }[]).map(
    (r) => r.id,
  );
  const insert = d.prepare('INSERT INTO track_topics (track_id, model_id, theta, topic_set, dominant) VALUES (?, ?, ?, ?, ?)');
  ids.forEach((id, i) => insert.run(id, model, f32(i % 2 ? [0.2, 0.8] : [0.9, 0.1]), i % 2 ? '[2,1]' : '[1]', i % 2 ? 2 : 1));
}

describe('track_model_inputs (migration 0010) with real analysed audio', () => {
  let dataDir: string;
  let analysed: number;

  beforeAll(async () => {
    const lib = await makeAnalysisLibrary(path.join(tempDir(), 'music'));
    dataDir = path.join(tempDir(), 'data');
    const d = openLibraryDatabase(dataDir);
    await scanLibrary(d, { addRoots: [lib.root] });
    d.close();
    analysed = (await startAnalysisJob({ dataDir, workers: 1 }).result).analysed;
  }, 120_000);

  it('the analysis store writes the clip descriptors of view 0 with every features row, bit for bit', () => {
    const d = db(dataDir);
    expect(analysed).toBeGreaterThanOrEqual(5);
    expect(count(d, 'track_features')).toBe(analysed);
    const rows = inputRows(d);
    expect(rows).toHaveLength(analysed);
    for (const r of rows) {
      expect(r.featureVersion).toBe(FEATURE_VERSION);
      expect(r.clip.byteLength).toBe(CLIP_DESCRIPTOR_LENGTH * 4);
      expect(r.clip.equals(r.descriptors.subarray(0, CLIP_DESCRIPTOR_LENGTH * 4))).toBe(true);
    }
    // Real descriptors, not a block of zeros.
    expect(new Set(rows.map((r) => r.clip.toString('hex'))).size).toBeGreaterThan(1);
  });

  it('the loader returns the same songs and arrays from the narrow table as from the descriptors blob', () => {
    const d = db(dataDir);
    writeTopics(d);
    const store = new FeatureStore(d);
    const fromTable = loadLibraryDataset(d, { inputs: 'descriptors', pageRows: 2 });
    const all = loadLibraryDataset(d, { inputs: 'all' });
    const mfcc = loadLibraryDataset(d, { inputs: 'mfcc' });
    expect(fromTable.songs).toHaveLength(analysed);
    expect(fromTable.features).toBeUndefined();
    expect(fromTable.songs).toEqual(mfcc.songs);
    expect(all.songs).toEqual(mfcc.songs);
    // The old path: view 0's first 311 values of track_features.descriptors, song by song in the loader's order.
    const old = new Float32Array(fromTable.songs.length * CLIP_DESCRIPTOR_LENGTH);
    fromTable.songs.forEach((s, i) =>
      old.set(store.features(s.trackId)!.descriptors.subarray(0, CLIP_DESCRIPTOR_LENGTH), i * CLIP_DESCRIPTOR_LENGTH),
    );
    expect(fromTable.descriptorWidth).toBe(CLIP_DESCRIPTOR_LENGTH);
    expect(fromTable.descriptors).toEqual(old);
    expect(all.descriptors).toEqual(old);
    expect(all.features).toEqual(mfcc.features);
  });

  it('re-analysing replaces both rows in one transaction; a failed write leaves both as they were', () => {
    const d = db(dataDir);
    const store = new FeatureStore(d);
    const id = inputRows(d)[0]!.trackId;
    const stored = store.features(id)!;
    const changed = { ...stored, descriptors: stored.descriptors.map((v) => v + 1) };
    expect(store.saveFeatures(taskOf(d, id), changed)).toBe(true);
    const after = inputRows(d).find((r) => r.trackId === id)!;
    expect(Array.from(new Float32Array(new Uint8Array(after.clip).buffer))).toEqual(
      Array.from(changed.descriptors.subarray(0, CLIP_DESCRIPTOR_LENGTH)),
    );
    // The inputs write fails: the features row is not written either.
    d.exec("CREATE TEMP TRIGGER refuse BEFORE UPDATE ON track_model_inputs BEGIN SELECT RAISE(ABORT, 'refused'); END");
    expect(() => store.saveFeatures(taskOf(d, id), stored)).toThrow(/refused/);
    d.exec('DROP TRIGGER refuse');
    expect(store.features(id)!.descriptors).toEqual(changed.descriptors);
    expect(store.saveFeatures(taskOf(d, id), stored)).toBe(true);
    expect(
      inputRows(d)
        .find((r) => r.trackId === id)!
        .clip.equals(Buffer.from(stored.descriptors.buffer, 0, CLIP_DESCRIPTOR_LENGTH * 4)),
    ).toBe(true);
  });

  it('a features row without its inputs row is analysed again (and the loader says so meanwhile); deleting goes through both', async () => {
    const before = openLibraryDatabase(dataDir);
    const [first, second] = inputRows(before);
    before.prepare('DELETE FROM track_model_inputs WHERE track_id = ?').run(first!.trackId);
    expect(new FeatureStore(before).pending().map((t) => t.trackId)).toEqual([first!.trackId]);
    expect(() => loadLibraryDataset(before, { inputs: 'descriptors' })).toThrow(/cadenza analyze/);
    before.close();
    expect((await startAnalysisJob({ dataDir, workers: 1 }).result).analysed).toBe(1);
    const d = db(dataDir);
    expect(
      inputRows(d)
        .find((r) => r.trackId === first!.trackId)!
        .clip.equals(first!.clip),
    ).toBe(true);
    expect(new FeatureStore(d).pending()).toEqual([]);
    // Removing a track, or only its features, removes its inputs row.
    d.prepare('DELETE FROM tracks WHERE id = ?').run(first!.trackId);
    d.prepare('DELETE FROM track_features WHERE track_id = ?').run(second!.trackId);
    expect(inputRows(d).map((r) => r.trackId)).not.toContain(first!.trackId);
    expect(count(d, 'track_model_inputs')).toBe(analysed - 2);
    expect(count(d, 'track_features')).toBe(analysed - 2);
  }, 60_000);
});
