import fs from 'node:fs';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import { blobToFeatures } from '../analysis/feature-store.ts';
import { FEATURE_VERSION } from '../analysis/dsp/index.ts';
import { isTopicModelCurrent } from '../topics/library-topics.ts';
import type { BackendInfo } from './backend.ts';
import type { Standardizer } from './data.ts';
import type { ModelConfig } from './definition.ts';
import { modelInputOf } from './inputs.ts';
import { paramSpecs, type WeightSet } from './params.ts';
import { readTensorFile, writeTensorFile } from './tensor-file.ts';
import type { Checkpoint, CheckpointStore, EpochMetrics, TrainedModel, TrainOptions } from './trainer.ts';

/** Where models live: `<data dir>/models/`. */
export function modelsDir(dataDir: string): string {
  return path.join(dataDir, 'models');
}

export interface ModelFileMeta {
  format: 'cadenza-model-1';
  config: ModelConfig;
  options: TrainOptions;
  featureVersion: number;
  topicFingerprint: string;
  backend: string;
  device: string;
  metrics: { valAccuracy: number | null; bestEpoch: number; epochsRun: number; stoppedEarly: boolean; trainSongs: number; valSongs: number; trainMs: number; tripletsPerSecond: number };
  history: EpochMetrics[];
  createdAt: number;
}

export interface LoadedModel {
  id: number;
  meta: ModelFileMeta;
  weights: WeightSet;
  standardizer: Standardizer;
}

export interface ModelRow {
  id: number;
  objective: string;
  definition: string;
  file: string;
  featureVersion: number;
  topicFingerprint: string;
  embeddingDim: number;
  valAccuracy: number | null;
  backend: string;
  device: string;
  seed: number;
  createdAt: number;
  active: boolean;
}

const ROW_SQL = `SELECT id, objective, definition, file, feature_version AS featureVersion, topic_fingerprint AS topicFingerprint,
  embedding_dim AS embeddingDim, val_accuracy AS valAccuracy, backend, device, seed, created_at AS createdAt, active FROM models`;

type RawRow = Omit<ModelRow, 'active'> & { active: number };
const toRow = (r: RawRow): ModelRow => ({ ...r, active: r.active === 1 });

export function listModels(db: Database): ModelRow[] {
  return (db.prepare(`${ROW_SQL} ORDER BY id`).all() as RawRow[]).map(toRow);
}

export function activeModel(db: Database): ModelRow | null {
  const row = db.prepare(`${ROW_SQL} WHERE active = 1`).get() as RawRow | undefined;
  return row ? toRow(row) : null;
}

/** True while the model's topics and features are the library's current ones. */
export function isModelCurrent(db: Database, model: ModelRow): boolean {
  return model.featureVersion === FEATURE_VERSION && isTopicModelCurrent(db, model.topicFingerprint);
}

export interface SaveResult {
  modelId: number;
  file: string;
  activated: boolean;
  /** Whether it should replace the active model (with `activate: 'when-embedded'`, done by `activateIfEmbedded`). */
  eligible: boolean;
  /** The model active before (kept either way). */
  previous: { id: number; valAccuracy: number | null; current: boolean } | null;
}

/**
 * Saves a trained model (weights file + row). It is eligible to become the active model unless the active
 * one is still current (same topics and features) and has a better validation accuracy; the previous
 * model and its embeddings are kept. With `activate: 'when-embedded'` (training, retraining) it is stored
 * inactive: the caller embeds the library under its id, then `activateIfEmbedded` switches in one
 * transaction, so a kill or cancel meanwhile never leaves an active model with part of the library embedded.
 */
