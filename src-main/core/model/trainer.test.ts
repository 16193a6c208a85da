import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from './backend.ts';
import { splitByArtist } from './data.ts';
import { syntheticDataset } from './synthetic.ts';
import { TRAIN_DEFAULTS, trainModel, type Checkpoint, type CheckpointStore, type TrainOptions } from './trainer.ts';

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
    const first = await trainModel(ds, split, options, { checkpoints: store, isCancelled: () => ++steps > 30, checkpointEveryMs: 0 });
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

  it('early stopping keeps the best epoch', async () => {
    const trained = await trainModel(ds, split, { ...options, epochs: 40, patience: 2, learningRate: 0.2 });
    expect(trained.stoppedEarly).toBe(true);
    const best = Math.max(...trained.history.map((h) => h.valAccuracy!));
    expect(trained.valAccuracy).toBe(best);
    expect(trained.history.length - trained.bestEpoch).toBe(2);
  });
});
