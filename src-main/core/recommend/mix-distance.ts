/**
 * The distance song paths and smooth orders walk by: the learned D over φ (the model's item–item
 * distance, distance-kernel.ts), shifted so that a song is at 0 from itself and clipped at 0 (D has no
 * fixed offset: D(a, a) is the same constant for every a). Rows over the whole index use the index's
 * scorer; distances among a few hundred candidates use a second scorer holding only them.
 */
import { distanceScorer, type DistanceScorer } from './distance-kernel.ts';
import { distanceLayers } from './model-math.ts';
import type { RecommendIndex } from './recommender.ts';

export class MixDistance {
  /** D(a, a): the offset every distance is measured from. */
  readonly self: number;
  private readonly pool: DistanceScorer;

  constructor(private readonly index: RecommendIndex) {
    if (!index.model) throw new Error('a mix distance needs a trained model');
    this.pool = distanceScorer(distanceLayers(index.model));
    const dim = index.scorer.dim;
    this.pool.setItems(new Float32Array(dim));
    this.self = this.pool.score(new Float32Array(dim))[0]!;
  }

  /** Distances from an embedding-space point to every indexed song (a fresh array). */
  fromPoint(point: Float32Array): Float32Array {
    const scores = this.index.scorer.score(point);
    const out = new Float32Array(scores.length);
    for (let i = 0; i < out.length; i++) out[i] = Math.max(0, scores[i]! - this.self);
    return out;
  }

  /** Distances from indexed song i to every indexed song (a fresh array). */
  row(i: number): Float32Array {
    return this.fromPoint(Float32Array.from(this.index.scorer.item(i)));
  }

  /** The embedding of song i (a copy). */
  point(i: number): Float32Array {
    return Float32Array.from(this.index.scorer.item(i));
  }

  /** The m × m distances among the given songs (row-major, symmetric, 0 on the diagonal). */
  among(songs: readonly number[]): Float32Array {
    const m = songs.length;
    const dim = this.index.scorer.dim;
    const items = new Float32Array(m * dim);
    songs.forEach((s, k) => items.set(this.index.scorer.item(s), k * dim));
    this.pool.setItems(items);
    const out = new Float32Array(m * m);
    for (let a = 0; a < m; a++) {
      const scores = this.pool.score(items.subarray(a * dim, (a + 1) * dim));
      for (let b = 0; b < m; b++) out[a * m + b] = a === b ? 0 : Math.max(0, scores[b]! - this.self);
    }
    // D is symmetric in exact arithmetic; average away the float noise so 2-opt's deltas are consistent.
    for (let a = 0; a < m; a++)
      for (let b = a + 1; b < m; b++) out[a * m + b] = out[b * m + a] = (out[a * m + b]! + out[b * m + a]!) / 2;
    return out;
  }
}

const cache = new WeakMap<RecommendIndex, MixDistance>();

export function mixDistance(index: RecommendIndex): MixDistance {
  let d = cache.get(index);
  if (!d) cache.set(index, (d = new MixDistance(index)));
  return d;
}
