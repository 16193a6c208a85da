/**
 * The app's side of the recommendations: one RecommendIndex kept for the running app (rebuilt lazily
 * after a library change, a model change or new embeddings), the API's result shapes, model info and the
 * 2-D map of the embeddings (PCA in plain loops). The ranking itself lives in core/recommend.
 */
import type { Database } from 'better-sqlite3';
import type { EmbeddingMap, MapPoint, ModelInfo, RecommendedTrack } from '../../api/types.ts';
import { activeModel, isModelCurrent, listModels } from '../model/store.ts';
import { topicVector, userEmbedding } from '../recommend/model-math.ts';
import { RecommendIndex, type Recommendation } from '../recommend/recommender.ts';
import { getTracks } from './track-query.ts';

export class RecommendIndexHolder {
  private index: RecommendIndex | null = null;
  private stale = true;

  constructor(
    private readonly db: () => Database,
    private readonly dataDir: string,
  ) {}

  /** Marks the index out of date: the next query rebuilds it. */
  invalidate(): void {
    this.stale = true;
  }

  /** The index of the active model (null without one), rebuilt if marked stale or the active model changed. */
  get(): RecommendIndex | null {
    const active = activeModel(this.db());
    if (this.stale || (this.index?.model?.id ?? null) !== (active?.id ?? null)) {
      this.index = active ? RecommendIndex.load(this.db(), this.dataDir) : null;
      this.stale = false;
    }
    return this.index;
  }

  require(): RecommendIndex {
    const index = this.get();
    if (!index) throw new Error('no trained model yet: train one in Settings → Model (or run `cadenza train`)');
    return index;
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

/** The 2-D map of the index's embeddings, coloured by dominant topic, with π(selection) as a point. */
export function embeddingMap(db: Database, index: RecommendIndex | null, topics: readonly number[] = []): EmbeddingMap {
  if (!index?.model || index.count === 0) return { modelId: index?.model?.id ?? null, points: [], selection: null };
  const d = index.model.meta.config.embedding;
  const n = index.count;
  const data = new Float32Array(n * d);
  for (let i = 0; i < n; i++) data.set(index.scorer.item(i).subarray(0, d), i * d);
  const { mean, axes } = principalAxes(data, n, d);
  const dominant = new Map<number, number>();
  const rows = db
    .prepare(
      'SELECT tt.track_id AS id, tt.dominant AS dominant FROM track_topics tt JOIN topic_models m ON m.id = tt.model_id WHERE m.active = 1',
    )
    .all() as { id: number; dominant: number }[];
  for (const r of rows) dominant.set(r.id, r.dominant);
  const points: MapPoint[] = index.tracks.map((t, i) => ({
    trackId: t.id,
    ...project(data.subarray(i * d, (i + 1) * d), mean, axes),
    topic: dominant.get(t.id) ?? null,
    title: t.title,
    artist: t.artist,
    path: t.path,
  }));
  const k = index.model.meta.config.userInput;
  const valid = topics.filter((t) => t >= 1 && t <= k);
  const selection = valid.length ? project(userEmbedding(index.model, topicVector(valid, k)), mean, axes) : null;
  return { modelId: index.model.id, points, selection };
}
