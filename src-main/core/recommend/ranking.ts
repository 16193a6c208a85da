/**
 * Turning one pass of distances into a queue: the candidate pool, the feedback adjustment (a liked
 * track's neighbours rise, a disliked track's neighbours fall), the "adventurous" sampling and the
 * queue rules (no track twice, excluded tracks, one song once, artist spacing). Pure: arrays in,
 * indices out; the database side is in recommender.ts.
 */
import { createRng } from '../topics/rng.ts';
import type { TasteDirection } from './taste.ts';
import { MixState, type MixLimits, type RankTracks } from './mix-rules.ts';
import { smallestK } from './top-k.ts';

export type { RankTracks } from './mix-rules.ts';

/** A liked or disliked track and its nearest neighbours (by D over φ, itself excluded). */
export interface FeedbackAnchor {
  index: number;
  sign: 1 | -1; // +1 liked (neighbours rise), −1 disliked (neighbours fall)
  neighbours: Int32Array;
  /** D to each neighbour, ascending. */
  distances: Float32Array;
}

export interface RankOptions extends MixLimits {
  n: number;
  /** Indices never to return (seeds, recently played, disliked, the current queue). */
  exclude: ReadonlySet<number>;
  /** Song keys never to return (the seeds' and recently played songs under other files). */
  excludeSongs?: ReadonlySet<number>;
  /** Only tracks it accepts may be returned (e.g. a tempo range). */
  allow?: (i: number) => boolean;
  /**
   * A secondary preference inside the pool, in units of the pool's score range added to the score
   * (negative = better): e.g. "more energetic" shifts energetic songs up without leaving the pool.
   */
  shift?: (i: number) => number;
  /** 0 = deterministic top; > 0 samples beyond it (Gumbel top-k at this temperature). */
  adventurous?: number;
  seed?: number;
  anchors?: readonly FeedbackAnchor[];
  /** How strongly feedback moves neighbours, in units of the pool's score range. Default 0.5. */
  feedbackWeight?: number;
  /** The session's taste direction (taste.ts): every pooled track moves by tasteWeight · range per sd. */
  taste?: TasteDirection | null;
  /** Default TASTE_WEIGHT. */
  tasteWeight?: number;
  /**
   * Lanes on one scale (a blend of topics): a track goes only to the lane that scores it best (ties:
   * the earlier lane), so a song between two topics stands for the one it is closer to.
   */
  exclusiveLanes?: boolean;
}

export interface Ranked {
  index: number;
  /** The lane's score (D to the query for a plain ranking), before any adjustment. */
  distance: number;
  /** The liked anchor that lifted it, if any. */
  likedAnchor: number | null;
  /** The lane it was taken from (0 for a single ranking). */
  lane: number;
}

/** How far one standard deviation along the taste direction moves a track, in units of the pool's score range. */
export const TASTE_WEIGHT = 1;

/** One ranking the queue draws from: in a blend, one selected topic's share. */
export interface Lane {
  /** Lower = better, one per indexed track. */
  scores: Float32Array;
  /** The lane's share of the queue is weight / (sum of weights). */
  weight: number;
}

/**
 * Ranks `scores` (lower = better) into a queue of at most n. The pool grows until the rules are met or
 * every track was considered, so a small queue over a million songs costs one top-k pass.
 */
export function rankQueue(tracks: RankTracks, scores: Float32Array, options: RankOptions): Ranked[] {
  return blendQueue(tracks, [{ scores, weight: 1 }], options);
}

/**
 * A queue drawn from several rankings at once: each lane fills its share (weight / total) with its own
 * best songs, interleaved by the largest remaining claim (Sainte-Laguë order: equal weights alternate,
 * 2 : 1 gives A B A A B A …), so no lane comes in a run longer than its weight ratio. A track or song
 * taken by one lane is never taken again by another; every queue rule of rankQueue holds across lanes.
 * A lane that has nothing left that fits gives its turn to the next.
 */
