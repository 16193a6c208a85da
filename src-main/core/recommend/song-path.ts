/**
 * Song paths (issue 16, item 2): from track A to track B (through waypoints) in n songs, each step close
 * to the previous by the learned D over φ (mix-distance.ts), no song twice, the mix limits applied.
 *
 * Per segment P → Q with m songs between:
 * 1. candidates: for a grid of t in (0, 1) the nearest songs to the point (1 − t)·P + t·Q, found as the
 *    smallest (1 − t)·d(P, i)² + t·d(Q, i)² (in a Euclidean space that sum is the squared distance to the
 *    interpolated point plus a constant, so two D passes serve every t), among the 1,000 songs nearest
 *    to P, to Q and by d(P)² + d(Q)² (a prefilter: the grid then ranks a few thousand, not the library);
 * 2. each candidate's place along the segment, t(i) = projection of i on P → Q from the same two rows;
 * 3. the path: among the candidates, ordered by t(i) (so a path never turns back and never repeats), the
 *    m + 1 steps from P to Q with the least sum of squared steps (dynamic programming; squaring makes
 *    one long jump cost more than several short ones), consecutive songs of one artist forbidden;
 * 4. the other limits (artist spacing > 1, caps per artist / album) are checked in order and a song that
 *    breaks one is dropped from the candidates and the segment solved again.
 * `interpolationPath` is the straight-interpolation baseline the benchmark compares against.
 */
import type { Database } from 'better-sqlite3';
import { mixDistance, type MixDistance } from './mix-distance.ts';
import { MixState, type MixLimits } from './mix-rules.ts';
import type { Ranked } from './ranking.ts';
import {
  describeMix,
  mixContext,
  RecommendError,
  requireIndexed,
  tempoFilter,
  type QueueRules,
  type Recommendation,
  type RecommendIndex,
} from './recommender.ts';
import { smallestK } from './top-k.ts';

/** Candidates per grid point of a segment, and the most grid points. */
const PER_POINT = 16;
const MAX_GRID = 16;
/** Songs taken near P, near Q and between them before the grid ranks them. */
const PREFILTER = 1000;
/** Re-solves of one segment after a limit was broken, before the breaking songs are simply left out. */
const MAX_REPAIRS = 64;
export const MAX_WAYPOINTS = 16;
export const MAX_PATH_SONGS = 100;

export interface PathOptions extends QueueRules {
  /** Songs in the path, waypoints included (default 12). */
  n?: number;
}

export interface SongPath {
  tracks: Recommendation[];
  /** D from the previous song, per song (0 for the first). */
  steps: number[];
  largestStep: number;
  meanStep: number;
}

/** The path through the waypoints (track ids) as indices of the index, the waypoints included. */
export function pathIndices(
  db: Database,
  index: RecommendIndex,
  waypointIds: readonly number[],
  options: PathOptions = {},
): number[] {
  return walk(db, index, waypointIds, options, solveSegment);
}

/** The straight-interpolation baseline: each step the nearest unused song to the next evenly spaced point on P → Q. */
export function interpolationPath(
  db: Database,
  index: RecommendIndex,
  waypointIds: readonly number[],
  options: PathOptions = {},
): number[] {
  return walk(db, index, waypointIds, options, interpolateSegment);
}

/** A song path with its steps and explanations. */
export function songPath(
  db: Database,
  index: RecommendIndex,
  waypointIds: readonly number[],
  options: PathOptions = {},
): SongPath {
  const path = pathIndices(db, index, waypointIds, options);
  const distance = mixDistance(index);
  const steps = path.map((i, k) => (k === 0 ? 0 : distance.among([path[k - 1]!, i])[1]!));
  const ranked: Ranked[] = path.map((i, k) => ({ index: i, distance: steps[k]!, likedAnchor: null, lane: 0 }));
  const tracks = describeMix(db, index, ranked).map((t, k) => ({
    ...t,
    why: {
      ...t.why,
      text:
        k === 0
          ? `start; ${t.why.text}`
          : `step ${k} of ${path.length - 1}: D ${steps[k]!.toFixed(3)} from the previous; ${t.why.text}`,
    },
  }));
  const moves = steps.slice(1);
  return {
    tracks,
    steps,
    largestStep: moves.length ? Math.max(...moves) : 0,
    meanStep: moves.length ? moves.reduce((s, x) => s + x, 0) / moves.length : 0,
  };
}

interface SegmentContext {
  index: RecommendIndex;
  distance: MixDistance;
  from: number;
  to: number;
  between: number;
  /** May this song be a candidate at all (exclusions, tempo, earlier segments). */
  usable: (i: number) => boolean;
  /** The limits' state after the path so far (P taken). */
  state: () => MixState;
  limits: MixLimits;
  rows: (i: number) => Float32Array;
}

