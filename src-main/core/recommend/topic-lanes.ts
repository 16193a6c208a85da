/**
 * The blended topic queue's lanes (docs/recommend.md#blended-topic-queue): for each topic t and song i
 * an affinity in [0, 1] — the topic mix predicted from the song's audio (softmax over −D(π(e_t), φ(i))),
 * averaged with the song's own tag mix θ when it has tags — stored negated, topic-major, so that
 * a lane is a plain score array (lower = better) for blendQueue. Pure: arrays in, arrays out.
 */
import type { Lane } from './ranking.ts';

/** How much a tagged song's own topic mix counts against the audio model's prediction. */
export const TAG_WEIGHT = 0.5;

/**
 * The topic mix predicted from one song's distances to each one-topic selection: softmax of
 * −(d_t − min d)/s, with s the mean of (d_t − min d), so the mix does not depend on D's scale.
 */
export function topicMixFromDistances(d: ArrayLike<number>, out = new Float32Array(d.length)): Float32Array {
  const k = d.length;
  let min = Infinity;
  for (let t = 0; t < k; t++) min = Math.min(min, d[t]!);
  let spread = 0;
  for (let t = 0; t < k; t++) spread += d[t]! - min;
  spread = Math.max(1e-6, spread / k);
  let total = 0;
  for (let t = 0; t < k; t++) total += out[t] = Math.exp(-(d[t]! - min) / spread);
  for (let t = 0; t < k; t++) out[t]! /= total;
  return out;
}

/**
 * Turns `table` (k × n, topic-major: D(π(e_t), φ(i)) at t·n + i) in place into the lanes' scores,
 * −affinity. `thetaOf(i)` gives song i's tag mix (length k) or null for a song without tags.
 * Returns which songs were ranked with their tags.
 */
export function distancesToLaneScores(
  table: Float32Array,
  k: number,
  thetaOf: (i: number) => ArrayLike<number> | null,
): Uint8Array {
  distancesToAudioLanes(table, k);
  return addTagMixes(table, k, thetaOf);
}

/** In place: every song of an audio lane table that has tags is ranked by them with the audio. Returns which. */
export function addTagMixes(table: Float32Array, k: number, thetaOf: (i: number) => ArrayLike<number> | null): Uint8Array {
  const n = table.length / k;
  const tagged = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const theta = thetaOf(i);
    if (theta) tagged[i] = addTagMix(table, k, i, theta) ? 1 : 0;
  }
  return tagged;
}

/** In place: D table → −(the audio model's predicted mix), every song as if untagged. */
export function distancesToAudioLanes(table: Float32Array, k: number): void {
  const n = table.length / k;
  const d = new Float32Array(k);
  const mix = new Float32Array(k);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < k; t++) d[t] = table[t * n + i]!;
    topicMixFromDistances(d, mix);
    for (let t = 0; t < k; t++) table[t * n + i] = -mix[t]!;
  }
}

/** In place: song i of an audio lane table is ranked by its tags with the audio. False if θ does not fit. */
export function addTagMix(table: Float32Array, k: number, i: number, theta: ArrayLike<number>): boolean {
  if (theta.length !== k) return false;
  const n = table.length / k;
  for (let t = 0; t < k; t++) table[t * n + i] = -((1 - TAG_WEIGHT) * -table[t * n + i]! + TAG_WEIGHT * theta[t]!);
  return true;
}

/** The lanes of a selection (1-based topic ids, weights beside; equal when absent) over a lane table. */
export function selectionLanes(
  laneScores: Float32Array,
  k: number,
  topics: readonly number[],
  weights?: readonly number[],
): Lane[] {
  const n = laneScores.length / k;
  return topics.map((t, j) => ({
    scores: laneScores.subarray((t - 1) * n, t * n),
    weight: weights?.[j] ?? 1,
  }));
}
