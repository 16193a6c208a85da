/**
 * Fine-tuning the active model from the listener's feedback (`cadenza train --from-feedback`, the app's
 * retrain). It is `cadenza train`'s own trainer (model/trainer.ts) with every objective the model has
 * (user–item, item–item, topic head), started at the active model's weights, with the personal triplets
 * as one more source: under one topic selection, a liked or completed track (the positive) against a
 * skipped or disliked one (the negative), each repeated `personalWeight` times per epoch among the
 * library's triplets. The result replaces the active model only if held-out user → song and song → song
 * precision@10 (the validation songs of the model's own split) do not drop beyond noise (held-out.ts);
 * otherwise it is refused and nothing is stored.
 */
import type { Database } from 'better-sqlite3';
import { selectBackend, type BackendInfo, type BackendName } from '../model/backend.ts';
import {
  inputMatrix,
  loadLibraryDataset,
  NotReadyError,
  splitByArtist,
  standardize,
  topicMask,
  type Dataset,
  type Triplets,
} from '../model/data.ts';
import { describeDecision, heldOutScores, retrainDecision, type HeldOutScores, type RetrainDecision } from '../model/held-out.ts';
import { modelInputOf, type StoredInputRow } from '../model/inputs.ts';
import { Network } from '../model/network.ts';
import { activateIfEmbedded, embedMissing, loadModel, saveModel, type LoadedModel, type SaveResult } from '../model/store.ts';
import { pairwiseAccuracy, trainModel, type TrainOptions, TrainingDivergedError } from '../model/trainer.ts';
import { feedbackEvents } from './feedback.ts';

export interface FineTuneOptions {
  epochs?: number;
  learningRate?: number;
  /** Copies of each personal triplet per epoch. Default: as many as fill `personalShare` of the epoch. */
  personalWeight?: number;
  /** Without `personalWeight`: the share of each epoch's triplets that are personal (default 0.2). */
  personalShare?: number;
  /** Library triplets per epoch (sub-sampled). Default 4096. */
  libraryTriplets?: number;
  batchSize?: number;
  seed?: number;
  backend?: BackendName;
}

export const FINE_TUNE_DEFAULTS = { epochs: 5, learningRate: 0.003, personalShare: 0.2, libraryTriplets: 4096 } as const;

/** Held-out precision@10 of one model (means over groups and over songs). */
export interface HeldOutPrecision {
  userToSong: number;
  songToSong: number;
}

export interface FineTuneResult {
  backend: Pick<BackendInfo, 'name' | 'device'>;
  baseModelId: number;
  personalTriplets: number;
  /** Copies of each personal triplet per epoch. */
  personalWeight: number;
  /** Held-out songs the decision was made on (the validation songs of the model's split). */
  heldOutSongs: number;
  /** Held-out precision@10 of the active model and of the fine-tuned one, on the same songs. */
  before: HeldOutPrecision | null;
  after: HeldOutPrecision | null;
  /** The largest drop of each still counted as noise. */
  tolerance: HeldOutPrecision | null;
  /** Share of personal triplets ranked right, before and after. */
  personalBefore: number | null;
  personalAfter: number | null;
  epochsRun: number;
  accepted: boolean;
  /** Stopped by a cancel: nothing was activated (a model saved before the cancel stays stored, inactive). */
  cancelled: boolean;
  reason: string;
  saved: SaveResult | null;
  embedded: number;
}

/** What the caller of a fine-tune controls while it runs (not part of the options: it does not cross a worker). */
export interface FineTuneControl {
  /** Checked per batch and per embedding chunk; when true the fine-tune stops and the active model stays. */
  isCancelled?: () => boolean;
}

const CANCELLED_REASON = 'retraining cancelled; the active model is unchanged';

/** A personal triplet: k-hot selection, and the feedback tracks (ids) liked and disliked under it. */
export interface PersonalTriplet {
  topics: number[];
  positive: number;
  negative: number;
}

/** Pairs up, per topic selection, the tracks last liked/completed with those last skipped/disliked. */
export function personalTriplets(db: Database, maxPerSelection = 2000): PersonalTriplet[] {
  const latest = new Map<string, Map<number, 'pos' | 'neg'>>();
  for (const e of feedbackEvents(db)) {
    if (e.topics.length === 0 || e.kind === 'play') continue;
    const key = e.topics.join(',');
    let byTrack = latest.get(key);
    if (!byTrack) latest.set(key, (byTrack = new Map()));
    byTrack.set(e.trackId, e.kind === 'like' || e.kind === 'complete' ? 'pos' : 'neg');
  }
  const out: PersonalTriplet[] = [];
  for (const [key, byTrack] of latest) {
    const topics = key.split(',').map(Number);
    const pos = [...byTrack].filter(([, c]) => c === 'pos').map(([id]) => id);
    const neg = [...byTrack].filter(([, c]) => c === 'neg').map(([id]) => id);
    let n = 0;
    for (const p of pos) for (const q of neg) if (n++ < maxPerSelection) out.push({ topics, positive: p, negative: q });
  }
  return out;
}

