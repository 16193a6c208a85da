/**
 * Similar artists and albums (issue 16, item 5): each artist (or album) is represented in the model's
 * embedding space by its songs' φ — one point, their medoid (the song with the least summed D to the
 * others; two songs: their mean) or their mean, or a small mixture (two medoids of a 2-medoid split when
 * the group has MIXTURE_MIN_SONGS songs or more) — and groups are ranked by the learned D: a song's
 * distance to a group is its distance to the group's nearest component. Which form retrieves held-out
 * songs of the same artist best is measured in `bench/mixes-quality.ts` (docs/benchmarks.md#mixes-issue-16).
 */
import { distanceScorer, type DistanceScorer } from './distance-kernel.ts';
import { embeddingsOf, kMedoids, MEDOID_SAMPLE, medoidAmong, pairDistances, spread } from './medoids.ts';
import { distanceLayers } from './model-math.ts';
import { smallestK } from './top-k.ts';
import { normalizeName, RecommendError, type RecommendIndex } from './recommender.ts';

export type GroupKind = 'artist' | 'album';
export type GroupPoint = 'mean' | 'medoid' | 'mixture';
export const GROUP_POINTS: readonly GroupPoint[] = ['mean', 'medoid', 'mixture'];
/** A group splits into two components from this many songs (each component keeps at least 2). */
export const MIXTURE_MIN_SONGS = 4;
/** Rounds of the 2-medoid split (assign to the nearer medoid, re-take each part's medoid). */
const MIXTURE_ROUNDS = 4;
/** The point the measurement chose: the medoid retrieved held-out songs' artists better (docs/benchmarks.md#mixes-issue-16). */
export const GROUP_POINT: GroupPoint = 'medoid';

export interface GroupMatch {
  /** The artist, or the album title. */
  name: string;
  /** For an album: its (album) artist. */
  artist: string | null;
  songs: number;
  distance: number;
  /** Track ids of the group's songs (index order). */
  trackIds: number[];
}

/** Group points of one kind over an index, with a scorer holding them. */
export class GroupIndex {
  readonly members: number[][] = [];
  /** Holds every group's components (points), group by group. */
  readonly scorer: DistanceScorer;
  /** The group of each component, and the first component of each group (one past the last at the end). */
  private readonly groupOfComponent: Int32Array;
  private readonly firstComponent: Int32Array;
  private readonly groupScores: Float32Array;
  private readonly byName = new Map<string, number>();

  constructor(
    private readonly index: RecommendIndex,
    readonly kind: GroupKind,
    readonly point: GroupPoint = GROUP_POINT,
    /** Songs left out of every point (a held-out evaluation). */
    leaveOut: ReadonlySet<number> = new Set(),
  ) {
    if (!index.model) throw new RecommendError('no trained model: run `cadenza train`');
    const keys = kind === 'artist' ? index.artistKey : index.albumKey;
    const at = new Map<number, number>();
    for (let i = 0; i < index.count; i++) {
      const key = keys[i]!;
      if (key < 0 || leaveOut.has(i)) continue;
      let g = at.get(key);
      if (g === undefined) {
        at.set(key, (g = this.members.length));
        this.members.push([]);
        // A name shared by several groups (one album title by two artists) names the first.
        if (!this.byName.has(this.nameKey(i))) this.byName.set(this.nameKey(i), g);
      }
      this.members[g]!.push(i);
    }
    const dim = index.scorer.dim;
    this.scorer = distanceScorer(distanceLayers(index.model));
    const pair = point === 'mean' ? null : distanceScorer(distanceLayers(index.model));
    const components = this.members.map((songs) =>
      point === 'mixture' && pair ? this.mixtureOf(songs, pair) : [this.pointOf(songs, pair)],
    );
    const total = components.reduce((sum, c) => sum + c.length, 0);
    const points = new Float32Array(total * dim);
    this.groupOfComponent = new Int32Array(total);
    this.firstComponent = new Int32Array(this.members.length + 1);
    let c = 0;
    components.forEach((parts, g) => {
      this.firstComponent[g] = c;
      for (const p of parts) {
        points.set(p, c * dim);
        this.groupOfComponent[c++] = g;
      }
    });
    this.firstComponent[this.members.length] = c;
    this.scorer.setItems(points);
    this.groupScores = new Float32Array(this.members.length);
  }

  private nameKey(i: number): string {
    return normalizeName(this.index.tracks.field(i, this.kind === 'artist' ? 'artist' : 'album'));
  }

