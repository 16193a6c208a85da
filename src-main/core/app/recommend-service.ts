/**
 * The app's side of the recommendations: one RecommendIndex kept for the running app (in the reader
 * worker; rebuilt after a library change, a model change or new embeddings), the API's result shapes,
 * model info and the 2-D map of the embeddings (PCA in plain loops). The ranking lives in core/recommend.
 */
import type { Database } from 'better-sqlite3';
import { MAP_RESOLUTION, type EmbeddingMap, type MapSelection, type ModelInfo, type RecommendedTrack } from '../../api/types.ts';
import { activeModel, isModelCurrent, listModels, type LoadedModel } from '../model/store.ts';
import { topicVector, userEmbedding } from '../recommend/model-math.ts';
import { RecommendIndex, type Recommendation } from '../recommend/recommender.ts';
import { databaseVersion } from '../db/until-change.ts';
import type { IndexStatus } from './reader-messages.ts';
import { getTracks } from './track-query.ts';

/** A build that was overtaken (the data changed, or the worker is closing): its result is dropped. */
class AbandonedBuild extends Error {}

/**
 * What an index depends on, read in a few index lookups: the active model and how many songs it has
 * embedded, the active topic model (the lane table, the map's colours), and the tracks (count, last id).
 * Checked only after a commit (databaseVersion), so a model activated or songs embedded by another
 * process (the CLI) are picked up on the next query without a rebuild per query.
 */
function dataFingerprint(db: Database): string {
  const row = db
    .prepare(
      `SELECT (SELECT id FROM models WHERE active = 1) AS model,
              (SELECT COUNT(*) FROM track_embeddings WHERE model_id = (SELECT id FROM models WHERE active = 1)) AS embedded,
              (SELECT id FROM topic_models WHERE active = 1) AS topics,
              (SELECT COUNT(*) FROM tracks) AS tracks, (SELECT MAX(id) FROM tracks) AS lastTrack`,
    )
    .raw()
    .get() as unknown[];
  return row.join(':');
}

/**
 * The one RecommendIndex of the running app (held by the reader worker). Built page by page, handing the
 * thread back between pages; rebuilt when marked stale (any library.changed), when the data it was built
 * from changed (dataFingerprint), or when the active model is another. A caller during a build waits for
 * that build; a build overtaken by a change is abandoned and started again, so no answer comes from an
 * index older than the last change the caller could have seen.
 */
export class RecommendIndexCache {
  private index: RecommendIndex | null = null;
  private fingerprint: string | null = null;
  private checkedAt: string | null = null;
  private stale = true;
  private generation = 0;
  private building: Promise<void> | null = null;
  private closed = false;
  private lastBuildMs: number | null = null;
  private builds = 0;

  constructor(
    private readonly db: Database,
    private readonly dataDir: string,
    private readonly pageRows?: number,
  ) {}

  /** Marks the index out of date: a build under way is abandoned, the next get() builds again. */
  invalidate(): void {
    this.stale = true;
    this.generation++;
  }

  /** Abandons any build; get() refuses from now on. */
  close(): void {
    this.closed = true;
    this.generation++;
  }

  /** The index of the active model (null without one), current with the data. */
  async get(): Promise<RecommendIndex | null> {
    for (;;) {
      if (this.closed) throw new Error('the app is closing');
      if (this.building) {
        await this.building;
        continue;
      }
      if (!this.outOfDate()) return this.index;
      this.building = this.build().finally(() => (this.building = null));
    }
  }

  async require(): Promise<RecommendIndex> {
    const index = await this.get();
    if (!index) throw new Error('no trained model yet: train one in Settings → Model (or run `cadenza train`)');
    return index;
  }

  /** The index if it is built and current, without waiting (null otherwise). */
  ready(): RecommendIndex | null {
    return this.building || this.outOfDate() ? null : this.index;
  }

  status(): IndexStatus {
    const state = this.building ? 'building' : this.outOfDate() ? 'stale' : this.index ? 'ready' : 'none';
    return {
      state,
      modelId: this.index?.model?.id ?? null,
      songs: this.index?.count ?? 0,
      lastBuildMs: this.lastBuildMs,
      builds: this.builds,
    };
  }

  private outOfDate(): boolean {
    if (this.stale) return true;
    const version = databaseVersion(this.db);
    if (version === this.checkedAt) return false;
    this.checkedAt = version;
    if (dataFingerprint(this.db) === this.fingerprint) return false;
    this.stale = true;
    return true;
  }

