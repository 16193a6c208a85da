import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from './backend.ts';
import { splitByArtist, type Dataset } from './data.ts';
import { DatasetMetrics } from './nested-eval.ts';
import { learnedFold, type LearnedFold } from './nested-learned.ts';
import { syntheticDataset } from './synthetic.ts';

describe('the learned side of the nested protocol', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  const options = { outerFolds: 5, innerFolds: 2, seed: 1, model: 'default', models: ['paper', 'default'], epochs: 4 };
  const run = (dataset: Dataset, pool: number[], test: number[]): Promise<LearnedFold> =>
    learnedFold(
      dataset,
      new DatasetMetrics(dataset),
      pool,
      test,
      options,
      7,
      'test fold',
      () => {},
      () => false,
    );

  it('chooses the model definition on the selection part alone, and reports every definition on the test songs', async () => {
    const dataset = syntheticDataset({ songs: 64, seed: 4, signal: 1 });
    const all = dataset.songs.map((_, i) => i);
    const { kept: pool, held: test } = splitByArtist(dataset.songs, all, 0.25, 3);
    const fold = await run(dataset, pool, test);
    expect(fold.modelTrials.map((t) => t.model)).toEqual(['paper', 'descriptors']);
    const best = fold.modelTrials.reduce((a, b) => (b.selectionP10 > a.selectionP10 ? b : a));
    expect(fold.modelName).toBe(best.model);
    expect(fold.model).toEqual(best.outer);
    for (const t of fold.modelTrials) expect(t.outer.userToSong.precision10).toBeGreaterThan(0);

    // The test songs' labels changed: every selection score, and so the choice, stays the same.
    const inTest = new Set(test);
    const relabelled: Dataset = {
      ...dataset,
      songs: dataset.songs.map((s, i) => {
        if (!inTest.has(i)) return s;
        const dominant = (s.dominant + 3) % dataset.k;
        return { ...s, topics: [dominant], dominant };
      }),
    };
    const again = await run(relabelled, pool, test);
    expect(again.modelTrials.map((t) => t.selectionP10)).toEqual(fold.modelTrials.map((t) => t.selectionP10));
    expect(again.modelName).toBe(fold.modelName);
    expect(again.chosen).toBe(fold.chosen);
    // … while the numbers on the test songs do move: they are read from the (relabelled) test songs.
    expect(again.model.userToSong.precision10).not.toBe(fold.model.userToSong.precision10);
  }, 300_000);
});