  /** The medoid (over at most MEDOID_SAMPLE of the songs), or for a mean point or two songs their mean. */
  private pointOf(songs: readonly number[], pair: DistanceScorer | null): Float32Array {
    const dim = this.index.scorer.dim;
    if (pair && songs.length > 2) {
      const sample = spread(songs, MEDOID_SAMPLE);
      const d = pairDistances(embeddingsOf(this.index.scorer, sample), dim, pair);
      return Float32Array.from(this.index.scorer.item(sample[medoidAmong(d, sample.length, [...sample.keys()])]!));
    }
    const mean = new Float32Array(dim);
    for (const s of songs) {
      const e = this.index.scorer.item(s);
      for (let d = 0; d < dim; d++) mean[d]! += e[d]! / songs.length;
    }
    return mean;
  }

  /**
   * Two components for a group of MIXTURE_MIN_SONGS songs or more: a 2-medoid split (medoids.ts) of at
   * most MEDOID_SAMPLE of its songs. A split that leaves a part with fewer than 2 songs (one outlier) is
   * not a second sound: the group's one point then.
   */
  private mixtureOf(songs: readonly number[], pair: DistanceScorer): Float32Array[] {
    if (songs.length < MIXTURE_MIN_SONGS) return [this.pointOf(songs, pair)];
    const sample = spread(songs, MEDOID_SAMPLE);
    const items = embeddingsOf(this.index.scorer, sample);
    const split = kMedoids(items, this.index.scorer.dim, 2, pair, { rounds: MIXTURE_ROUNDS, minPart: 2 });
    if (!split) return [this.pointOf(songs, pair)];
    return split.medoids.map((k) => Float32Array.from(this.index.scorer.item(sample[k]!)));
  }

  /** How many components (points) group g has. */
  componentsOf(g: number): number {
    return this.firstComponent[g + 1]! - this.firstComponent[g]!;
  }

  /** The group of a name (normalised as the index interns it), or undefined. */
  groupOf(name: string): number | undefined {
    return this.byName.get(normalizeName(name));
  }

  /** D from a point to every group (to its nearest component), in group order (a reused buffer). */
  scores(point: Float32Array): Float32Array {
    const raw = this.scorer.score(point);
    const out = this.groupScores;
    out.fill(Infinity);
    for (let c = 0; c < raw.length; c++) {
      const g = this.groupOfComponent[c]!;
      if (raw[c]! < out[g]!) out[g] = raw[c]!;
    }
    return out;
  }

  /**
   * The k groups nearest to group g (itself left out): by the mean over g's components of their D to
   * the other group (its nearest component; one point each: plain D between points).
   */
  similar(g: number, k: number): GroupMatch[] {
    const scores = new Float32Array(this.members.length);
    const from = this.firstComponent[g]!;
    const parts = this.componentsOf(g);
    for (let c = from; c < from + parts; c++) {
      const row = this.scores(Float32Array.from(this.scorer.item(c)));
      for (let h = 0; h < row.length; h++) scores[h]! += row[h]! / parts;
    }
    // The k smallest, not a sort of every group: a library of singles has about as many albums as songs.
    return smallestK(scores, k, (h) => h === g).map((h) => this.describe(h, scores[h]!));
  }

  private describe(g: number, distance: number): GroupMatch {
    const songs = this.members[g]!;
    const t = this.index.tracks.at(songs[0]!);
    return {
      name: (this.kind === 'artist' ? t.artist : t.album) ?? '',
      artist: this.kind === 'album' ? (t.albumArtist ?? t.artist) : null,
      songs: songs.length,
      distance,
      trackIds: songs.map((s) => this.index.tracks.id(s)),
    };
  }
}

const cache = new WeakMap<RecommendIndex, Map<GroupKind, GroupIndex>>();

/** The index's group points of one kind, built on first use and kept with the index (the reader warms them). */
export function groupIndex(index: RecommendIndex, kind: GroupKind): GroupIndex {
  let byKind = cache.get(index);
  if (!byKind) cache.set(index, (byKind = new Map()));
  let groups = byKind.get(kind);
  if (!groups) byKind.set(kind, (groups = new GroupIndex(index, kind)));
  return groups;
}

/** Artists (or albums) like the named one, nearest first. */
export function similarGroups(index: RecommendIndex, kind: GroupKind, name: string, k = 10): GroupMatch[] {
  const groups = groupIndex(index, kind);
  const g = groups.groupOf(name);
  if (g === undefined) throw new RecommendError(`no ${kind} named “${name}” among the embedded songs`);
  return groups.similar(g, k);
}