export function saveModel(
  db: Database,
  dataDir: string,
  trained: TrainedModel,
  backend: Pick<BackendInfo, 'name' | 'device'>,
  dataset: { featureVersion: number; topicFingerprint: string },
  now = Date.now(),
  { activate = 'now' }: { activate?: 'now' | 'when-embedded' } = {},
): SaveResult {
  const meta: ModelFileMeta = {
    format: 'cadenza-model-1',
    config: trained.config,
    options: trained.options,
    featureVersion: dataset.featureVersion,
    topicFingerprint: dataset.topicFingerprint,
    backend: backend.name,
    device: backend.device,
    metrics: {
      valAccuracy: trained.valAccuracy,
      bestEpoch: trained.bestEpoch,
      epochsRun: trained.history.length,
      stoppedEarly: trained.stoppedEarly,
      trainSongs: trained.trainSongs,
      valSongs: trained.valSongs,
      trainMs: trained.trainMs,
      tripletsPerSecond: trained.tripletsPerSecond,
    },
    history: trained.history,
    createdAt: now,
  };
  const arrays = new Map<string, Float32Array>();
  for (const spec of trained.weights.specs) arrays.set(`w:${spec.name}`, trained.weights.values.get(spec.name)!);
  arrays.set('standardizer:mean', trained.standardizer.mean);
  arrays.set('standardizer:std', trained.standardizer.std);
  const name = `${trained.options.objective}-${new Date(now).toISOString().replace(/[:.]/g, '-')}-${process.pid}.cdzm`;
  const relative = path.join('models', name);
  writeTensorFile(path.join(dataDir, relative), meta, arrays);

  return db.transaction((): SaveResult => {
    const active = activeModel(db);
    const previous = active ? { id: active.id, valAccuracy: active.valAccuracy, current: isModelCurrent(db, active) && active.featureVersion === dataset.featureVersion && active.topicFingerprint === dataset.topicFingerprint } : null;
    const notWorse = !previous || !previous.current || previous.valAccuracy === null || (trained.valAccuracy ?? -Infinity) >= previous.valAccuracy;
    const eligible = trained.options.objective === 'triplet' && notWorse;
    const activated = eligible && activate === 'now';
    if (activated) db.prepare('UPDATE models SET active = 0 WHERE active = 1').run();
    const info = db
      .prepare(
        `INSERT INTO models (objective, definition, file, feature_version, topic_fingerprint, embedding_dim, val_accuracy, backend, device, seed, metadata, created_at, active)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        trained.options.objective,
        trained.config.definition,
        relative,
        dataset.featureVersion,
        dataset.topicFingerprint,
        trained.config.embedding,
        trained.valAccuracy,
        backend.name,
        backend.device,
        trained.options.seed,
        JSON.stringify({ config: meta.config, options: meta.options, metrics: meta.metrics, history: meta.history }),
        now,
        activated ? 1 : 0,
      );
    const modelId = Number(info.lastInsertRowid);
    if (activated) logActivation(db, modelId, now);
    return { modelId, file: relative, activated, eligible, previous };
  })();
}

/** Makes a model the active one (the previous stays stored) and logs it for `rollbackModel`. */
export function activateModel(db: Database, id: number, now = Date.now()): void {
  db.transaction(() => {
    db.prepare('UPDATE models SET active = 0 WHERE active = 1').run();
    if (db.prepare('UPDATE models SET active = 1 WHERE id = ?').run(id).changes !== 1) throw new Error(`no model ${id}`);
    logActivation(db, id, now);
  })();
}

/**
 * Activates a model in one transaction if every analysed song (of its feature version) has an embedding
 * under it; false, and nothing changes, when some are missing (the embedding was cut short).
 */
export function activateIfEmbedded(db: Database, id: number, now = Date.now()): boolean {
  return db.transaction((): boolean => {
    if (missingEmbeddings(db, id) > 0) return false;
    activateModel(db, id, now);
    return true;
  }).immediate();
}

/** Analysed songs (of the model's feature version) without an embedding under the model. */
export function missingEmbeddings(db: Database, modelId: number): number {
  const row = db
    .prepare(
      `SELECT COUNT(*) AS n FROM track_features f JOIN models m ON m.id = ? AND f.feature_version = m.feature_version
       LEFT JOIN track_embeddings e ON e.track_id = f.track_id AND e.model_id = m.id AND e.feature_version = f.feature_version
       WHERE e.track_id IS NULL`,
    )
    .get(modelId) as { n: number };
  return row.n;
}

function logActivation(db: Database, id: number, now: number): void {
  db.prepare('INSERT INTO model_activations (model_id, activated_at) VALUES (?, ?)').run(id, now);
}

/**
 * Undoes the last activation: the model active before the current one becomes active again (its
 * embeddings are still stored). Repeated calls go further back. Null when there is nothing to go back to.
 */
export function rollbackModel(db: Database): { from: number; to: number } | null {
  return db.transaction(() => {
    const active = activeModel(db);
    if (!active) return null;
    const last = db.prepare('SELECT MAX(id) AS id FROM model_activations WHERE model_id = ?').get(active.id) as { id: number | null };
    const before = db
      .prepare('SELECT a.model_id AS modelId FROM model_activations a JOIN models m ON m.id = a.model_id WHERE a.id < ? AND a.model_id != ? ORDER BY a.id DESC LIMIT 1')
      .get(last.id ?? Number.MAX_SAFE_INTEGER, active.id) as { modelId: number } | undefined;
    if (!before) return null;
    db.prepare('DELETE FROM model_activations WHERE id >= ?').run(last.id ?? 0);
    db.prepare('UPDATE models SET active = 0 WHERE active = 1').run();
    db.prepare('UPDATE models SET active = 1 WHERE id = ?').run(before.modelId);
    return { from: active.id, to: before.modelId };
  })();
}

export function loadModel(db: Database, dataDir: string, id?: number): LoadedModel | null {
  const row = id === undefined ? activeModel(db) : (listModels(db).find((m) => m.id === id) ?? null);
  if (!row) return null;
  const file = readTensorFile<ModelFileMeta>(path.join(dataDir, row.file));
  const specs = paramSpecs(file.meta.config);
  const values = new Map<string, Float32Array>();
  for (const spec of specs) {
    const v = file.arrays.get(`w:${spec.name}`);
    if (!v) throw new Error(`${row.file} lacks ${spec.name}`);
    values.set(spec.name, v);
  }
  return {
    id: row.id,
    meta: file.meta,
    weights: { specs, values },
    standardizer: { mean: file.arrays.get('standardizer:mean')!, std: file.arrays.get('standardizer:std')! },
  };
}

export function embeddingToBlob(e: Float32Array): Buffer {
  return Buffer.from(e.buffer, e.byteOffset, e.byteLength);
}

export function trackEmbedding(db: Database, trackId: number, modelId: number): Float32Array | null {
  const row = db.prepare('SELECT embedding FROM track_embeddings WHERE track_id = ? AND model_id = ?').get(trackId, modelId) as { embedding: Buffer } | undefined;
  return row ? blobToFeatures(row.embedding) : null;
}

export interface EmbedResult {
  modelId: number | null;
  embedded: number;
  ms: number;
  songsPerSecond: number;
}

/**
 * Embeds with φ every available track that has current features but no embedding under the model
 * (default: the active one). Needs no tags: a song analysed after training is embedded as it is.
 * Reads the pending rows in keyset pages of `chunk` (only the blob the model reads: the MFCC from
 * track_features, or the clip descriptors from track_model_inputs), embeds
 * and writes each page before reading the next: memory is one page, whatever the library's size.
 * The backend must be selected already (selectBackend).
 */
export async function embedMissing(
  db: Database,
  dataDir: string,
  options: {
    modelId?: number;
    chunk?: number;
    onProgress?: (done: number, total: number) => void;
    /** Checked between pages: a cancel keeps the pages done. */
    isCancelled?: () => boolean;
  } = {},
): Promise<EmbedResult> {
  const started = performance.now();
  const model = loadModel(db, dataDir, options.modelId);
  if (!model) return { modelId: null, embedded: 0, ms: 0, songsPerSecond: 0 };
  const kind = model.meta.config.input ?? 'mfcc';
  // A descriptor model reads the narrow track_model_inputs rows (written with the features rows), never track_features' blobs.
  const source = kind === 'mfcc' ? 'track_features' : 'track_model_inputs';
  const pendingFrom = `FROM ${source} f JOIN tracks t ON t.id = f.track_id
       LEFT JOIN track_embeddings e ON e.track_id = f.track_id AND e.model_id = ? AND e.feature_version = f.feature_version
       WHERE f.feature_version = ? AND e.track_id IS NULL`;
  const total = (db.prepare(`SELECT COUNT(*) AS n ${pendingFrom}`).get(model.id, model.meta.featureVersion) as { n: number }).n;
  if (total === 0) return { modelId: model.id, embedded: 0, ms: performance.now() - started, songsPerSecond: 0 };
  const column = kind === 'mfcc' ? 'f.features AS features, NULL AS descriptors' : 'NULL AS features, f.clip_descriptors AS descriptors';
  const page = db.prepare(`SELECT f.track_id AS trackId, ${column} ${pendingFrom} AND f.track_id > ? ORDER BY f.track_id LIMIT ?`);
  // TF.js is loaded here, on the first embedding: what only reads models (the reader worker) never loads it.
  const [{ Network }, { embedRows }] = await Promise.all([import('./network.ts'), import('./step.ts')]);
  const net = new Network(model.meta.config, model.weights);
  let embedded = 0;
  try {
    const insert = db.prepare(
      `INSERT INTO track_embeddings (track_id, model_id, embedding, feature_version) VALUES (?, ?, ?, ?)
       ON CONFLICT(track_id, model_id) DO UPDATE SET embedding = excluded.embedding, feature_version = excluded.feature_version`,
    );
    const chunk = Math.max(1, options.chunk ?? 2048);
    const width = model.meta.config.itemInput;
    const e = model.meta.config.embedding;
    const data = new Float32Array(chunk * width);
    let after = 0;
    for (;;) {
      if (options.isCancelled?.()) break;
      const part = page.all(model.id, model.meta.featureVersion, after, chunk) as { trackId: number; features: Buffer | null; descriptors: Buffer | null }[];
      if (part.length === 0) break;
      part.forEach((row, i) => {
        const f = modelInputOf(kind, row);
        if (!f || f.length !== width) throw new Error(`track ${row.trackId} lacks the input this model reads: run \`cadenza analyze\``);
        for (let d = 0; d < width; d++) data[i * width + d] = (f[d]! - model.standardizer.mean[d]!) / model.standardizer.std[d]!;
      });
      const emb = await embedRows(net, { data: data.subarray(0, part.length * width), rows: part.length, width });
      db.transaction(() => {
        part.forEach((row, i) => insert.run(row.trackId, model.id, embeddingToBlob(emb.slice(i * e, (i + 1) * e)), model.meta.featureVersion));
      })();
      embedded += part.length;
      after = part.at(-1)!.trackId;
      options.onProgress?.(embedded, Math.max(total, embedded));
    }
  } finally {
    net.dispose();
  }
  const ms = performance.now() - started;
  return { modelId: model.id, embedded, ms, songsPerSecond: (embedded * 1000) / Math.max(1, ms) };
}

