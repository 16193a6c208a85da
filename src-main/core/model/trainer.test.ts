import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from './backend.ts';
import { splitByArtist } from './data.ts';
import { syntheticDataset } from './synthetic.ts';
import { createRng } from '../topics/rng.ts';
import type { TripletBatch } from './step.ts';
import { evaluateModel, songToSongChance } from './evaluate.ts';
import {
  addItemTargets,
  itemPartners,
  likedBySelection,
  TRAIN_DEFAULTS,
  trainModel,
  withPersonalTriplets,
  type Checkpoint,
  type CheckpointStore,
  type TrainOptions,
  type TrainProgress,
} from './trainer.ts';

const ds = syntheticDataset({ songs: 210, width: 512, seed: 4, signal: 3 });
const { kept, held } = splitByArtist(
  ds.songs,
  ds.songs.map((_, i) => i),
  0.2,
  1,
);
const split = { train: kept, validation: held };
const options: TrainOptions = { ...TRAIN_DEFAULTS, epochs: 4, learningRate: 0.05, sampling: { mode: 'balanced' }, patience: 0 };

function memoryStore(): CheckpointStore & { saved: number; last: Checkpoint | null } {
  const store = {
    saved: 0,
    last: null as Checkpoint | null,
    load: (key: string) => (store.last && store.last.key === key ? structuredClone(store.last) : null),
    save: (c: Checkpoint) => {
      store.saved++;
      store.last = structuredClone(c);
    },
    clear: () => {
      store.last = null;
    },
  };
  return store;
}

describe('trainer', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('learns a separable synthetic task (validation accuracy well above chance)', async () => {
    const trained = await trainModel(ds, split, { ...options, epochs: 6, sampling: { mode: 'unbalanced', maxTriplets: 3000 } });
    expect(trained.history).toHaveLength(6);
    expect(trained.valAccuracy!).toBeGreaterThan(0.75);
    expect(trained.history.at(-1)!.loss).toBeLessThan(trained.history[0]!.loss);
  });

  it('a cancelled run resumes from its checkpoint to exactly the uninterrupted result', async () => {
    const straight = await trainModel(ds, split, options);
    const store = memoryStore();
    let steps = 0;
    const first = await trainModel(ds, split, options, {
      checkpoints: store,
      isCancelled: () => ++steps > 30,
      checkpointEveryMs: 0,
    });
    expect(first.cancelled).toBe(true);
    expect(store.last).not.toBeNull();
    expect(store.last!.step).toBeGreaterThan(0); // stopped mid-epoch
    const resumed = await trainModel(ds, split, options, { checkpoints: store });
    expect(resumed.cancelled).toBe(false);
    expect(resumed.resumedFromEpoch).toBe(first.history.length);
    expect(resumed.history.map((h) => h.valAccuracy)).toEqual(straight.history.map((h) => h.valAccuracy));
    const a = straight.weights.values.get('item0/w')!;
    const b = resumed.weights.values.get('item0/w')!;
    expect(Math.max(...a.slice(0, 2000).map((v, i) => Math.abs(v - b[i]!)))).toBeLessThan(1e-6);
    expect(store.last).toBeNull(); // a finished run clears its checkpoint
  });

  it('early stopping keeps the best epoch, and the progress expects the stop (best + patience), not the plan', async () => {
    const progress: TrainProgress[] = [];
    const trained = await trainModel(
      ds,
      split,
      { ...options, epochs: 40, patience: 2, learningRate: 0.2 },
      { onProgress: (p) => progress.push(p) },
    );
    expect(trained.stoppedEarly).toBe(true);
    const best = Math.max(...trained.history.map((h) => h.valAccuracy!));
    expect(trained.valAccuracy).toBe(best);
    expect(trained.history.length - trained.bestEpoch).toBe(2);
    expect(progress.every((p) => p.epochs === 40 && p.expectedEpochs >= p.epoch && p.expectedEpochs <= 40)).toBe(true);
    // From the best epoch on, the expected end is where the run did stop.
    const afterBest = progress.filter((p) => p.epoch > trained.bestEpoch);
    expect(afterBest.length).toBeGreaterThan(0);
    expect(afterBest.every((p) => p.expectedEpochs === trained.history.length)).toBe(true);
  });
});

