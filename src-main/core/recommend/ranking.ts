/**
 * Turning one pass of distances into a queue: the candidate pool, the feedback adjustment (a liked
 * track's neighbours rise, a disliked track's neighbours fall), the "adventurous" sampling and the
 * queue rules (no track twice, excluded tracks, one song once, artist spacing). Pure: arrays in,
 * indices out; the database side is in recommender.ts.
 */
import { createRng } from '../topics/rng.ts';
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
}

export interface Ranked {
  index: number;
  /** D to the query (before any adjustment). */
  distance: number;
  /** The liked anchor that lifted it, if any. */
  likedAnchor: number | null;
}

/**
 * Ranks `scores` (lower = better) into a queue of at most n. The pool grows until the rules are met or
 * every track was considered, so a small queue over a million songs costs one top-k pass.
 */
export function rankQueue(tracks: RankTracks, scores: Float32Array, options: RankOptions): Ranked[] {
  const n = Math.max(0, Math.floor(options.n));
  if (n === 0 || tracks.count === 0) return [];
  const temperature = Math.max(0, options.adventurous ?? 0);
  const spacing = Math.max(0, Math.floor(options.artistSpacing ?? 1));
  const excludeSongs = options.excludeSongs ?? new Set<number>();
  const anchors = options.anchors ?? [];
  let poolSize = Math.min(tracks.count, Math.max(64, n * (4 + Math.ceil(temperature * 20)) + 8 * spacing));
  for (;;) {
    const pool = smallestK(scores, poolSize, (i) => options.exclude.has(i));
    const considered = new Set(pool);
    for (const a of anchors) {
      if (a.sign < 0) continue;
      for (const i of a.neighbours) {
        if (considered.has(i) || options.exclude.has(i)) continue;
        considered.add(i);
        pool.push(i);
      }
    }
    const queue = pickQueue(tracks, scores, pool, {
      n,
      temperature,
      spacing,
      excludeSongs,
      anchors,
      weight: options.feedbackWeight ?? 0.5,
      seed: options.seed ?? 1,
    });
    const exhausted = poolSize >= tracks.count;
    if (queue.length >= n || exhausted) return queue;
    poolSize = Math.min(tracks.count, poolSize * 4);
  }
}

function pickQueue(
  tracks: RankTracks,
  scores: Float32Array,
  pool: number[],
  o: {
    n: number;
    temperature: number;
    spacing: number;
    excludeSongs: ReadonlySet<number>;
    anchors: readonly FeedbackAnchor[];
    weight: number;
    seed: number;
  },
): Ranked[] {
  if (pool.length === 0) return [];
  // The pool's score range sets the scale of feedback and temperature (D has no fixed unit).
  const sorted = pool.map((i) => scores[i]!).sort((a, b) => a - b);
  const lo = sorted[0]!;
  const hi = sorted[Math.min(sorted.length - 1, o.n * 4)]!;
  const range = hi - lo > 1e-9 ? hi - lo : 1;
  const adjusted = new Map<number, number>();
  const liftedBy = new Map<number, number>();
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
  let order = [...adjusted.keys()];
  if (o.temperature > 0) {
    const rng = createRng(o.seed);
    const key = new Map<number, number>();
    for (const i of order) {
      const gumbel = -Math.log(-Math.log(Math.min(1 - 1e-12, Math.max(1e-12, rng.next()))));
      key.set(i, (adjusted.get(i)! - lo) / range / o.temperature - gumbel);
    }
    order.sort((a, b) => key.get(a)! - key.get(b)! || a - b);
  } else {
    order = order.sort((a, b) => adjusted.get(a)! - adjusted.get(b)! || a - b);
  }
  const queue: Ranked[] = [];
  const seenSongs = new Set<number>();
  const deferred: number[] = [];
  const fits = (i: number): boolean => {
    const artist = tracks.artistKey[i]!;
    if (artist < 0 || o.spacing === 0) return true;
    for (let back = 1; back <= o.spacing && back <= queue.length; back++)
      if (tracks.artistKey[queue[queue.length - back]!.index] === artist) return false;
    return true;
  };
  const take = (i: number) => {
    queue.push({ index: i, distance: scores[i]!, likedAnchor: liftedBy.get(i) ?? null });
    const song = tracks.songKey[i]!;
    if (song >= 0) seenSongs.add(song);
  };
  for (const i of order) {
    if (queue.length >= o.n) break;
    const song = tracks.songKey[i]!;
    if (song >= 0 && (seenSongs.has(song) || o.excludeSongs.has(song))) continue;
    // A track held back by the artist rule goes in as soon as it fits, ahead of worse ones.
    for (let d = 0; d < deferred.length && queue.length < o.n; d++) {
      const j = deferred[d]!;
      const js = tracks.songKey[j]!;
      if (js >= 0 && seenSongs.has(js)) {
        deferred.splice(d--, 1);
      } else if (fits(j)) {
        take(j);
        deferred.splice(d, 1);
        d = -1;
      }
    }
    if (queue.length >= o.n) break;
    if (fits(i)) take(i);
    else deferred.push(i);
  }
  for (let d = 0; d < deferred.length && queue.length < o.n; d++) {
    const j = deferred[d]!;
    const js = tracks.songKey[j]!;
    if (js >= 0 && seenSongs.has(js)) continue;
    if (fits(j)) {
      take(j);
      deferred.splice(d, 1);
      d = -1;
    }
  }
  return queue;
}
