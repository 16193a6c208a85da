import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/helpers/temp-dir.ts';
import { openLibraryDatabase } from '../db/open.ts';
import { selectBackend } from './backend.ts';
import { createRng } from '../topics/rng.ts';
import {
  budgetTriplets,
  fullEpochSize,
  groupPools,
  loadLibraryDataset,
  sampleTriplets,
  splitByArtist,
  topicMask,
} from './data.ts';
import { syntheticDataset, writeSyntheticLibrary } from './synthetic.ts';
import { TRAIN_DEFAULTS, trainModel, VALIDATION_TRIPLETS, validationTriplets, type TrainProgress } from './trainer.ts';

// Issue 12: training data that does not grow with groups × songs, read from SQLite in pages.

describe('loadLibraryDataset at scale', () => {
  it('reads in pages only the columns the model reads: the descriptor model never touches the MFCC blobs', () => {
    const dir = tempDir();
    const db = openLibraryDatabase(dir);
    try {
      const source = syntheticDataset({ songs: 23, seed: 3, signal: 1 });
      writeSyntheticLibrary(db, source);
      const whole = loadLibraryDataset(db);
      expect(whole.features).toHaveLength(23 * whole.width);
      // Pages of 4 rows give the same dataset, song for song.
      const paged = loadLibraryDataset(db, { pageRows: 4 });
      expect(paged.songs).toEqual(whole.songs);
      expect(paged.features).toEqual(whole.features);
      expect(paged.descriptors).toEqual(whole.descriptors);
      // Break every MFCC blob: loading with the MFCC fails clearly, loading for the descriptor model does not read it.
      db.prepare("UPDATE track_features SET features = x'000102'").run();
      expect(() => loadLibraryDataset(db, { pageRows: 4 })).toThrow(/stored MFCC has/);
      const descriptorsOnly = loadLibraryDataset(db, { inputs: 'descriptors', pageRows: 4 });
      expect(descriptorsOnly.features).toBeUndefined();
      expect(descriptorsOnly.songs).toEqual(whole.songs);
      expect(descriptorsOnly.descriptors).toEqual(whole.descriptors);
      // One artist string shared by that artist's songs, not one per song.
      const byArtist = descriptorsOnly.songs.filter((s) => s.artist === descriptorsOnly.songs[0]!.artist);
      expect(byArtist.length).toBeGreaterThan(1);
      // The descriptor model reads track_model_inputs, not the descriptors blob: break every blob, same dataset.
      db.prepare("UPDATE track_features SET descriptors = x'00'").run();
      expect(loadLibraryDataset(db, { inputs: 'descriptors', pageRows: 4 }).descriptors).toEqual(whole.descriptors);
      // A features row without its inputs row: the descriptor model is told to analyse (which rewrites both).
      db.prepare('DELETE FROM track_model_inputs WHERE track_id = (SELECT MIN(track_id) FROM track_features)').run();
      expect(() => loadLibraryDataset(db, { inputs: 'descriptors' })).toThrow(/cadenza analyze/);
    } finally {
      db.close();
    }
  });
});

describe('triplet budget', () => {
  const ds = syntheticDataset({ songs: 300, width: 8, seed: 9 });
  const all = ds.songs.map((_, i) => i);
  const pools = groupPools(ds.songs, all, ds.k);

  it('an epoch of the budget: valid triplets, every song a positive equally often, all songs within ⌈songs / budget⌉ epochs', () => {
    const full = fullEpochSize(pools);
    expect(full).toBeGreaterThan(300 * 60); // every song is a positive of 63 groups (62 with negatives)
    const budget = 700;
    const seen = new Map<number, number>();
    for (let epoch = 0; epoch < 3; epoch++) {
      const t = sampleTriplets(pools, { mode: 'unbalanced', budget }, createRng(epoch), { seed: 4, epoch });
      expect(t.pos).toHaveLength(budget);
      for (let i = 0; i < budget; i++) {
        expect(t.group[i]! & (1 << ds.songs[t.pos[i]!]!.dominant)).not.toBe(0);
        expect(t.group[i]! & topicMask(ds.songs[t.neg[i]!]!.topics)).toBe(0);
        expect(pools.groups).toContain(t.group[i]!);
        seen.set(t.pos[i]!, (seen.get(t.pos[i]!) ?? 0) + 1);
      }
    }
    // 2,100 positions over 300 songs: exactly 7 times each.
    expect(seen.size).toBe(300);
    expect(new Set(seen.values())).toEqual(new Set([7]));
    // A budget below the song count still reaches every song: 300 songs in 3 epochs of 100.
    const small = new Set<number>();
    for (let epoch = 0; epoch < 3; epoch++)
      for (const p of budgetTriplets(pools, 100, 4, epoch, createRng(epoch)).pos) small.add(p);
    expect(small.size).toBe(300);
    // Groups get pairs as the library falls: the single-topic groups' share is the full epoch's.
    const isSingle = (g: number) => (g & (g - 1)) === 0;
    const fullShare = sampleTriplets(pools, { mode: 'unbalanced' }, createRng(1)).group.filter(isSingle).length / full;
    const share = budgetTriplets(pools, 20_000, 4, 0, createRng(1)).group.filter(isSingle).length / 20_000;
    expect(Math.abs(share - fullShare)).toBeLessThan(0.25 * fullShare);
  });

  it('binds only when the full epoch is larger: a small library trains exactly as without it', () => {
    const full = fullEpochSize(pools);
    const without = sampleTriplets(pools, { mode: 'unbalanced' }, createRng(3));
    const roomy = sampleTriplets(pools, { mode: 'unbalanced', budget: full }, createRng(3), { seed: 1, epoch: 5 });
    expect(roomy.pos).toEqual(without.pos);
    expect(roomy.neg).toEqual(without.neg);
    expect(roomy.group).toEqual(without.group);
  });
});

describe('training under a budget', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('each epoch holds the budget, the run stops at runTriplets, validation is capped, and the ETA counts the planned epochs', async () => {
    const ds = syntheticDataset({ songs: 240, width: 8, seed: 5, signal: 2 });
    const { kept, held } = splitByArtist(
      ds.songs,
      ds.songs.map((_, i) => i),
      0.2,
      1,
    );
    const progress: TrainProgress[] = [];
    const trained = await trainModel(
      ds,
      { train: kept, validation: held },
      {
        ...TRAIN_DEFAULTS,
        model: 'descriptors',
        epochs: 50,
        patience: 0,
        learningRate: 0.02,
        sampling: { mode: 'unbalanced', budget: 512 },
        runTriplets: 1536,
      },
      { onProgress: (p) => progress.push(p) },
    );
    expect(fullEpochSize(groupPools(ds.songs, kept, ds.k))).toBeGreaterThan(10_000);
    expect(trained.history.map((m) => m.triplets)).toEqual([512, 512, 512]);
    expect(progress[0]!.epochs).toBe(3);
    expect(trained.valAccuracy).not.toBeNull();
    // 48 validation songs × ~62 groups would be ~3,000 triplets: under the cap they are all kept; a cap of 500 binds.
    expect(validationTriplets(ds, held, 1)!.pos.length).toBe(fullEpochSize(groupPools(ds.songs, held, ds.k)));
    expect(validationTriplets(ds, held, 1, 500)!.pos.length).toBe(500);
    expect(VALIDATION_TRIPLETS).toBeGreaterThanOrEqual(8192);
  });
});
