// The first run's time left across every stage, and the costs it learns from a finished stage.
import { describe, expect, it } from 'vitest';
import type { JobKind, JobProgress } from '../../src-main/api/types.ts';
import {
  learnCost,
  pipelineEta,
  PRIOR_COSTS,
  trainingSeconds,
  type StageCosts,
} from '../../src-renderer/src/lib/first-run-eta.ts';

const costs: StageCosts = {
  analysisPerSong: 0.1,
  topicsPerSong: 0.001,
  topicsFixed: 2,
  trainingLoadPerSong: 0.001,
  trainingEpochsSec: 200,
  trainingEpochsPerSong: 0.029,
};
const progress = (job: JobKind, done: number, total: number | null, etaSec: number | null): JobProgress => ({
  job,
  phase: 'x',
  failed: 0,
  done,
  total,
  rate: etaSec ? (total! - done) / etaSec : 0,
  etaSec,
  elapsedMs: 1000,
});

describe('pipelineEta', () => {
  it('during the scan: the songs found so far through every later stage, the scan itself as it reports', () => {
    const eta = pipelineEta({ stage: 'scan', progress: progress('scan', 400, 1000, 5), songs: 0, training: true }, costs);
    expect(eta.stages).toEqual({ scan: 5, analysis: 100, topics: 3, training: 30 });
    expect(eta.totalSec).toBeCloseTo(138, 9);
  });

  it('during the analysis: its own ETA, later stages from the library size; done stages count nothing', () => {
    const eta = pipelineEta(
      { stage: 'analysis', progress: progress('analysis', 300, 1000, 70), songs: 1000, training: true },
      costs,
    );
    expect(eta.stages).toEqual({ scan: 0, analysis: 70, topics: 3, training: 30 });
    expect(eta.totalSec).toBeCloseTo(103, 9);
  });

  it('no training when a current model exists; training last is its own ETA', () => {
    expect(pipelineEta({ stage: 'topics', progress: null, songs: 1000, training: false }, costs).totalSec).toBeCloseTo(3, 9);
    const last = pipelineEta(
      { stage: 'training', progress: progress('training', 50, 100, 12), songs: 1000, training: true },
      costs,
    );
    expect(last.totalSec).toBe(12);
  });

  it('a stage under way without a rate yet makes the total unknown rather than wrong', () => {
    const eta = pipelineEta(
      { stage: 'analysis', progress: progress('analysis', 3, 1000, null), songs: 1000, training: true },
      costs,
    );
    expect(eta.stages.analysis).toBeNull();
    expect(eta.totalSec).toBeNull();
  });
});

describe('the training prior', () => {
  it('follows what bench:library measured: 64 s at 1,200 songs, 3.2–3.7 min at 20,000 and 100,000', () => {
    expect(trainingSeconds(PRIOR_COSTS, 1200)).toBeGreaterThan(64 * 0.8);
    expect(trainingSeconds(PRIOR_COSTS, 1200)).toBeLessThan(64 * 1.2);
    expect(trainingSeconds(PRIOR_COSTS, 20_000) / 60).toBeGreaterThan(3.2 * 0.8);
    expect(trainingSeconds(PRIOR_COSTS, 20_000) / 60).toBeLessThan(3.7 * 1.2);
    expect(trainingSeconds(PRIOR_COSTS, 100_000) / 60).toBeLessThan(4.5 * 1.2);
  });
});

describe('learnCost', () => {
  it('replaces the prior of the stage that ran with its measured seconds per song', () => {
    expect(learnCost(PRIOR_COSTS, 'analysis', 50, 1000).analysisPerSong).toBe(0.05);
    // Training at 1,000 songs (below the budget's cap): the epochs' rate per song is learned…
    const small = learnCost(PRIOR_COSTS, 'training', 110, 1000);
    expect(small.trainingEpochsPerSong).toBeCloseTo((110 - 1000 * PRIOR_COSTS.trainingLoadPerSong) / 1000, 9);
    expect(small.trainingEpochsSec).toBe(PRIOR_COSTS.trainingEpochsSec);
    // …and at 20,000 (the cap binds) the epochs' seconds: a larger library then adds only its loading.
    const large = learnCost(PRIOR_COSTS, 'training', 250, 20_000);
    expect(large.trainingEpochsSec).toBeCloseTo(250 - 20_000 * PRIOR_COSTS.trainingLoadPerSong, 9);
    expect(trainingSeconds(large, 100_000) - trainingSeconds(large, 20_000)).toBeCloseTo(
      80_000 * PRIOR_COSTS.trainingLoadPerSong,
      9,
    );
    expect(learnCost(PRIOR_COSTS, 'topics', 1, 1000).topicsPerSong).toBe(0);
    expect(learnCost(PRIOR_COSTS, 'analysis', 5, 0)).toBe(PRIOR_COSTS);
    expect(learnCost(PRIOR_COSTS, 'scan', 5, 10)).toBe(PRIOR_COSTS);
  });
});