/**
 * The library's songs plus the feedback tracks outside it (untagged: no topics, dominant −1), and the
 * personal triplets as trainer triplets over that list (selection mask, liked, disliked).
 */
function withFeedbackSongs(
  db: Database,
  dataset: Dataset,
  model: LoadedModel,
  personal: readonly PersonalTriplet[],
): { dataset: Dataset; triplets: Triplets } {
  const kind = model.meta.config.input;
  const input = inputMatrix(dataset, kind);
  const indexOf = new Map<number, number>(dataset.songs.map((s, i) => [s.trackId, i]));
  const getRow = db.prepare(
    (kind ?? 'mfcc') === 'mfcc'
      ? 'SELECT features, NULL AS descriptors FROM track_features WHERE track_id = ? AND feature_version = ?'
      : 'SELECT NULL AS features, clip_descriptors AS descriptors FROM track_model_inputs WHERE track_id = ? AND feature_version = ?',
  );
  const extraRows: Float32Array[] = [];
  const songs = dataset.songs.slice();
  for (const id of new Set(personal.flatMap((t) => [t.positive, t.negative]))) {
    if (indexOf.has(id)) continue;
    const row = getRow.get(id, model.meta.featureVersion) as StoredInputRow | undefined;
    const x = row ? modelInputOf(kind, row) : null;
    if (!x || x.length !== input.width) continue;
    indexOf.set(id, songs.length);
    songs.push({ trackId: id, artist: '', topics: [], dominant: -1 });
    extraRows.push(x);
  }
  const data = new Float32Array(songs.length * input.width);
  data.set(input.data.subarray(0, dataset.songs.length * input.width));
  extraRows.forEach((x, i) => data.set(x, (dataset.songs.length + i) * input.width));
  const augmented: Dataset =
    (kind ?? 'mfcc') === 'mfcc'
      ? { ...dataset, songs, features: data }
      : { ...dataset, songs, descriptors: data, descriptorWidth: input.width };
  const usable = personal.filter(
    (t) => indexOf.has(t.positive) && indexOf.has(t.negative) && t.topics.every((x) => x >= 1 && x <= dataset.k),
  );
  return {
    dataset: augmented,
    triplets: {
      group: Int32Array.from(usable, (t) => topicMask(t.topics.map((x) => x - 1))),
      pos: Int32Array.from(usable, (t) => indexOf.get(t.positive)!),
      neg: Int32Array.from(usable, (t) => indexOf.get(t.negative)!),
    },
  };
}

/** Held-out scores and the personal triplets' pairwise accuracy of one set of weights. */
async function scoreModel(
  config: LoadedModel['meta']['config'],
  weights: LoadedModel['weights'],
  dataset: Dataset,
  held: readonly number[],
  personal: Triplets,
  standardizer: LoadedModel['standardizer'],
): Promise<{ scores: HeldOutScores | null; personal: number | null }> {
  const net = new Network(config, weights);
  try {
    const input = inputMatrix(dataset, config.input);
    const scores =
      held.length > 1
        ? await heldOutScores(
            net,
            standardize(input.data, input.width, standardizer, held),
            held.map((i) => dataset.songs[i]!),
            dataset.k,
          )
        : null;
    const rows = [...new Set([...personal.pos, ...personal.neg])];
    const rowOf = new Int32Array(dataset.songs.length).fill(-1);
    rows.forEach((song, r) => (rowOf[song] = r));
    const accuracy = personal.pos.length
      ? await pairwiseAccuracy(net, standardize(input.data, input.width, standardizer, rows), rowOf, personal, dataset.k)
      : null;
    return { scores, personal: accuracy };
  } finally {
    net.dispose();
  }
}

const meanOf = (xs: Float64Array) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

