import type { BackendInfo, BackendName } from './backend.ts';
import type { SamplingMode } from './data.ts';
import type { SaveResult } from './store.ts';
import type { EpochMetrics, TrainProgress } from './trainer.ts';

/** Messages between the training job and its worker: tagged unions; errors travel as values. */
export type TrainRequest = { type: 'cancel' };

export interface TrainJobResult {
  backend: BackendInfo;
  cancelled: boolean;
  songs: number;
  trainSongs: number;
  valSongs: number;
  epochsRun: number;
  bestEpoch: number;
  valAccuracy: number | null;
  stoppedEarly: boolean;
  resumedFromEpoch: number | null;
  tripletsPerSecond: number;
  trainMs: number;
  /** Absent when cancelled (the checkpoint is kept and the next run resumes). */
  saved?: SaveResult;
  embedded?: { count: number; songsPerSecond: number };
}

export type TrainReply =
  | { type: 'backend'; backend: BackendInfo }
  | { type: 'progress'; progress: TrainProgress }
  | { type: 'epoch'; metrics: EpochMetrics }
  | { type: 'done'; result: TrainJobResult }
  | { type: 'error'; error: string; notReady: boolean };

export interface TrainWorkerData {
  dataDir: string;
  backend?: BackendName;
  model: string;
  epochs: number;
  batchSize: number;
  learningRate: number;
  momentum: number;
  patience: number;
  seed: number;
  sampling: SamplingMode;
  negatives: number;
  maxTripletsPerEpoch: number;
  /** Triplets per epoch once the full epoch is larger (SamplingOptions.budget; 0: none). */
  tripletBudget: number;
  /** Triplets over the run (TrainOptions.runTriplets; 0: none). */
  runTriplets: number;
  validationFraction: number;
  checkpointEveryMs: number;
  /** Lower the worker thread's own scheduling priority (lowerThreadPriority): the app's training, so its API stays responsive. */
  lowPriority?: boolean;
}