type SegmentSolver = (c: SegmentContext) => number[];

function walk(
  db: Database,
  index: RecommendIndex,
  waypointIds: readonly number[],
  options: PathOptions,
  solve: SegmentSolver,
): number[] {
  if (!index.model) throw new RecommendError('no trained model: run `cadenza train`');
  if (waypointIds.length < 2) throw new RecommendError('a path needs at least two tracks: where it starts and where it ends');
  if (waypointIds.length > MAX_WAYPOINTS) throw new RecommendError(`a path goes through at most ${MAX_WAYPOINTS} tracks`);
  const waypoints = waypointIds.map((id) => requireIndexed(index, id));
  if (new Set(waypoints).size !== waypoints.length)
    throw new RecommendError('a path passes each track once: the waypoints repeat');
  const n = options.n ?? 12;
  if (!(Number.isInteger(n) && n >= waypoints.length && n <= MAX_PATH_SONGS))
    throw new RecommendError(
      `a path through ${waypoints.length} tracks has ${waypoints.length} to ${MAX_PATH_SONGS} songs, got ${n}`,
    );
  const context = mixContext(db, index, options, waypoints);
  const allow = tempoFilter(db, index, options);
  const limits: MixLimits = {
    artistSpacing: options.artistSpacing ?? 1,
    ...(options.maxPerArtist !== undefined ? { maxPerArtist: options.maxPerArtist } : {}),
    ...(options.maxPerAlbum !== undefined ? { maxPerAlbum: options.maxPerAlbum } : {}),
  };
  const distance = mixDistance(index);
  const rowCache = new Map<number, Float32Array>();
  const rows = (i: number) => {
    let r = rowCache.get(i);
    if (!r) rowCache.set(i, (r = distance.row(i)));
    return r;
  };
  const lengths = waypoints.slice(1).map((w, k) => rows(waypoints[k]!)[w]!);
  const between = share(n - waypoints.length, lengths);
  const path = [waypoints[0]!];
  for (let k = 0; k + 1 < waypoints.length; k++) {
    const used = new Set(path);
    const segment = solve({
      index,
      distance,
      from: waypoints[k]!,
      to: waypoints[k + 1]!,
      between: between[k]!,
      usable: (i) => !used.has(i) && !context.exclude.has(i) && (allow === null || allow(i)),
      state: () => {
        const s = new MixState(index, limits, context.excludeSongs);
        for (const i of path) s.take(i);
        for (const w of waypoints.slice(k + 1)) s.reserve(w);
        return s;
      },
      limits,
      rows,
    });
    path.push(...segment, waypoints[k + 1]!);
  }
  return path;
}

/** `total` songs shared among segments in proportion to their lengths (largest remainder). */
function share(total: number, lengths: readonly number[]): number[] {
  const sum = lengths.reduce((s, x) => s + x, 0);
  const exact = lengths.map((l) => (sum > 0 ? (total * l) / sum : total / lengths.length));
  const out = exact.map(Math.floor);
  let left = total - out.reduce((s, x) => s + x, 0);
  const order = exact.map((x, k) => [x - Math.floor(x), k] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, k] of order) if (left-- > 0) out[k]!++;
  return out;
}

/** The songs strictly between P and Q (see the module comment). */
function solveSegment(c: SegmentContext): number[] {
  if (c.between === 0) return [];
  const rp = c.rows(c.from);
  const rq = c.rows(c.to);
  const banned = new Set<number>();
  for (let attempt = 0; ; attempt++) {
    const candidates = segmentCandidates(c, rp, rq, banned);
    const inner = cheapestWalk(c, candidates, rp, rq);
    const state = c.state();
    const breaking = inner.filter((i) => {
      const ok = state.accepts(i);
      if (ok) state.take(i);
      return !ok;
    });
    if (breaking.length === 0) return inner;
    if (attempt >= MAX_REPAIRS) return inner.filter((i) => !breaking.includes(i));
    breaking.forEach((i) => banned.add(i));
  }
}

