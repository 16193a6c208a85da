// Issue 15.3: a model is embedded under its own id first and activated in one transaction once complete;
// retraining is cancelled by message and says truly what it left; the app embeds at start whatever the
// active model lacks.
import type { Database } from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/helpers/temp-dir.ts';
import type { ApiEvent } from '../../api/contract.ts';
import { AppService } from '../app/app-service.ts';
import { openLibraryDatabase } from '../db/open.ts';
import { recordFeedback } from '../recommend/feedback.ts';
import { fineTuneFromFeedback } from '../recommend/retrain.ts';
import { retrainFromFeedback } from '../recommend/retrain-job.ts';
import { selectBackend } from './backend.ts';
import { activeModel, listModels, missingEmbeddings } from './store.ts';
import { syntheticDataset, writeSyntheticLibrary } from './synthetic.ts';
import { startTrainJob } from './train-job.ts';

describe('activation after embedding', () => {
  let dataDir: string;
  let db: Database;
  let ids: number[];

  beforeAll(async () => {
    dataDir = tempDir();
    db = openLibraryDatabase(dataDir);
    ids = writeSyntheticLibrary(db, syntheticDataset({ songs: 70, seed: 5, signal: 1 }));
    const trained = await startTrainJob({ dataDir, epochs: 2, sampling: 'unbalanced', backend: 'wasm' }).result;
    expect(trained.saved?.activated).toBe(true);
    expect(missingEmbeddings(db, activeModel(db)!.id)).toBe(0);
    // Feedback that the library agrees with, so a fine-tune would be accepted.
    ids.filter((_, i) => i % 7 === 0).forEach((id) => recordFeedback(db, { trackId: id, kind: 'complete', topics: [1] }));
    ids
      .filter((_, i) => i % 7 === 3)
      .forEach((id) => recordFeedback(db, { trackId: id, kind: 'skip', position: 3, topics: [1] }));
    await selectBackend('wasm');
  }, 300_000);

  afterAll(() => db.close());

  it('a fine-tune cancelled while it embeds leaves the active model as it was, whole, and the new one inactive', async () => {
    const before = activeModel(db)!;
    const models = listModels(db).length;
    // Cancel at the first check after the new model's row exists: that is, during its embedding.
    const result = await fineTuneFromFeedback(
      db,
      dataDir,
      { epochs: 1, learningRate: 0.001, personalWeight: 1 },
      { isCancelled: () => listModels(db).length > models },
    );
    expect(result).toMatchObject({ cancelled: true, accepted: false });
    expect(result.saved).toMatchObject({ activated: false });
    expect(activeModel(db)!.id).toBe(before.id);
    expect(missingEmbeddings(db, before.id)).toBe(0);
    expect(listModels(db).find((m) => m.id === result.saved!.modelId)).toMatchObject({ active: false });
  }, 120_000);

  it('the background retrain is cancelled by message: it resolves as cancelled and the active model is unchanged', async () => {
    const before = activeModel(db)!.id;
    const job = retrainFromFeedback(dataDir, { epochs: 200, backend: 'wasm' });
    job.cancel();
    const result = await job.result;
    expect(result).toMatchObject({
      cancelled: true,
      accepted: false,
      reason: expect.stringMatching(/active model is unchanged/),
    });
    expect(activeModel(db)!.id).toBe(before);
    expect(missingEmbeddings(db, before)).toBe(0);
  }, 120_000);

  it('at app start, the songs the active model lacks are embedded in the background', async () => {
    const model = activeModel(db)!;
    db.prepare('DELETE FROM track_embeddings WHERE model_id = ? AND track_id IN (?, ?, ?)').run(model.id, ids[1], ids[2], ids[3]);
    expect(missingEmbeddings(db, model.id)).toBe(3);
    const finished: unknown[] = [];
    let done: () => void = () => undefined;
    const ended = new Promise<void>((resolve) => (done = resolve));
    const service = new AppService(
      dataDir,
      (event: ApiEvent, payload: unknown) => {
        if (event === 'job.finished') {
          finished.push(payload);
          done();
        }
      },
      { mode: 'browser', version: 'test' },
    );
    try {
      service.open();
      expect(service.jobs.isRunning('training')).toBe(true);
      await ended;
      expect(finished).toEqual([
        expect.objectContaining({ job: 'training', status: 'done', message: '3 songs embedded with the active model' }),
      ]);
      expect(missingEmbeddings(db, model.id)).toBe(0);
    } finally {
      await service.close();
    }
  }, 120_000);
});
