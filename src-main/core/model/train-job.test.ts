import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/helpers/temp-dir.ts';
import { openLibraryDatabase } from '../db/open.ts';
import { selectBackend } from './backend.ts';
import { loadLibraryDataset } from './data.ts';
import { activeModel, embedMissing, listModels, loadModel, trackEmbedding } from './store.ts';
import { syntheticDataset, writeSyntheticLibrary } from './synthetic.ts';
import { startTrainJob } from './train-job.ts';

function tempDirWithLibrary(): string {
  const dir = tempDir();
  const db = openLibraryDatabase(dir);
  writeSyntheticLibrary(db, syntheticDataset({ songs: 60, seed: 6, signal: 1 }));
  db.close();
  return dir;
}

describe('training job (worker) and model store', () => {
  let dataDir: string;
  let trackIds: number[];

  beforeAll(() => {
    dataDir = tempDir();
    const db = openLibraryDatabase(dataDir);
    trackIds = writeSyntheticLibrary(db, syntheticDataset({ songs: 90, seed: 5, signal: 1 }));
    db.close();
  });

  it('trains in a worker, reports progress and the backend, saves, activates and embeds every song', async () => {
    const epochs: number[] = [];
    let progress = 0;
    const job = startTrainJob({ dataDir, epochs: 2, sampling: 'balanced', learningRate: 0.05, onProgress: () => progress++, onEpoch: (m) => epochs.push(m.epoch) });
    const result = await job.result;
    expect(result.backend.name).toBe('wasm');
    expect(result.cancelled).toBe(false);
    expect(epochs).toEqual([1, 2]);
    expect(progress).toBeGreaterThan(0);
    expect(result.saved!.activated).toBe(true);
    expect(result.embedded!.count).toBe(90);

    const db = openLibraryDatabase(dataDir);
    try {
      const model = activeModel(db)!;
      expect(model.id).toBe(result.saved!.modelId);
      expect(model.backend).toBe('wasm');
      expect(model.topicFingerprint).toBe(loadLibraryDataset(db).topicFingerprint);
      const loaded = loadModel(db, dataDir)!;
      // The default model: φ over the 311 pooled descriptors into a 32-d space.
      expect(loaded.meta.config).toMatchObject({ definition: 'descriptors', input: 'descriptors', item: { layers: [128, 64, 64, 32] } });
      expect(loaded.standardizer.mean).toHaveLength(311);
      expect(loaded.meta.options.seed).toBe(1);
      expect(fs.existsSync(path.join(dataDir, model.file))).toBe(true);
      const e = trackEmbedding(db, trackIds[0]!, model.id)!;
      expect(e).toHaveLength(32);
      expect(e.every(Number.isFinite)).toBe(true);
      expect(fs.existsSync(path.join(dataDir, 'models', 'checkpoint-triplet.cdzt'))).toBe(false);
    } finally {
      db.close();
    }
  });

  it('a song analysed after training is embedded without tags (cold start)', async () => {
    const db = openLibraryDatabase(dataDir);
    try {
      const model = activeModel(db)!;
      db.prepare('DELETE FROM track_topics WHERE track_id = ?').run(trackIds[1]);
      db.prepare('DELETE FROM track_embeddings WHERE track_id = ?').run(trackIds[1]);
      await selectBackend('wasm');
      const result = await embedMissing(db, dataDir);
      expect(result.embedded).toBe(1);
      expect(trackEmbedding(db, trackIds[1]!, model.id)).toHaveLength(32);
    } finally {
      db.close();
    }
  });

  it("model: 'paper' trains the paper's network over the MFCC matrix (kept for reproduction)", async () => {
    const dir = tempDirWithLibrary();
    const result = await startTrainJob({ dataDir: dir, model: 'paper', epochs: 1, sampling: 'balanced' }).result;
    expect(result.saved!.activated).toBe(true);
    const db = openLibraryDatabase(dir);
    try {
      const loaded = loadModel(db, dir)!;
      expect(loaded.meta.config).toMatchObject({ definition: 'paper', input: 'mfcc', embedding: 7, item: { layers: [128, 64, 32, 7] } });
      expect(loaded.standardizer.mean).toHaveLength(7560);
    } finally {
      db.close();
    }
  });

  it('a worse model is saved but does not replace the active one; a cancelled run keeps a checkpoint', async () => {
    const db = openLibraryDatabase(dataDir);
    const before = activeModel(db)!;
    db.prepare('UPDATE models SET val_accuracy = 1.0 WHERE id = ?').run(before.id);
    db.close();
    const result = await startTrainJob({ dataDir, epochs: 1, sampling: 'balanced', seed: 2 }).result;
    expect(result.saved!.activated).toBe(false);
    const again = openLibraryDatabase(dataDir);
    try {
      expect(activeModel(again)!.id).toBe(before.id);
      expect(listModels(again)).toHaveLength(2);
    } finally {
      again.close();
    }
    const job = startTrainJob({ dataDir, epochs: 50, sampling: 'unbalanced', seed: 3, onProgress: () => job.cancel() });
    const cancelled = await job.result;
    expect(cancelled.cancelled).toBe(true);
    expect(cancelled.saved).toBeUndefined();
    expect(fs.existsSync(path.join(dataDir, 'models', 'checkpoint-triplet.cdzt'))).toBe(true);
  });
});