function segmentCandidates(c: SegmentContext, rp: Float32Array, rq: Float32Array, banned: ReadonlySet<number>): number[] {
  const n = c.index.count;
  const grid = Math.min(MAX_GRID, Math.max(4, c.between + 1));
  const state = c.state();
  const skip = (i: number) => banned.has(i) || !c.usable(i) || state.gone(i);
  // Songs that can be near some point of the segment are near P, near Q, or small in d(P)² + d(Q)²: three
  // passes over the library pick PREFILTER of each, and the grid ranks only those.
  const a = new Float32Array(n);
  const b = new Float32Array(n);
  const sum = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a[i] = rp[i]! * rp[i]!;
    b[i] = rq[i]! * rq[i]!;
    sum[i] = a[i]! + b[i]!;
  }
  const near = [
    ...new Set([...smallestK(a, PREFILTER, skip), ...smallestK(b, PREFILTER, skip), ...smallestK(sum, PREFILTER, skip)]),
  ];
  const found = new Set<number>();
  const songs = new Map<number, number>();
  const bestOf = new Map<number, number>();
  const combined = new Float32Array(near.length);
  const take = PER_POINT + 2 * Math.ceil(c.between / grid);
  for (let g = 0; g < grid; g++) {
    const t = (g + 0.5) / grid;
    near.forEach((i, k) => (combined[k] = (1 - t) * a[i]! + t * b[i]!));
    for (const k of smallestK(combined, take)) {
      const i = near[k]!;
      const value = combined[k]!;
      // One file per song: the one closest to its grid point.
      const song = c.index.songKey[i]!;
      if (song >= 0) {
        const holder = songs.get(song);
        if (holder !== undefined && holder !== i) {
          if (bestOf.get(holder)! <= value) continue;
          found.delete(holder);
        }
        songs.set(song, i);
      }
      bestOf.set(i, Math.min(bestOf.get(i) ?? Infinity, value));
      found.add(i);
    }
  }
  return [...found];
}

/** Least sum of squared steps from P to Q through exactly `between` candidates in t order (fewer if none fits). */
function cheapestWalk(c: SegmentContext, candidates: readonly number[], rp: Float32Array, rq: Float32Array): number[] {
  const pq2 = Math.max(1e-12, rp[c.to]! ** 2);
  const place = (i: number) => Math.min(1, Math.max(0, (rp[i]! ** 2 - rq[i]! ** 2 + pq2) / (2 * pq2)));
  const inner = [...candidates].sort((a, b) => place(a) - place(b) || a - b);
  const nodes = [c.from, ...inner, c.to];
  const m = nodes.length;
  const dist = c.distance.among(nodes);
  const artist = nodes.map((i) => c.index.artistKey[i]!);
  const spaced = (c.limits.artistSpacing ?? 1) > 0;
  const edge = (u: number, v: number) => !spaced || artist[u]! < 0 || artist[u] !== artist[v];
  for (let hops = Math.min(c.between, m - 2) + 1; hops >= 1; hops--) {
    // cost[h][v]: the cheapest walk of h steps from P (node 0) to node v, moving forward only.
    const cost = Array.from({ length: hops + 1 }, () => new Float64Array(m).fill(Infinity));
    const from = Array.from({ length: hops + 1 }, () => new Int32Array(m).fill(-1));
    cost[0]![0] = 0;
    for (let h = 1; h <= hops; h++) {
      const prev = cost[h - 1]!;
      const here = cost[h]!;
      const back = from[h]!;
      // Node v (1 … m − 1) can be reached in h steps only from nodes before it.
      for (let v = h; v < m; v++) {
        if (h < hops && v === m - 1) continue; // Q only as the last step
        if (h === hops && v !== m - 1) continue;
        for (let u = h - 1; u < v; u++) {
          if (prev[u] === Infinity || !edge(u, v)) continue;
          const d = dist[u * m + v]!;
          const total = prev[u]! + d * d;
          if (total < here[v]!) {
            here[v] = total;
            back[v] = u;
          }
        }
      }
    }
    if (cost[hops]![m - 1] === Infinity) continue;
    const out: number[] = [];
    for (let h = hops, v = from[hops]![m - 1]!; h > 1; h--) {
      out.push(nodes[v]!);
      v = from[h - 1]![v]!;
    }
    return out.reverse();
  }
  return [];
}

/** Baseline: the nearest usable song to each evenly spaced point of the straight line in embedding space. */
function interpolateSegment(c: SegmentContext): number[] {
  const a = c.distance.point(c.from);
  const b = c.distance.point(c.to);
  const state = c.state();
  const out: number[] = [];
  const x = new Float32Array(a.length);
  for (let k = 1; k <= c.between; k++) {
    const t = k / (c.between + 1);
    for (let d = 0; d < x.length; d++) x[d] = (1 - t) * a[d]! + t * b[d]!;
    const row = c.distance.fromPoint(x);
    const [best] = smallestK(row, 1, (i) => !c.usable(i) || !state.accepts(i));
    if (best === undefined) break;
    state.take(best);
    out.push(best);
  }
  return out;
}