export async function fineTuneFromFeedback(
  db: Database,
  dataDir: string,
  options: FineTuneOptions = {},
  control: FineTuneControl = {},
): Promise<FineTuneResult> {
  const isCancelled = control.isCancelled ?? (() => false);
  const model = loadModel(db, dataDir);
  if (!model) throw new NotReadyError('no trained model yet: run `cadenza train` first');
  // Only the input this model reads (the default model never reads the MFCC blobs).
  const library = loadLibraryDataset(db, { inputs: model.meta.config.input });
  if (library.topicFingerprint !== model.meta.topicFingerprint || library.featureVersion !== model.meta.featureVersion) {
    throw new NotReadyError(
      'the active model is out of date (topics or features changed): run `cadenza train` for a fresh model',
    );
  }
  const feedback = personalTriplets(db);
  if (feedback.length === 0)
    throw new NotReadyError(
      'no personal triplets yet: like or complete some tracks and skip or dislike others under a topic selection',
    );
  const backendInfo = await selectBackend(options.backend);
  const backend = { name: backendInfo.name, device: backendInfo.device };
  const { dataset, triplets } = withFeedbackSongs(db, library, model, feedback);
  if (triplets.pos.length === 0)
    throw new NotReadyError('the feedback tracks have no features under the active model: run `cadenza analyze`');

  // The model's own split (same fraction and seed as `cadenza train`): it trains on `kept` again and is judged on `held`.
  const libraryIndices = library.songs.map((_, i) => i);
  const { kept, held } = splitByArtist(library.songs, libraryIndices, 0.1, model.meta.options.seed);
  const trainOptions: TrainOptions = {
    ...model.meta.options,
    epochs: options.epochs ?? FINE_TUNE_DEFAULTS.epochs,
    learningRate: options.learningRate ?? FINE_TUNE_DEFAULTS.learningRate,
    batchSize: options.batchSize ?? model.meta.options.batchSize,
    patience: 0,
    sampling: { ...model.meta.options.sampling, maxTriplets: options.libraryTriplets ?? FINE_TUNE_DEFAULTS.libraryTriplets },
    seed: options.seed ?? model.meta.options.seed,
  };
  // A handful of triplets would vanish among thousands: by default they fill a fixed share of each epoch.
  const libraryPerEpoch = trainOptions.sampling.maxTriplets!;
  const share = Math.min(0.9, Math.max(0, options.personalShare ?? FINE_TUNE_DEFAULTS.personalShare));
  const weight =
    options.personalWeight ?? Math.max(1, Math.round((share / (1 - share)) * (libraryPerEpoch / triplets.pos.length)));
  const base = await scoreModel(model.meta.config, model.weights, dataset, held, triplets, model.standardizer);
  let trained: Awaited<ReturnType<typeof trainModel>>;
  try {
    trained = await trainModel(
      dataset,
      { train: kept, validation: held },
      trainOptions,
      { isCancelled },
      {
        from: { config: model.meta.config, weights: model.weights, standardizer: model.standardizer },
        personal: { triplets, weight },
      },
    );
  } catch (error) {
    if (!(error instanceof TrainingDivergedError)) throw error;
    // A fine-tune that diverged is the worst retrain there is: refused, the active model stays.
    return {
      backend,
      baseModelId: model.id,
      personalTriplets: triplets.pos.length,
      personalWeight: weight,
      heldOutSongs: held.length,
      before: base.scores ? { userToSong: meanOf(base.scores.userToSong), songToSong: meanOf(base.scores.songToSong) } : null,
      after: null,
      tolerance: null,
      personalBefore: base.personal,
      personalAfter: null,
      epochsRun: error.epoch,
      accepted: false,
      cancelled: false,
      reason: `the retrain diverged (loss ${error.loss} at epoch ${error.epoch}): the active model stays`,
      saved: null,
      embedded: 0,
    };
  }
  const tuned = await scoreModel(trained.config, trained.weights, dataset, held, triplets, trained.standardizer);
  const decision: RetrainDecision | null = base.scores && tuned.scores ? retrainDecision(base.scores, tuned.scores) : null;
  const precision = (s: HeldOutScores | null): HeldOutPrecision | null =>
    s ? { userToSong: meanOf(s.userToSong), songToSong: meanOf(s.songToSong) } : null;
  const accepted = decision?.accepted ?? true;
  const outcome = {
    backend,
    baseModelId: model.id,
    personalTriplets: triplets.pos.length,
    personalWeight: weight,
    heldOutSongs: held.length,
    before: precision(base.scores),
    after: precision(tuned.scores),
    tolerance: decision ? { userToSong: decision.userToSong.tolerance, songToSong: decision.songToSong.tolerance } : null,
    personalBefore: base.personal,
    personalAfter: tuned.personal,
    epochsRun: trained.history.length,
    accepted,
    cancelled: false,
  };
  if (trained.cancelled || isCancelled())
    return { ...outcome, accepted: false, cancelled: true, reason: CANCELLED_REASON, saved: null, embedded: 0 };
  const numbers = decision ? describeDecision(decision) : 'no held-out songs to compare on';
  if (!accepted) return { ...outcome, reason: `${numbers}: the active model stays`, saved: null, embedded: 0 };
  // Stored inactive and embedded under its own id first; activated in one transaction once complete.
  const saved = saveModel(db, dataDir, trained, backend, library, Date.now(), { activate: 'when-embedded' });
  const embedded = await embedMissing(db, dataDir, { modelId: saved.modelId, isCancelled });
  // The comparison above is on the same songs, so it decides (the stored accuracies may be from older splits).
  if (isCancelled() || !activateIfEmbedded(db, saved.modelId)) {
    return {
      ...outcome,
      accepted: false,
      cancelled: true,
      reason: CANCELLED_REASON,
      saved: { ...saved, activated: false },
      embedded: embedded.embedded,
    };
  }
  return { ...outcome, reason: numbers, saved: { ...saved, activated: true }, embedded: embedded.embedded };
}
