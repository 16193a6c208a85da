import type { Database } from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/helpers/temp-dir.ts';
import { openLibraryDatabase } from '../db/open.ts';
import { activateModel, activeModel, listModels, loadModel, rollbackModel } from '../model/store.ts';
import { syntheticDataset, writeSyntheticLibrary } from '../model/synthetic.ts';
import { startTrainJob } from '../model/train-job.ts';
import { recordFeedback } from './feedback.ts';
import { fineTuneFromFeedback, personalTriplets, type FineTuneResult } from './retrain.ts';

type Measure = 'userToSong' | 'songToSong';
const droppedBeyondNoise = (r: FineTuneResult, m: Measure) => r.after![m] < r.before![m] - r.tolerance![m];

describe('fine-tuning from feedback, and rollback', () => {
  let dataDir: string;
  let ids: number[];
  let db: Database;
  // Song i's dominant topic is (i mod 7) + 1.
  const ofTopic = (t: number, count: number) => ids.filter((_, i) => i % 7 === t - 1).slice(0, count);

  beforeAll(async () => {
    dataDir = tempDir();
    db = openLibraryDatabase(dataDir);
    ids = writeSyntheticLibrary(db, syntheticDataset({ songs: 120, seed: 4, signal: 1 }));
    const result = await startTrainJob({ dataDir, epochs: 8, sampling: 'unbalanced', learningRate: 0.05 }).result;
    expect(result.saved?.activated).toBe(true);
  }, 240_000);

  afterAll(() => db.close());

  it('pairs liked/completed with skipped/disliked tracks under the same selection', () => {
    recordFeedback(db, { trackId: ids[0]!, kind: 'like', topics: [1] });
    recordFeedback(db, { trackId: ids[7]!, kind: 'complete', topics: [1] });
    recordFeedback(db, { trackId: ids[2]!, kind: 'skip', position: 10, topics: [1] });
    recordFeedback(db, { trackId: ids[3]!, kind: 'dislike', topics: [2] }); // another selection: no pair
    recordFeedback(db, { trackId: ids[4]!, kind: 'like' }); // no selection: no pair
    const triplets = personalTriplets(db);
    expect(triplets).toEqual([
      { topics: [1], positive: ids[0], negative: ids[2] },
      { topics: [1], positive: ids[7], negative: ids[2] },
    ]);
    db.exec('DELETE FROM feedback_events');
  });

  it('refuses a fine-tune that would lower held-out precision@10 beyond noise, and keeps the active model', async () => {
    const active = activeModel(db)!;
    // Feedback that contradicts the library: under topic 1, topic-2 songs liked and topic-1 songs disliked.
    for (const id of ofTopic(2, 12)) recordFeedback(db, { trackId: id, kind: 'like', topics: [1] });
    for (const id of ofTopic(1, 12)) recordFeedback(db, { trackId: id, kind: 'dislike', topics: [1] });
    const result = await fineTuneFromFeedback(db, dataDir, {
      epochs: 2,
      learningRate: 0.05,
      personalWeight: 40,
      backend: 'wasm',
    });
    expect(result.personalTriplets).toBe(144);
    expect(result.accepted).toBe(false);
    expect(droppedBeyondNoise(result, 'userToSong') || droppedBeyondNoise(result, 'songToSong')).toBe(true);
    expect(result.reason).toMatch(/user → song P@10 [\d.]+ → [\d.]+.*song → song P@10 [\d.]+ → [\d.]+/);
    expect(result.reason).toContain('drop beyond noise');
    expect(result.saved).toBeNull();
    expect(activeModel(db)!.id).toBe(active.id);
    expect(listModels(db)).toHaveLength(1);
    db.exec('DELETE FROM feedback_events');
  }, 120_000);

  it('refuses a fine-tune that diverges (loss NaN) with its reason, instead of failing, and keeps the active model', async () => {
    const active = activeModel(db)!;
    for (const id of ofTopic(2, 12)) recordFeedback(db, { trackId: id, kind: 'like', topics: [1] });
    for (const id of ofTopic(1, 12)) recordFeedback(db, { trackId: id, kind: 'dislike', topics: [1] });
    const result = await fineTuneFromFeedback(db, dataDir, {
      epochs: 3,
      learningRate: 1e12,
      personalWeight: 40,
      backend: 'wasm',
    });
    expect(result.accepted).toBe(false);
    expect(result.reason).toMatch(/^the retrain diverged \(loss (NaN|-?Infinity) at epoch \d\): the active model stays$/);
    expect(result.after).toBeNull();
    expect(result.saved).toBeNull();
    expect(activeModel(db)!.id).toBe(active.id);
    expect(listModels(db)).toHaveLength(1);
    db.exec('DELETE FROM feedback_events');
  }, 120_000);

  it('accepts one that does not lower it, trains every objective of the model, activates it, and rollback restores the previous model', async () => {
    const first = activeModel(db)!;
    for (const id of ofTopic(1, 10)) recordFeedback(db, { trackId: id, kind: 'complete', topics: [1] });
    for (const id of ofTopic(4, 10)) recordFeedback(db, { trackId: id, kind: 'skip', position: 5, topics: [1] });
    const result = await fineTuneFromFeedback(db, dataDir, {
      epochs: 2,
      learningRate: 0.002,
      personalWeight: 2,
      backend: 'wasm',
    });
    expect(result.accepted, result.reason).toBe(true);
    expect(droppedBeyondNoise(result, 'userToSong')).toBe(false);
    expect(droppedBeyondNoise(result, 'songToSong')).toBe(false);
    expect(result.heldOutSongs).toBeGreaterThan(5);
    expect(result.personalAfter!).toBeGreaterThanOrEqual(result.personalBefore!);
    expect(result.embedded).toBe(120);
    // The topic head only learns from batches with topic targets: the fine-tune is the full trainer, not a user–item loop.
    const baseHead = loadModel(db, dataDir, first.id)!.weights.values.get('head/w')!;
    const tunedHead = loadModel(db, dataDir, result.saved!.modelId)!.weights.values.get('head/w')!;
    expect(tunedHead).toHaveLength(baseHead.length);
    expect(Math.max(...tunedHead.map((v, i) => Math.abs(v - baseHead[i]!)))).toBeGreaterThan(1e-4);
    const second = activeModel(db)!;
    expect(second.id).toBe(result.saved!.modelId);
    expect(second.id).not.toBe(first.id);

    expect(rollbackModel(db)).toEqual({ from: second.id, to: first.id });
    expect(activeModel(db)!.id).toBe(first.id);
    expect(rollbackModel(db)).toBeNull(); // nothing before the first model
    activateModel(db, second.id);
    expect(rollbackModel(db)).toEqual({ from: second.id, to: first.id });
  }, 120_000);
});
