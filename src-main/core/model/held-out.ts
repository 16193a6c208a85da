/**
 * Whether a fine-tuned model may replace the active one: user → song and song → song precision@10 on
 * the held-out songs of the model's own split, per query (group, song), before and after. A model is
 * refused when either mean drops by more than the noise of that comparison: two standard errors of the
 * paired per-query differences, and never less than half a point (docs/recommend.md#fine-tuning).
 */
import { allGroups, groupVector, type Song } from './data.ts';
import { userToSongMetrics } from './evaluate.ts';
import type { Network } from './network.ts';
import { distanceMatrix, embedRows, embedUsers, type FeatureMatrix } from './step.ts';

/** Per query precision@10: one value per group with a held-out positive, one per held-out song. */
export interface HeldOutScores {
  userToSong: Float64Array;
  songToSong: Float64Array;
}

/** Same-dominant-topic share of each song's 10 nearest other songs (evaluate.ts's songToSongMetrics, per song). */
export function songToSongPerSong(distances: Float32Array | Float64Array, songs: readonly Song[]): Float64Array {
  const n = songs.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const row = distances.subarray(i * n, (i + 1) * n);
    const order = Array.from({ length: n }, (_, j) => j)
      .filter((j) => j !== i)
      .sort((a, b) => row[a]! - row[b]! || a - b)
      .slice(0, 10);
    out[i] = order.length ? order.filter((j) => songs[j]!.dominant === songs[i]!.dominant).length / order.length : 0;
  }
  return out;
}

/** The held-out scores of a network; `matrix` holds the held-out songs' standardised inputs, in `songs` order. */
export async function heldOutScores(
  net: Network,
  matrix: FeatureMatrix,
  songs: readonly Song[],
  k: number,
): Promise<HeldOutScores> {
  const items = await embedRows(net, matrix);
  const groups = allGroups(k).filter((g) => songs.some((s) => (g & (1 << s.dominant)) !== 0));
  const users = new Float32Array(groups.length * k);
  groups.forEach((g, i) => users.set(groupVector(g, k), i * k));
  const u2s = await distanceMatrix(net, await embedUsers(net, users), items);
  const n = songs.length;
  const userToSong = Float64Array.from(
    groups,
    (g, r) => userToSongMetrics(u2s.subarray(r * n, (r + 1) * n), [g], songs).precision10,
  );
  return { userToSong, songToSong: songToSongPerSong(await distanceMatrix(net, items, items), songs) };
}

export interface MeasureComparison {
  before: number;
  after: number;
  /** The largest drop still counted as noise. */
  tolerance: number;
  dropped: boolean;
}

export interface RetrainDecision {
  accepted: boolean;
  userToSong: MeasureComparison;
  songToSong: MeasureComparison;
}

const MIN_TOLERANCE = 0.005;

export function compareScores(before: Float64Array, after: Float64Array): MeasureComparison {
  const n = before.length;
  if (n === 0 || after.length !== n) return { before: 0, after: 0, tolerance: 0, dropped: false };
  const d = Float64Array.from(before, (b, i) => after[i]! - b);
  const mean = d.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(d.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1)) : 0;
  const tolerance = Math.max(MIN_TOLERANCE, (2 * sd) / Math.sqrt(n));
  const avg = (xs: Float64Array) => xs.reduce((a, b) => a + b, 0) / n;
  return { before: avg(before), after: avg(after), tolerance, dropped: mean < -tolerance };
}

/** Kept only if neither user → song nor song → song precision@10 drops beyond noise. */
export function retrainDecision(before: HeldOutScores, after: HeldOutScores): RetrainDecision {
  const userToSong = compareScores(before.userToSong, after.userToSong);
  const songToSong = compareScores(before.songToSong, after.songToSong);
  return { accepted: !userToSong.dropped && !songToSong.dropped, userToSong, songToSong };
}

const pct = (x: number) => (100 * x).toFixed(1);

/** "user → song P@10 74.1 → 75.0, song → song P@10 29.0 → 27.5 (drop beyond noise ±1.0)". */
export function describeDecision(d: RetrainDecision): string {
  const part = (name: string, m: MeasureComparison) =>
    `${name} P@10 ${pct(m.before)} → ${pct(m.after)}${m.dropped ? ` (a drop beyond noise, ±${pct(m.tolerance)})` : ''}`;
  return `held-out ${part('user → song', d.userToSong)}, ${part('song → song', d.songToSong)}`;
}