export function blendQueue(tracks: RankTracks, lanes: readonly Lane[], options: RankOptions): Ranked[] {
  const n = Math.max(0, Math.floor(options.n));
  if (n === 0 || tracks.count === 0 || !lanes.some(usable)) return [];
  const temperature = Math.max(0, options.adventurous ?? 0);
  const spacing = Math.max(0, Math.floor(options.artistSpacing ?? 1));
  const anchors = options.anchors ?? [];
  const taste = options.taste ?? null;
  const tasteWeight = Math.max(0, options.tasteWeight ?? TASTE_WEIGHT);
  const allow = options.allow;
  const excluded = allow ? (i: number) => options.exclude.has(i) || !allow(i) : (i: number) => options.exclude.has(i);
  let poolSize = Math.min(tracks.count, Math.max(64, n * (4 + Math.ceil(temperature * 20)) + 8 * spacing));
  for (;;) {
    const orders = lanes.map((lane, l) => {
      if (!usable(lane)) return { order: [], liftedBy: new Map<number, number>() };
      let pool = smallestK(lane.scores, poolSize, excluded);
      const scale = scaleOf(lane.scores, pool, n);
      let scores = lane.scores;
      if (taste && tasteWeight > 0) {
        // The taste moves every track, so the pool is the best of the moved scores (tracks it lifts join).
        scores = moveByTaste(lane.scores, taste.scores(tracks.count), tasteWeight * scale.range);
        pool = smallestK(scores, poolSize, excluded);
      }
      const considered = new Set(pool);
      for (const a of anchors) {
        if (a.sign < 0) continue;
        for (const i of a.neighbours) {
          if (considered.has(i) || excluded(i)) continue;
          considered.add(i);
          pool.push(i);
        }
      }
      return laneOrder(scores, pool, scale, {
        temperature,
        anchors,
        weight: options.feedbackWeight ?? 0.5,
        seed: (options.seed ?? 1) + l * 7919,
        shift: options.shift,
      });
    });
    const state = new MixState(tracks, options, options.excludeSongs);
    const { queue, ranDry } = interleave(lanes, orders, state, { n, exclusive: options.exclusiveLanes === true });
    const exhausted = poolSize >= tracks.count;
    if (exhausted || (queue.length >= n && !ranDry)) return queue;
    poolSize = Math.min(tracks.count, poolSize * 4);
  }
}

const usable = (lane: Lane): boolean => lane.weight > 0 && Number.isFinite(lane.weight);

interface LaneOrder {
  order: number[];
  liftedBy: Map<number, number>;
}

/** The unit of every adjustment: the lane's own best score and its range over the first 4n (D has no fixed unit). */
interface LaneScale {
  lo: number;
  range: number;
}

function scaleOf(scores: Float32Array, pool: readonly number[], n: number): LaneScale {
  if (pool.length === 0) return { lo: 0, range: 1 };
  const sorted = pool.map((i) => scores[i]!).sort((a, b) => a - b);
  const lo = sorted[0]!;
  const hi = sorted[Math.min(sorted.length - 1, n * 4)]!;
  return { lo, range: hi - lo > 1e-9 ? hi - lo : 1 };
}

/**
 * scores − by · taste, for every track (one pass: a few ms at 100,000 tracks), into one scratch buffer
 * reused by every lane and query: the lanes are ordered one after another and keep only indices, and a
 * fresh 400-kB array per lane and query was garbage the collector paused for.
 */
let tasteScratch = new Float32Array(0);
function moveByTaste(scores: Float32Array, taste: Float32Array, by: number): Float32Array {
  if (tasteScratch.length !== scores.length) tasteScratch = new Float32Array(scores.length);
  const out = tasteScratch;
  for (let i = 0; i < scores.length; i++) out[i] = scores[i]! - by * taste[i]!;
  return out;
}

