import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/helpers/temp-dir.ts';
import { openLibraryDatabase } from '../db/open.ts';
import { selectBackend } from './backend.ts';
import { loadLibraryDataset, splitByArtist } from './data.ts';
import { embedMissing, saveModel, trackEmbedding } from './store.ts';
import { syntheticDataset, writeSyntheticLibrary } from './synthetic.ts';
import { TRAIN_DEFAULTS, trainModel } from './trainer.ts';

// Issue 12: embedding reads the pending rows in pages, never every row's blobs at once.

describe('embedMissing in pages', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('embeds page by page (only the column the model reads), the same vectors as one big page, and resumes after the last written page', async () => {
    const dataDir = tempDir();
    const db = openLibraryDatabase(dataDir);
    try {
      const ids = writeSyntheticLibrary(db, syntheticDataset({ songs: 45, seed: 8, signal: 1 }));
      const dataset = loadLibraryDataset(db, { inputs: 'descriptors' });
      const { kept, held } = splitByArtist(
        dataset.songs,
        dataset.songs.map((_, i) => i),
        0.2,
        1,
      );
      const trained = await trainModel(
        dataset,
        { train: kept, validation: held },
        { ...TRAIN_DEFAULTS, model: 'descriptors', epochs: 1, patience: 0, sampling: { mode: 'unbalanced', maxTriplets: 512 } },
      );
      const { modelId } = saveModel(db, dataDir, trained, { name: 'wasm', device: 'test' }, dataset);
      const big = await embedMissing(db, dataDir, { modelId });
      expect(big.embedded).toBe(45);
      const reference = ids.map((id) => trackEmbedding(db, id, modelId)!);

      db.prepare('DELETE FROM track_embeddings').run();
      // The descriptor model reads only track_model_inputs, never track_features' blobs: break them all.
      db.prepare("UPDATE track_features SET features = x'00', descriptors = x'00'").run();
      const pages: [number, number][] = [];
      const paged = await embedMissing(db, dataDir, {
        modelId,
        chunk: 7,
        onProgress: (done, total) => pages.push([done, total]),
      });
      expect(paged.embedded).toBe(45);
      expect(pages).toEqual([7, 14, 21, 28, 35, 42, 45].map((d) => [d, 45]));
      ids.forEach((id, i) => expect(trackEmbedding(db, id, modelId)).toEqual(reference[i]));

      // A crash between pages loses nothing: the next run embeds only what is still missing.
      db.prepare('DELETE FROM track_embeddings WHERE track_id >= ?').run(ids[30]);
      const rest = await embedMissing(db, dataDir, { modelId, chunk: 7 });
      expect(rest.embedded).toBe(15);
      ids.forEach((id, i) => expect(trackEmbedding(db, id, modelId)).toEqual(reference[i]));
    } finally {
      db.close();
    }
  });
});