/** Checkpoints in one file, `<data dir>/models/checkpoint-<objective>.cdzt`, replaced atomically. */
export function fileCheckpointStore(dataDir: string, objective: string): CheckpointStore {
  const file = path.join(modelsDir(dataDir), `checkpoint-${objective}.cdzt`);
  type Meta = Omit<Checkpoint, 'weights' | 'velocity' | 'best'> & { hasBest: boolean };
  return {
    load(key) {
      if (!fs.existsSync(file)) return null;
      try {
        const { meta, arrays } = readTensorFile<Meta>(file);
        if (meta.key !== key) return null;
        const pick = (prefix: string) => new Map([...arrays].filter(([n]) => n.startsWith(prefix)).map(([n, v]) => [n.slice(prefix.length), v]));
        const { hasBest, ...rest } = meta;
        return { ...rest, weights: pick('w:'), velocity: pick('v:'), best: hasBest ? pick('b:') : null };
      } catch {
        return null; // an unreadable checkpoint is ignored: training starts over
      }
    },
    save(c) {
      const { weights, velocity, best, ...meta } = c;
      const arrays = new Map<string, Float32Array>();
      for (const [n, v] of weights) arrays.set(`w:${n}`, v);
      for (const [n, v] of velocity) arrays.set(`v:${n}`, v);
      if (best) for (const [n, v] of best) arrays.set(`b:${n}`, v);
      writeTensorFile(file, { ...meta, hasBest: best !== null }, arrays);
    },
    clear() {
      fs.rmSync(file, { force: true });
    },
  };
}