/** One lane's pool in the order it offers its songs: feedback applied, then sampled if adventurous. */
function laneOrder(
  scores: Float32Array,
  pool: number[],
  { lo, range }: LaneScale,
  o: {
    temperature: number;
    anchors: readonly FeedbackAnchor[];
    weight: number;
    seed: number;
    shift: ((i: number) => number) | undefined;
  },
): LaneOrder {
  const liftedBy = new Map<number, number>();
  if (pool.length === 0) return { order: [], liftedBy };
  const adjusted = new Map<number, number>();
  for (const i of pool) adjusted.set(i, scores[i]! + (o.shift ? range * o.shift(i) : 0));
  for (const a of o.anchors) {
    const far = a.distances[a.distances.length - 1] ?? 0;
    a.neighbours.forEach((i, r) => {
      const current = adjusted.get(i);
      if (current === undefined) return;
      const closeness = far > 0 ? Math.max(0, 1 - a.distances[r]! / (far * 1.0001)) : 1;
      adjusted.set(i, current - a.sign * o.weight * range * (0.25 + 0.75 * closeness));
      if (a.sign > 0 && !liftedBy.has(i)) liftedBy.set(i, a.index);
    });
  }
  const order = [...adjusted.keys()];
  if (o.temperature > 0) {
    const rng = createRng(o.seed);
    const key = new Map<number, number>();
    for (const i of order) {
      const gumbel = -Math.log(-Math.log(Math.min(1 - 1e-12, Math.max(1e-12, rng.next()))));
      key.set(i, (adjusted.get(i)! - lo) / range / o.temperature - gumbel);
    }
    order.sort((a, b) => key.get(a)! - key.get(b)! || a - b);
  } else {
    order.sort((a, b) => adjusted.get(a)! - adjusted.get(b)! || a - b);
  }
  return { order, liftedBy };
}

/**
 * Takes songs from the lanes' orders in turn, under the mix limits (mix-rules.ts). On its turn a lane
 * offers the tracks it held back for the artist rule first (so one goes in as soon as it fits, ahead of
 * worse ones), then its next ones. `ranDry`: some lane reached the end of its pool, so a larger pool
 * could change its share.
 */
function interleave(
  lanes: readonly Lane[],
  orders: readonly LaneOrder[],
  state: MixState,
  o: { n: number; exclusive: boolean },
): { queue: Ranked[]; ranDry: boolean } {
  const queue: Ranked[] = [];
  const cursor = lanes.map(() => 0);
  const deferred: number[][] = lanes.map(() => []);
  const count = lanes.map(() => 0);
  let ranDry = false;
  const owns = (l: number, i: number): boolean => {
    const own = lanes[l]!.scores[i]!;
    for (let m = 0; m < lanes.length; m++) {
      if (m === l || !usable(lanes[m]!)) continue;
      const other = lanes[m]!.scores[i]!;
      if (other < own || (other === own && m < l)) return false;
    }
    return true;
  };
  /** The lane's next track that fits now, or −1; tracks that do not fit yet are held back. */
  const next = (l: number): number => {
    const held = deferred[l]!;
    for (let d = 0; d < held.length; d++) {
      const j = held[d]!;
      if (state.gone(j)) held.splice(d--, 1);
      else if (state.fits(j)) {
        held.splice(d, 1);
        return j;
      }
    }
    const order = orders[l]!.order;
    while (cursor[l]! < order.length) {
      const i = order[cursor[l]!++]!;
      if (state.gone(i) || (o.exclusive && !owns(l, i))) continue;
      if (state.fits(i)) return i;
      held.push(i);
    }
    ranDry = true;
    return -1;
  };
  const active = lanes.map((_, l) => l).filter((l) => usable(lanes[l]!));
  while (queue.length < o.n) {
    // The lane with the largest remaining claim goes first (ties: the earlier lane).
    const turn = active
      .slice()
      .sort((a, b) => lanes[b]!.weight / (2 * count[b]! + 1) - lanes[a]!.weight / (2 * count[a]! + 1) || a - b);
    let picked = false;
    for (const l of turn) {
      const i = next(l);
      if (i < 0) continue;
      queue.push({ index: i, distance: lanes[l]!.scores[i]!, likedAnchor: orders[l]!.liftedBy.get(i) ?? null, lane: l });
      state.take(i);
      count[l]!++;
      picked = true;
      break;
    }
    if (!picked) break;
  }
  return { queue, ranDry };
}