  private async build(): Promise<void> {
    const generation = this.generation;
    // Read before the rows: a change committed during the build moves the version, and the next get() checks again.
    const version = databaseVersion(this.db);
    const fingerprint = dataFingerprint(this.db);
    const started = performance.now();
    const between = async () => {
      await new Promise((resolve) => setImmediate(resolve));
      if (generation !== this.generation) throw new AbandonedBuild();
    };
    try {
      const index = await RecommendIndex.build(this.db, this.dataDir, between, this.pageRows ? { pageRows: this.pageRows } : {});
      if (generation !== this.generation) return;
      this.index = index;
      this.fingerprint = fingerprint;
      this.checkedAt = version;
      this.stale = false;
      this.lastBuildMs = performance.now() - started;
      this.builds++;
    } catch (error) {
      if (!(error instanceof AbandonedBuild)) throw error;
    }
  }
}

/** Library rows for the recommendations, in ranking order, each with its distance and explanation. */
export function toRecommended(db: Database, recs: readonly Recommendation[]): RecommendedTrack[] {
  const rows = new Map(
    getTracks(
      db,
      recs.map((r) => r.id),
    ).map((row) => [row.id, row]),
  );
  const out: RecommendedTrack[] = [];
  for (const r of recs) {
    const row = rows.get(r.id);
    if (row) out.push({ ...row, distance: r.distance, why: r.why });
  }
  return out;
}

export function modelInfo(db: Database): ModelInfo {
  const models = listModels(db);
  const active = activeModel(db);
  const feedbackEvents = (db.prepare('SELECT COUNT(*) AS n FROM feedback_events').get() as { n: number }).n;
  if (!active) return { active: null, models: models.length, canRollback: false, feedbackEvents };
  const embedded = (db.prepare('SELECT COUNT(*) AS n FROM track_embeddings WHERE model_id = ?').get(active.id) as { n: number })
    .n;
  const earlier = (
    db
      .prepare('SELECT COUNT(*) AS n FROM model_activations a JOIN models m ON m.id = a.model_id WHERE a.model_id != ?')
      .get(active.id) as {
      n: number;
    }
  ).n;
  return {
    active: {
      id: active.id,
      createdAt: active.createdAt,
      valAccuracy: active.valAccuracy,
      backend: active.backend,
      device: active.device,
      definition: active.definition,
      embedded,
      current: isModelCurrent(db, active),
    },
    models: models.length,
    canRollback: earlier > 0,
    feedbackEvents,
  };
}

/**
 * The first two principal components of the rows (n × d, row-major), by power iteration with deflation
 * on the d × d covariance: returns the mean and the two unit axes.
 */
export function principalAxes(
  data: Float32Array,
  n: number,
  d: number,
): { mean: Float64Array; axes: [Float64Array, Float64Array] } {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += data[i * d + j]! / Math.max(1, n);
  const cov = new Float64Array(d * d);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < d; a++) {
      const xa = data[i * d + a]! - mean[a]!;
      for (let b = 0; b < d; b++) cov[a * d + b]! += xa * (data[i * d + b]! - mean[b]!);
    }
  }
  const axis = (): Float64Array => {
    let v = Float64Array.from({ length: d }, (_, j) => 1 / Math.sqrt(d) + j * 1e-3);
    for (let iter = 0; iter < 200; iter++) {
      const next = new Float64Array(d);
      for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) next[a]! += cov[a * d + b]! * v[b]!;
      const norm = Math.hypot(...next);
      if (norm < 1e-12) break;
      for (let a = 0; a < d; a++) next[a]! /= norm;
      v = next;
    }
    return v;
  };
  const first = axis();
  // Deflate: remove the first component's variance, then find the next.
  let lambda = 0;
  for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) lambda += first[a]! * cov[a * d + b]! * first[b]!;
  for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) cov[a * d + b]! -= lambda * first[a]! * first[b]!;
  let second = axis();
  // Keep it orthogonal to the first even when the remaining variance is ~0.
  const dot = second.reduce((s, v, j) => s + v * first[j]!, 0);
  second = second.map((v, j) => v - dot * first[j]!);
  const norm = Math.hypot(...second) || 1;
  second = second.map((v) => v / norm);
  return { mean, axes: [first, second] };
}

function project(v: ArrayLike<number>, mean: Float64Array, axes: [Float64Array, Float64Array]): { x: number; y: number } {
  let x = 0;
  let y = 0;
  for (let j = 0; j < mean.length; j++) {
    const c = v[j]! - mean[j]!;
    x += c * axes[0][j]!;
    y += c * axes[1][j]!;
  }
  return { x, y };
}

