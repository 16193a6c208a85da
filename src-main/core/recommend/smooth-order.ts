/**
 * Smooth order (issue 16, item 4): reorders songs so that consecutive ones are close — nearest
 * neighbour from a chosen first song, then 2-opt (reverse a stretch when that shortens the walk) and
 * or-opt (move a run of 1–3 songs elsewhere, either way round) until neither helps. An open path: the first song stays first, the last is free. `smoothOrder` is
 * pure (a distance matrix in, an order out); `orderTracks` applies it to tracks of an index with the
 * learned D over φ (mix-distance.ts).
 */
import { mixDistance } from './mix-distance.ts';
import { RecommendError, type RecommendIndex } from './recommender.ts';

/** Songs one smooth order takes at most (the distance matrix is m² floats: 36 MB at 3,000). */
export const MAX_SMOOTH_SONGS = 3000;

/** The walk's length: the sum of consecutive distances. */
export function pathLength(dist: Float32Array, m: number, order: readonly number[]): number {
  let total = 0;
  for (let k = 1; k < order.length; k++) total += dist[order[k - 1]! * m + order[k]!]!;
  return total;
}

/** The largest and mean step of a walk. */
export function stepStats(dist: Float32Array, m: number, order: readonly number[]): { largest: number; mean: number } {
  let largest = 0;
  for (let k = 1; k < order.length; k++) largest = Math.max(largest, dist[order[k - 1]! * m + order[k]!]!);
  return { largest, mean: order.length > 1 ? pathLength(dist, m, order) / (order.length - 1) : 0 };
}

/**
 * An order of the m songs of `dist` (m × m, symmetric) starting at `first`: nearest neighbour, then
 * 2-opt and or-opt moves until none shortens the walk (at most `maxPasses` sweeps; 0 = greedy only).
 */
export function smoothOrder(dist: Float32Array, m: number, first = 0, maxPasses = 100): number[] {
  if (m === 0) return [];
  if (!(first >= 0 && first < m)) throw new RangeError(`the first song must be one of the ${m}`);
  const order = [first];
  const used = new Uint8Array(m);
  used[first] = 1;
  for (let k = 1; k < m; k++) {
    const last = order[k - 1]!;
    let best = -1;
    for (let j = 0; j < m; j++) if (!used[j] && (best < 0 || dist[last * m + j]! < dist[last * m + best]!)) best = j;
    order.push(best);
    used[best] = 1;
  }
  for (let pass = 0; pass < maxPasses; pass++) {
    const reversed = twoOpt(dist, m, order);
    const moved = orOpt(dist, m, order);
    if (!reversed && !moved) break;
  }
  return order;
}

const EPS = 1e-7;

/** One sweep of 2-opt over the open path (order[0] fixed); true if any reversal shortened it. */
export function twoOpt(dist: Float32Array, m: number, order: number[]): boolean {
  const d = (a: number, b: number) => dist[order[a]! * m + order[b]!]!;
  let improved = false;
  for (let i = 1; i < m - 1; i++) {
    for (let j = i + 1; j < m; j++) {
      // Reversing order[i..j]: the edges (i−1, i) and (j, j+1) become (i−1, j) and (i, j+1).
      let delta = d(i - 1, j) - d(i - 1, i);
      if (j + 1 < m) delta += d(i, j + 1) - d(j, j + 1);
      if (delta < -EPS) {
        for (let a = i, b = j; a < b; a++, b--) [order[a], order[b]] = [order[b]!, order[a]!];
        improved = true;
      }
    }
  }
  return improved;
}

/** One sweep of or-opt: a run of 1–3 songs (not the first) moved between two others, either way round. */
function orOpt(dist: Float32Array, m: number, order: number[]): boolean {
  const d = (a: number, b: number) => dist[a * m + b]!;
  let improved = false;
  for (let len = 1; len <= 3; len++) {
    for (let i = 1; i + len <= m; i++) {
      const head = order[i]!;
      const tail = order[i + len - 1]!;
      const before = order[i - 1]!;
      const after = i + len < m ? order[i + len]! : -1;
      const gain = d(before, head) + (after >= 0 ? d(tail, after) - d(before, after) : 0);
      let best = -EPS;
      let bestAt = -1;
      let bestFlip = false;
      // Insert between order[j] and order[j + 1] (j outside the run and not its left neighbour).
      for (let j = 0; j < m; j++) {
        if (j >= i - 1 && j <= i + len - 1) continue;
        const left = order[j]!;
        const right = j + 1 < m ? order[j + 1]! : -1;
        const base = right >= 0 ? d(left, right) : 0;
        for (const flip of [false, true]) {
          const a = flip ? tail : head;
          const b = flip ? head : tail;
          const cost = d(left, a) + (right >= 0 ? d(b, right) : 0) - base;
          if (cost - gain < best) {
            best = cost - gain;
            bestAt = j;
            bestFlip = flip;
          }
        }
      }
      if (bestAt < 0) continue;
      const run = order.splice(i, len);
      if (bestFlip) run.reverse();
      const at = bestAt < i ? bestAt + 1 : bestAt + 1 - len;
      order.splice(at, 0, ...run);
      improved = true;
    }
  }
  return improved;
}

export interface SmoothOrderResult {
  /** The new order: the ordered songs, then those without an embedding in their old order. */
  trackIds: number[];
  /** Walk length (sum of consecutive D over the embedded songs) before and after. */
  before: number;
  after: number;
  /** Tracks that could not be placed (no embedding under the active model, or unavailable). */
  unplaced: number[];
}

/** Reorders tracks (ids, repeats allowed) into a smooth walk from `firstId` (default: the current first). */
export function orderTracks(index: RecommendIndex, trackIds: readonly number[], firstId?: number): SmoothOrderResult {
  if (!index.model) throw new RecommendError('no trained model: run `cadenza train`');
  const placed: number[] = [];
  const ids: number[] = [];
  const unplaced: number[] = [];
  for (const id of trackIds) {
    const i = index.indexOf(id);
    if (i === undefined) unplaced.push(id);
    else {
      placed.push(i);
      ids.push(id);
    }
  }
  if (placed.length > MAX_SMOOTH_SONGS)
    throw new RecommendError(`a smooth order takes at most ${MAX_SMOOTH_SONGS} songs, got ${placed.length}`);
  let first = 0;
  if (firstId !== undefined) {
    first = ids.indexOf(firstId);
    if (first < 0) throw new RecommendError(`track ${firstId} is not among the songs to order (or has no embedding)`);
  }
  const m = placed.length;
  const dist = mixDistance(index).among(placed);
  const original = Array.from({ length: m }, (_, k) => k);
  const order = smoothOrder(dist, m, first);
  return {
    trackIds: [...order.map((k) => ids[k]!), ...unplaced],
    before: pathLength(dist, m, original),
    after: pathLength(dist, m, order),
    unplaced,
  };
}
