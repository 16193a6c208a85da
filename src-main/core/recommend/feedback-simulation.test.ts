import fs from 'node:fs';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/helpers/temp-dir.ts';
import { openLibraryDatabase } from '../db/open.ts';
import { activeModel, listModels } from '../model/store.ts';
import { syntheticDataset, writeSyntheticLibrary } from '../model/synthetic.ts';
import { startTrainJob } from '../model/train-job.ts';
import { formatFeedbackMarkdown, simulateFeedback, tasteFromCsv } from './feedback-simulation.ts';

describe('the feedback simulation (cadenza eval --feedback)', () => {
  let dataDir: string;
  let db: Database;
  let ids: number[];

  beforeAll(async () => {
    dataDir = tempDir();
    db = openLibraryDatabase(dataDir);
    ids = writeSyntheticLibrary(db, syntheticDataset({ songs: 84, seed: 6, signal: 1 }));
    const result = await startTrainJob({ dataDir, epochs: 4, learningRate: 0.05, maxTripletsPerEpoch: 2000 }).result;
    expect(result.saved?.activated).toBe(true);
  }, 240_000);

  afterAll(() => db.close());

  it('reads a hidden taste from a CSV column, matching rows by the end of the track path', () => {
    const [a, b] = db.prepare('SELECT id, path FROM tracks ORDER BY id LIMIT 2').all() as { id: number; path: string }[];
    const file = path.join(dataDir, 'taste.csv');
    fs.writeFileSync(
      file,
      `id,path,quadrant\n1,${path.basename(a!.path)},Q1\n2,"sub/${path.basename(b!.path)}",Q3\n3,nowhere.mp3,Q2\n`,
    );
    const taste = tasteFromCsv(db, file, 'quadrant');
    expect(taste.get(a!.id)).toBe('Q1');
    expect(taste.size).toBe(1); // "sub/…" is not the end of b's path
    expect(() => tasteFromCsv(db, file, 'mood')).toThrow(/'mood' column/);
  });

  it('runs every arm per listener on a copy, reports precision@10 per checkpoint with chance, and leaves the library as it was', async () => {
    // Taste: songs of topics 2 and 5 (the selection is every topic, so no selection names it).
    const taste = new Map(ids.map((id, i) => [id, i % 7 === 1 || i % 7 === 4 ? 'liked' : 'other']));
    const models = listModels(db).length;
    const active = activeModel(db)!.id;
    const report = await simulateFeedback(db, dataDir, {
      taste,
      listeners: ['liked'],
      seeds: 1,
      events: 10,
      round: 5,
      retrain: { epochs: 1, libraryTriplets: 512 },
      backend: 'wasm',
    });
    expect(report.checkpoints).toEqual([0, 5, 10]);
    expect(report.runs).toHaveLength(1);
    const run = report.runs[0]!;
    for (const arm of ['none', 'rerank', 'retrain', 'retrainedNoRerank', 'baseRerank'] as const) {
      expect(run.precision[arm]).toHaveLength(3);
      for (const p of run.precision[arm]) expect(p).toBeGreaterThanOrEqual(0);
    }
    // Before any event every arm ranks with the base model and no feedback: the same queue.
    expect(run.precision.rerank[0]).toBe(run.precision.none[0]);
    expect(run.precision.retrain[0]).toBe(run.precision.none[0]);
    expect(run.chance[0]).toBeCloseTo(2 / 7, 1);
    expect(run.retrains.accepted + run.retrains.refused + run.retrains.skipped).toBe(2);
    expect(formatFeedbackMarkdown(report)).toMatch(/\| 10 \| [\d.]+ ± [\d.]+ \|/);
    // The listener's own library: no simulated feedback, no new model, the same one active.
    expect((db.prepare('SELECT COUNT(*) AS n FROM feedback_events').get() as { n: number }).n).toBe(0);
    expect(listModels(db)).toHaveLength(models);
    expect(activeModel(db)!.id).toBe(active);
  }, 240_000);
});