interface Projection {
  topicModelId: number | null;
  mean: Float64Array;
  axes: [Float64Array, Float64Array];
  /** The points' bounding box, for quantising positions (and the selection) alike. */
  box: { minX: number; minY: number; spanX: number; spanY: number };
  map: Omit<EmbeddingMap, 'selection'>;
}

// One projection per index (it is rebuilt whenever the library, the model or the embeddings change) and
// topic model (the colours): the PCA over 100,000 × 32 values runs once, not on every topic toggle.
const projections = new WeakMap<RecommendIndex, Projection>();
const PCA_SAMPLE = 8192;

function activeTopicModelId(db: Database): number | null {
  return (db.prepare('SELECT id FROM topic_models WHERE active = 1').get() as { id: number } | undefined)?.id ?? null;
}

function projection(db: Database, index: RecommendIndex, model: LoadedModel): Projection {
  const topicModelId = activeTopicModelId(db);
  const cached = projections.get(index);
  if (cached && cached.topicModelId === topicModelId) return cached;
  const d = model.meta.config.embedding;
  const n = index.count;
  const data = new Float32Array(n * d);
  for (let i = 0; i < n; i++) data.set(index.scorer.item(i).subarray(0, d), i * d);
  // The axes from an even sample of the songs: the covariance costs n × d² and a few thousand rows pin
  // two axes of a 32-d cloud as well as 100,000 do.
  const step = Math.max(1, Math.floor(n / PCA_SAMPLE));
  const sampled = step === 1 ? data : new Float32Array(Math.ceil(n / step) * d);
  if (step > 1) for (let i = 0, j = 0; i < n; i += step, j++) sampled.set(data.subarray(i * d, (i + 1) * d), j * d);
  const { mean, axes } = principalAxes(sampled, sampled.length / d, d);
  const px = new Float64Array(n);
  const py = new Float64Array(n);
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < n; i++) {
    const p = project(data.subarray(i * d, (i + 1) * d), mean, axes);
    px[i] = p.x;
    py[i] = p.y;
    minX = Math.min(minX, p.x);
    maxX = Math.max(maxX, p.x);
    minY = Math.min(minY, p.y);
    maxY = Math.max(maxY, p.y);
  }
  const box = { minX, minY, spanX: maxX - minX || 1, spanY: maxY - minY || 1 };
  const dominant = new Map<number, number>();
  const rows = db
    .prepare('SELECT track_id AS id, dominant FROM track_topics WHERE model_id = ?')
    .raw()
    .iterate(topicModelId ?? -1) as IterableIterator<[number, number | null]>;
  for (const [id, topic] of rows) if (topic !== null) dominant.set(id, topic);
  const ids = new Array<number>(n);
  const xy = new Array<number>(2 * n);
  const topics = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const id = index.tracks.id(i);
    ids[i] = id;
    xy[2 * i] = quantise(px[i]!, box.minX, box.spanX);
    xy[2 * i + 1] = quantise(py[i]!, box.minY, box.spanY);
    topics[i] = dominant.get(id) ?? 0;
  }
  const made: Projection = { topicModelId, mean, axes, box, map: { modelId: model.id, ids, xy, topics } };
  projections.set(index, made);
  return made;
}

/** A position on an axis as an integer 0..MAP_RESOLUTION-1 of the box (outside it for a point beyond). */
function quantise(v: number, min: number, span: number): number {
  return Math.round(((v - min) / span) * (MAP_RESOLUTION - 1));
}

/**
 * The 2-D map of the index's embeddings (ids, quantised positions, dominant topics: no names), with
 * π(selection) as a point in the same coordinates.
 */
export function embeddingMap(db: Database, index: RecommendIndex | null, topics: readonly number[] = []): EmbeddingMap {
  const { modelId, selection } = mapSelection(db, index, topics);
  if (!index?.model || index.count === 0) return { modelId, ids: [], xy: [], topics: [], selection };
  return { ...projection(db, index, index.model).map, selection };
}

/** Where the selected topics' point π(k-hot) lies on the map (null without a selection or a map). */
export function mapSelection(db: Database, index: RecommendIndex | null, topics: readonly number[] = []): MapSelection {
  const modelId = index?.model?.id ?? null;
  if (!index?.model || index.count === 0) return { modelId, selection: null };
  const k = index.model.meta.config.userInput;
  const valid = topics.filter((t) => t >= 1 && t <= k);
  if (valid.length === 0) return { modelId, selection: null };
  const { mean, axes, box } = projection(db, index, index.model);
  const p = project(userEmbedding(index.model, topicVector(valid, k)), mean, axes);
  return { modelId, selection: { x: quantise(p.x, box.minX, box.spanX), y: quantise(p.y, box.minY, box.spanY) } };
}
