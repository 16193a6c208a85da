/**
 * Similar artists and albums (issue 16, item 5): each artist (or album) is one point in the model's
 * embedding space made from its songs' φ — their medoid (the song with the least summed D to the others;
 * two songs: their mean), or their mean — and artists are ranked by the learned D between points. Which point retrieves held-out
 * songs of the same artist best is measured in `bench/mixes-quality.ts` (docs/benchmarks.md#mixes-issue-16).
 */
import { distanceScorer, type DistanceScorer } from './distance-kernel.ts';
import { distanceLayers } from './model-math.ts';
import { normalizeName, RecommendError, type RecommendIndex } from './recommender.ts';

export type GroupKind = 'artist' | 'album';
export type GroupPoint = 'mean' | 'medoid';
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
  readonly scorer: DistanceScorer;
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
    const points = new Float32Array(this.members.length * dim);
    const pair = point === 'medoid' ? distanceScorer(distanceLayers(index.model)) : null;
    this.members.forEach((songs, g) => points.set(this.pointOf(songs, pair), g * dim));
    this.scorer.setItems(points);
  }

  private nameKey(i: number): string {
    const t = this.index.tracks[i]!;
    return normalizeName(this.kind === 'artist' ? t.artist : (t.album ?? null));
  }

  private pointOf(songs: readonly number[], pair: DistanceScorer | null): Float32Array {
    const dim = this.index.scorer.dim;
    if (pair && songs.length > 2) {
      const items = new Float32Array(songs.length * dim);
      songs.forEach((s, k) => items.set(this.index.scorer.item(s), k * dim));
      pair.setItems(items);
      let best = 0;
      let bestSum = Infinity;
      for (let k = 0; k < songs.length; k++) {
        const row = pair.score(items.subarray(k * dim, (k + 1) * dim));
        let sum = 0;
        for (const d of row) sum += d;
        if (sum < bestSum) [best, bestSum] = [k, sum];
      }
      return Float32Array.from(this.index.scorer.item(songs[best]!));
    }
    const mean = new Float32Array(dim);
    for (const s of songs) {
      const e = this.index.scorer.item(s);
      for (let d = 0; d < dim; d++) mean[d]! += e[d]! / songs.length;
    }
    return mean;
  }

  /** The group of a name (normalised as the index interns it), or undefined. */
  groupOf(name: string): number | undefined {
    return this.byName.get(normalizeName(name));
  }

  /** D from a point to every group, in group order (a reused buffer). */
  scores(point: Float32Array): Float32Array {
    return this.scorer.score(point);
  }

  /** The k groups nearest to group g (itself left out). */
  similar(g: number, k: number): GroupMatch[] {
    const scores = Float32Array.from(this.scorer.score(Float32Array.from(this.scorer.item(g))));
    const order = Array.from(scores.keys())
      .filter((h) => h !== g)
      .sort((a, b) => scores[a]! - scores[b]! || a - b)
      .slice(0, k);
    return order.map((h) => this.describe(h, scores[h]!));
  }

  private describe(g: number, distance: number): GroupMatch {
    const songs = this.members[g]!;
    const t = this.index.tracks[songs[0]!]!;
    return {
      name: (this.kind === 'artist' ? t.artist : t.album) ?? '',
      artist: this.kind === 'album' ? (t.albumArtist ?? t.artist) : null,
      songs: songs.length,
      distance,
      trackIds: songs.map((s) => this.index.tracks[s]!.id),
    };
  }
}

const cache = new WeakMap<RecommendIndex, Map<GroupKind, GroupIndex>>();

/** Artists (or albums) like the named one, nearest first. */
export function similarGroups(index: RecommendIndex, kind: GroupKind, name: string, k = 10): GroupMatch[] {
  let byKind = cache.get(index);
  if (!byKind) cache.set(index, (byKind = new Map()));
  let groups = byKind.get(kind);
  if (!groups) byKind.set(kind, (groups = new GroupIndex(index, kind)));
  const g = groups.groupOf(name);
  if (g === undefined) throw new RecommendError(`no ${kind} named “${name}” among the embedded songs`);
  return groups.similar(g, k);
}