describe('the default (descriptors) model', () => {
  const dsd = syntheticDataset({ songs: 210, width: 64, seed: 5, signal: 2 });
  const s = splitByArtist(
    dsd.songs,
    dsd.songs.map((_, i) => i),
    0.2,
    2,
  );

  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('reads the descriptors, has a topic head, and its extra objectives make a song → song metric', async () => {
    const base: TrainOptions = {
      ...TRAIN_DEFAULTS,
      model: 'default',
      epochs: 5,
      learningRate: 0.02,
      patience: 0,
      sampling: { mode: 'unbalanced', maxTriplets: 2000 },
    };
    const trained = await trainModel(dsd, { train: s.kept, validation: s.held }, base);
    expect(trained.config).toMatchObject({
      definition: 'descriptors',
      input: 'descriptors',
      itemInput: dsd.descriptorWidth,
      embedding: 32,
    });
    expect(trained.weights.values.get('head/w')).toHaveLength(32 * 7);
    expect(trained.standardizer.mean).toHaveLength(dsd.descriptorWidth!);
    const metrics = await evaluateModel(trained, dsd, s.held);
    const chance = songToSongChance(s.held.map((i) => dsd.songs[i]!));
    expect(metrics.userToSong.pairwise).toBeGreaterThan(0.7);
    expect(metrics.songToSong.top1).toBeGreaterThan(chance.top1 + 0.3);
  });

  it('without descriptors (a library analysed before feature version 2) it asks for analysis', async () => {
    const { descriptors: _d, descriptorWidth: _w, ...mfccOnly } = dsd;
    await expect(
      trainModel(mfccOnly, { train: s.kept, validation: s.held }, { ...TRAIN_DEFAULTS, model: 'default', epochs: 1 }),
    ).rejects.toThrow(/cadenza analyze/);
  });

  it("item–item positives share the positive's dominant topic; the head gets both songs' topics", () => {
    const ds2 = { ...dsd };
    const t = { group: Int32Array.from([1, 2]), pos: Int32Array.from([0, 1]), neg: Int32Array.from([3, 4]) };
    const batch: TripletBatch = { users: new Float32Array(14), pos: Int32Array.from([0, 1]), neg: Int32Array.from([3, 4]) };
    const byTopic = itemPartners(ds2, [0, 1, 2, 3, 4, 7, 8]);
    addItemTargets(
      batch,
      t,
      0,
      2,
      ds2,
      byTopic,
      Int32Array.from({ length: 210 }, (_, i) => i),
      createRng(1),
    );
    // Song 0 (topic 0) pairs with song 7 (topic 0), song 1 (topic 1) with song 8 (topic 1).
    expect(Array.from(batch.pos2!)).toEqual([7, 8]);
    expect(Array.from(batch.posTopic!)).toEqual([0, 1]);
    expect(Array.from(batch.negTopic!)).toEqual([dsd.songs[3]!.dominant, dsd.songs[4]!.dominant]);
  });

  it('fine-tune epochs mix in the personal triplets, with item–item partners liked under the same selection and topic targets', () => {
    // Song 210 is an untagged feedback song (no topics): appended after the library's.
    const songs = [...dsd.songs, { trackId: 999, artist: '', topics: [], dominant: -1 }];
    const withFeedback = { ...dsd, songs };
    const library = { group: Int32Array.from([1, 2, 4]), pos: Int32Array.from([0, 1, 2]), neg: Int32Array.from([3, 4, 5]) };
    // Under selection mask 0b11: songs 7 and 210 liked, 9 disliked.
    const personal = { group: Int32Array.from([3, 3]), pos: Int32Array.from([7, 210]), neg: Int32Array.from([9, 9]) };
    const epoch = withPersonalTriplets(library, personal, 3, createRng(2));
    expect(epoch.pos).toHaveLength(3 + 3 * 2);
    expect(Array.from(epoch.personal!).filter(Boolean)).toHaveLength(6);
    const rowOf = Int32Array.from({ length: songs.length }, (_, i) => i);
    const batch: TripletBatch = { users: new Float32Array(9 * 7), pos: epoch.pos, neg: epoch.neg };
    addItemTargets(
      batch,
      epoch,
      0,
      9,
      withFeedback,
      itemPartners(withFeedback, [0, 1, 2, 3, 4, 5, 6, 8]),
      rowOf,
      createRng(1),
      likedBySelection(personal),
    );
    for (let i = 0; i < 9; i++) {
      const p = epoch.pos[i]!;
      if (epoch.personal![i]) {
        expect(epoch.group[i]).toBe(3);
        // The other song liked under the selection is the item–item positive.
        expect(batch.pos2![i]).toBe(p === 7 ? 210 : 7);
        expect(batch.posTopic![i]).toBe(p === 7 ? dsd.songs[7]!.dominant : -1);
        expect(batch.negTopic![i]).toBe(dsd.songs[9]!.dominant);
      } else {
        expect(songs[batch.pos2![i]!]!.dominant).toBe(songs[p]!.dominant);
        expect(batch.posTopic![i]).toBe(songs[p]!.dominant);
      }
    }
  });
});
