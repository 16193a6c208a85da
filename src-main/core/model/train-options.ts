/**
 * What defines a training run, and its defaults, apart from the trainer: the app's main process reads
 * these (the training job's settings) without loading TF.js, which only the training worker needs.
 */
import type { SamplingOptions } from './data.ts';
import type { Objective } from './step.ts';

/** Everything that defines a training run (stored with the model). */
export interface TrainOptions {
  objective: Objective;
  /** Model definition name ('paper'). */
  model: string;
  epochs: number;
  batchSize: number;
  learningRate: number;
  momentum: number;
  weightDecay: number;
  sampling: SamplingOptions;
  /** Early stopping: stop after this many epochs without a better validation accuracy (0: never). */
  patience: number;
  seed: number;
  /**
   * Triplets over the whole run (0 or absent: no limit): the epoch count becomes
   * min(epochs, ⌈runTriplets / triplets per epoch⌉), so a library whose epochs are held to
   * `sampling.budget` trains for as many triplets as a small library's full epochs give.
   */
  runTriplets?: number;
}

/** The epochs a run will take at most: the cap, or fewer when `runTriplets` binds. */
export function plannedEpochs(options: Pick<TrainOptions, 'epochs' | 'runTriplets'>, tripletsPerEpoch: number): number {
  if (!options.runTriplets || options.runTriplets <= 0 || tripletsPerEpoch <= 0) return options.epochs;
  return Math.max(1, Math.min(options.epochs, Math.ceil(options.runTriplets / tripletsPerEpoch)));
}

export const TRAIN_DEFAULTS: TrainOptions = {
  objective: 'triplet',
  model: 'paper',
  epochs: 200,
  batchSize: 256,
  learningRate: 0.01,
  momentum: 0.9,
  weightDecay: 0,
  sampling: { mode: 'unbalanced', negativesPerPositive: 10 },
  patience: 10,
  seed: 1,
};
