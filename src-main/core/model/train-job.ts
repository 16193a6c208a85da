import { startWorker, workerResult } from '../jobs/worker-entry.ts';
import type { TrainJobResult, TrainReply, TrainRequest, TrainWorkerData } from './train-messages.ts';
import { NotReadyError } from './data.ts';
import type { BackendInfo } from './backend.ts';
import { DEFAULT_MODEL, modelDefinition, resolveModelName } from './definition.ts';
import { TRAIN_DEFAULTS } from './train-options.ts';
import type { EpochMetrics, TrainProgress } from './trainer.ts';

export type TrainJobOptions = { dataDir: string } & Partial<Omit<TrainWorkerData, 'dataDir'>> & {
    onBackend?: (backend: BackendInfo) => void;
    onProgress?: (progress: TrainProgress) => void;
    onEpoch?: (metrics: EpochMetrics) => void;
    /** A built train worker to run instead of the source one. */
    workerBundle?: URL;
  };

export interface TrainJob {
  result: Promise<TrainJobResult>;
  cancel(): void;
}

export const TRAIN_JOB_DEFAULTS: Omit<TrainWorkerData, 'dataDir'> = {
  model: DEFAULT_MODEL,
  epochs: TRAIN_DEFAULTS.epochs,
  batchSize: TRAIN_DEFAULTS.batchSize,
  learningRate: TRAIN_DEFAULTS.learningRate,
  momentum: TRAIN_DEFAULTS.momentum,
  patience: TRAIN_DEFAULTS.patience,
  seed: TRAIN_DEFAULTS.seed,
  sampling: 'unbalanced',
  negatives: 10,
  maxTripletsPerEpoch: 0,
  tripletBudget: 0,
  runTriplets: 0,
  validationFraction: 0.1,
  checkpointEveryMs: 60_000,
};

/**
 * Trains the triplet network on the library in a worker thread. Progress arrives per batch; cancel()
 * stops at the next batch, keeps a checkpoint, and the next run with the same settings resumes.
 */
export function startTrainJob(options: TrainJobOptions): TrainJob {
  const { onBackend, onProgress, onEpoch, workerBundle, ...rest } = options;
  const model = resolveModelName(rest.model ?? TRAIN_JOB_DEFAULTS.model);
  // The definition's own epochs, learning rate, … unless the caller set them.
  const own = definedOnly(modelDefinition(model).training ?? {});
  const workerData: TrainWorkerData = { ...TRAIN_JOB_DEFAULTS, ...own, ...definedOnly(rest), model, dataDir: options.dataDir };
  const worker = startWorker('train', { workerData }, workerBundle);
  const result = workerResult<TrainJobResult, TrainReply>(worker, 'training', (reply, settle) => {
    switch (reply.type) {
      case 'backend':
        return onBackend?.(reply.backend);
      case 'progress':
        return onProgress?.(reply.progress);
      case 'epoch':
        return onEpoch?.(reply.metrics);
      case 'done':
        return settle.resolve(reply.result);
      case 'error':
        return settle.reject(reply.notReady ? new NotReadyError(reply.error) : new Error(reply.error));
    }
  });
  return { result, cancel: () => worker.postMessage({ type: 'cancel' } satisfies TrainRequest) };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
