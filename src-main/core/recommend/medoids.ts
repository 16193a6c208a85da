/**
 * Medoids under the learned D over φ: the song of a set with the least summed D to the others, a set's k
 * most central songs, and k representatives of a set (k-medoids started farthest-first from the medoid).
 * For the group points of similar artists and albums (group-similarity.ts) and the seeds of a radio from
 * an artist, album or playlist (radio.ts). Each costs m passes over m items and m² floats: a larger set
 * is represented by MEDOID_SAMPLE of its songs spread over it (an artist "Unknown" can have 20,000).
 */
import type { DistanceScorer } from './distance-kernel.ts';

/** Most songs of a set that its medoids are computed over (256² D evaluations: ~15 ms, 256 kB). */
export const MEDOID_SAMPLE = 256;

/** At most k of the items, evenly spread over the list (a long album or playlist is represented by all its parts). */
export function spread<T>(items: readonly T[], k: number): T[] {
  if (items.length <= k) return [...items];
  return Array.from({ length: k }, (_, j) => items[Math.floor(((j + 0.5) * items.length) / k)]!);
}

/** The embeddings (scorer items) of the given index positions, one after another. */
export function embeddingsOf(scorer: DistanceScorer, positions: readonly number[]): Float32Array {
  const dim = scorer.dim;
  const items = new Float32Array(positions.length * dim);
  positions.forEach((i, k) => items.set(scorer.item(i), k * dim));
  return items;
}

/** D between every pair of the m items (row-major m × m), by `pair` (its items are replaced). */
export function pairDistances(items: Float32Array, dim: number, pair: DistanceScorer): Float32Array {
  const m = items.length / dim;
  pair.setItems(items);
  const out = new Float32Array(m * m);
  for (let k = 0; k < m; k++) out.set(pair.score(items.subarray(k * dim, (k + 1) * dim)), k * m);
  return out;
}

/** The k of the m items with the least summed D to all m (the set's core), most central first (first on ties). */
export function mostCentral(d: Float32Array, m: number, k: number): number[] {
  const sums = new Float64Array(m);
  for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) sums[a]! += d[a * m + b]!;
  return Array.from(sums.keys())
    .sort((a, b) => sums[a]! - sums[b]! || a - b)
    .slice(0, k);
}

/** Of `members` (positions 0..m−1), the one with the least summed D to the members (first on ties). */
export function medoidAmong(d: Float32Array, m: number, members: readonly number[]): number {
  let best = members[0]!;
  let bestSum = Infinity;
  for (const a of members) {
    let sum = 0;
    for (const b of members) sum += d[a * m + b]!;
    if (sum < bestSum) [best, bestSum] = [a, sum];
  }
  return best;
}

export interface KMedoidsOptions {
  /** Assign-and-re-medoid rounds at most (stops earlier when the medoids stay). */
  rounds: number;
  /** A round that leaves a part with fewer members than this gives null (the set has fewer sounds than k). */
  minPart?: number;
}

/**
 * k medoids of the m items (positions into them) and their parts: the first is the medoid; each next is
 * the item farthest from its nearest medoid so far; then rounds of assigning every item to its nearest
 * medoid (the earlier on ties) and re-taking each part's medoid. Fewer than k when m < k.
 */
export function kMedoids(
  items: Float32Array,
  dim: number,
  k: number,
  pair: DistanceScorer,
  options: KMedoidsOptions,
): { medoids: number[]; parts: number[][] } | null {
  const m = items.length / dim;
  const all = Array.from({ length: m }, (_, i) => i);
  if (m === 0) return { medoids: [], parts: [] };
  const d = pairDistances(items, dim, pair);
  let medoids = [medoidAmong(d, m, all)];
  const nearest = Float32Array.from(all, (i) => d[medoids[0]! * m + i]!);
  while (medoids.length < Math.min(k, m)) {
    let far = -1;
    for (const i of all) if (!medoids.includes(i) && (far < 0 || nearest[i]! > nearest[far]!)) far = i;
    medoids.push(far);
    for (const i of all) nearest[i] = Math.min(nearest[i]!, d[far * m + i]!);
  }
  let parts: number[][] = [];
  for (let round = 0; round < options.rounds; round++) {
    parts = medoids.map(() => []);
    for (const i of all) {
      let at = 0;
      for (let c = 1; c < medoids.length; c++) if (d[medoids[c]! * m + i]! < d[medoids[at]! * m + i]!) at = c;
      parts[at]!.push(i);
    }
    if (options.minPart !== undefined && parts.some((p) => p.length < options.minPart!)) return null;
    // A part can be empty (a medoid tied with an earlier one for all its songs): that medoid stays.
    const next = parts.map((p, c) => (p.length > 0 ? medoidAmong(d, m, p) : medoids[c]!));
    if (next.every((x, c) => x === medoids[c])) break;
    medoids = next;
  }
  return { medoids, parts };
}
