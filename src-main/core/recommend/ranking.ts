/**
 * Turning one pass of distances into a queue: the candidate pool, the feedback adjustment (a liked
 * track's neighbours rise, a disliked track's neighbours fall), the "adventurous" sampling and the
 * queue rules (no track twice, excluded tracks, one song once, artist spacing). Pure: arrays in,
 * indices out; the database side is in recommender.ts.
 */
import { createRng } from '../topics/rng.ts';
import type { TasteDirection } from './taste.ts';
import { smallestK } from './top-k.ts';

/** What the ranking needs to know about the indexed tracks (index i = position in the index). */
export interface RankTracks {
  count: number;
  /** Interned artist per track; −1 = unknown (never spaced). */
  artistKey: Int32Array;
  /** Interned normalised (artist, title) per track; −1 = unknown (never collapsed). */
  songKey: Int32Array;
}

/** A liked or disliked track and its nearest neighbours (by D over φ, itself excluded). */
export interface FeedbackAnchor {
  index: number;
  sign: 1 | -1; // +1 liked (neighbours rise), −1 disliked (neighbours fall)
  neighbours: Int32Array;
  /** D to each neighbour, ascending. */
  distances: Float32Array;
}

export interface RankOptions {
  n: number;
  /** Indices never to return (seeds, recently played, disliked, the current queue). */
  exclude: ReadonlySet<number>;
  /** Song keys never to return (the seeds' and recently played songs under other files). */
  excludeSongs?: ReadonlySet<number>;
  /** At least this many other tracks between two tracks of one artist (0 = no rule). Default 1. */
  artistSpacing?: number;
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
  const excludeSongs = options.excludeSongs ?? new Set<number>();
  const anchors = options.anchors ?? [];
  const taste = options.taste ?? null;
  const tasteWeight = Math.max(0, options.tasteWeight ?? TASTE_WEIGHT);
  let poolSize = Math.min(tracks.count, Math.max(64, n * (4 + Math.ceil(temperature * 20)) + 8 * spacing));
  for (;;) {
    const orders = lanes.map((lane, l) => {
      if (!usable(lane)) return { order: [], liftedBy: new Map<number, number>() };
      const excluded = (i: number) => options.exclude.has(i);
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
          if (considered.has(i) || options.exclude.has(i)) continue;
          considered.add(i);
          pool.push(i);
        }
      }
      return laneOrder(scores, pool, scale, {
        temperature,
        anchors,
        weight: options.feedbackWeight ?? 0.5,
        seed: (options.seed ?? 1) + l * 7919,
      });
    });
    const { queue, ranDry } = interleave(tracks, lanes, orders, {
      n,
      spacing,
      excludeSongs,
      exclusive: options.exclusiveLanes === true,
    });
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

/** scores − by · taste, for every track (one pass: a few ms at 100,000 tracks). */
function moveByTaste(scores: Float32Array, taste: Float32Array, by: number): Float32Array {
  const out = new Float32Array(scores.length);
  for (let i = 0; i < scores.length; i++) out[i] = scores[i]! - by * taste[i]!;
  return out;
}

/** One lane's pool in the order it offers its songs: feedback applied, then sampled if adventurous. */
function laneOrder(
  scores: Float32Array,
  pool: number[],
  { lo, range }: LaneScale,
  o: { temperature: number; anchors: readonly FeedbackAnchor[]; weight: number; seed: number },
): LaneOrder {
  const liftedBy = new Map<number, number>();
  if (pool.length === 0) return { order: [], liftedBy };
  const adjusted = new Map<number, number>();
  for (const i of pool) adjusted.set(i, scores[i]!);
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
 * Takes songs from the lanes' orders in turn. On its turn a lane offers the tracks it held back for the
 * artist rule first (so one goes in as soon as it fits, ahead of worse ones), then its next ones.
 * `ranDry`: some lane reached the end of its pool, so a larger pool could change its share.
 */
function interleave(
  tracks: RankTracks,
  lanes: readonly Lane[],
  orders: readonly LaneOrder[],
  o: { n: number; spacing: number; excludeSongs: ReadonlySet<number>; exclusive: boolean },
): { queue: Ranked[]; ranDry: boolean } {
  const queue: Ranked[] = [];
  const taken = new Set<number>();
  const seenSongs = new Set<number>();
  const cursor = lanes.map(() => 0);
  const deferred: number[][] = lanes.map(() => []);
  const count = lanes.map(() => 0);
  let ranDry = false;
  const fits = (i: number): boolean => {
    const artist = tracks.artistKey[i]!;
    if (artist < 0 || o.spacing === 0) return true;
    for (let back = 1; back <= o.spacing && back <= queue.length; back++)
      if (tracks.artistKey[queue[queue.length - back]!.index] === artist) return false;
    return true;
  };
  const gone = (i: number): boolean => {
    if (taken.has(i)) return true;
    const song = tracks.songKey[i]!;
    return song >= 0 && (seenSongs.has(song) || o.excludeSongs.has(song));
  };
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
      if (gone(j)) held.splice(d--, 1);
      else if (fits(j)) {
        held.splice(d, 1);
        return j;
      }
    }
    const order = orders[l]!.order;
    while (cursor[l]! < order.length) {
      const i = order[cursor[l]!++]!;
      if (gone(i) || (o.exclusive && !owns(l, i))) continue;
      if (fits(i)) return i;
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
      taken.add(i);
      const song = tracks.songKey[i]!;
      if (song >= 0) seenSongs.add(song);
      count[l]!++;
      picked = true;
      break;
    }
    if (!picked) break;
  }
  return { queue, ranDry };
}
