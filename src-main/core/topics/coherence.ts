/**
 * Topic coherence over document co-occurrence, and a random-topic baseline.
 * A document counts a tag once however often it lists it.
 */
import { createRng } from './rng.ts';

interface CoCounts {
  numDocs: number;
  /** Document frequency of each word of `topics`, by position: df[t][i]. */
  df: number[][];
  /** Co-document frequency of words i and j of topic t: co[t][i * size + j]. */
  co: number[][];
}

function countCooccurrence(topics: readonly (readonly number[])[], docs: readonly (readonly number[])[]): CoCounts {
  const slot = new Map<number, number>();
  for (const topic of topics) for (const w of topic) if (!slot.has(w)) slot.set(w, slot.size);
  const u = slot.size;
  const single = new Float64Array(u);
  const pair = new Float64Array(u * u);
  const stamp = new Int32Array(u).fill(-1);
  const present: number[] = [];
  docs.forEach((doc, d) => {
    present.length = 0;
    for (const w of doc) {
      const s = slot.get(w);
      if (s !== undefined && stamp[s] !== d) {
        stamp[s] = d;
        present.push(s);
      }
    }
    for (let a = 0; a < present.length; a++) {
      const sa = present[a]!;
      single[sa] = single[sa]! + 1;
      for (let b = 0; b < present.length; b++) {
        if (a !== b) pair[sa * u + present[b]!] = pair[sa * u + present[b]!]! + 1;
      }
    }
  });
  const df: number[][] = [];
  const co: number[][] = [];
  for (const topic of topics) {
    const slots = topic.map((w) => slot.get(w) ?? 0);
    df.push(slots.map((s) => single[s]!));
    const m: number[] = [];
    for (const a of slots) for (const b of slots) m.push(pair[a * u + b]!);
    co.push(m);
  }
  return { numDocs: docs.length, df, co };
}

/**
 * NPMI coherence (Bouma 2009; Aletras & Stevenson 2013) of each topic: the
 * mean over all pairs of its tags of log(p(a,b) / (p(a)p(b))) / −log p(a,b),
 * probabilities being document frequencies in `docs`. In [−1, 1]; a pair
 * that never co-occurs scores −1. A topic with fewer than 2 tags scores 0.
 * Pass each topic's top 10 tag ids (see topTagIds).
 */
export function npmiCoherence(topTagIds: readonly (readonly number[])[], docs: readonly (readonly number[])[]): number[] {
  const { numDocs: N, df, co } = countCooccurrence(topTagIds, docs);
  return topTagIds.map((topic, t) => {
    const size = topic.length;
    if (size < 2 || N === 0) return 0;
    let total = 0;
    let pairs = 0;
    for (let i = 0; i < size; i++) {
      for (let j = i + 1; j < size; j++) {
        pairs++;
        const nij = co[t]![i * size + j]!;
        if (nij === 0) {
          total -= 1;
          continue;
        }
        const pij = nij / N;
        const pi = df[t]![i]! / N;
        const pj = df[t]![j]! / N;
        total += pij >= 1 ? 1 : Math.log(pij / (pi * pj)) / -Math.log(pij);
      }
    }
    return total / pairs;
  });
}

/**
 * UMass coherence (Mimno et al. 2011) of each topic, tags in rank order:
 * the mean over pairs i < j of log((D(w_i, w_j) + 1) / D(w_i)), where w_i is the
 * higher-ranked tag. ≤ 0 roughly; higher is more coherent. Tags absent from
 * every document are skipped as the conditioning word.
 */
export function umassCoherence(topTagIds: readonly (readonly number[])[], docs: readonly (readonly number[])[]): number[] {
  const { df, co } = countCooccurrence(topTagIds, docs);
  return topTagIds.map((topic, t) => {
    const size = topic.length;
    let total = 0;
    let pairs = 0;
    for (let i = 0; i < size; i++) {
      const di = df[t]![i]!;
      if (di === 0) continue;
      for (let j = i + 1; j < size; j++) {
        total += Math.log((co[t]![i * size + j]! + 1) / di);
        pairs++;
      }
    }
    return pairs === 0 ? 0 : total / pairs;
  });
}

export interface RandomTopicsOptions {
  /** PRNG seed (default 1). */
  seed?: number;
  /**
   * Ids to draw from (default: every id in [0, vocabSize)). Passing the union
   * of the fitted topics' top tags gives a stricter baseline: the same tags,
   * shuffled across topics.
   */
  pool?: readonly number[];
}

/**
 * Random "topics" for comparison: topic i gets `sizes[i]` distinct ids drawn
 * uniformly (without replacement within the topic) from the pool. Seeded.
 */
export function randomTopicsBaseline(sizes: readonly number[], vocabSize: number, opts: RandomTopicsOptions = {}): number[][] {
  const pool = opts.pool ? [...new Set(opts.pool)] : Array.from({ length: vocabSize }, (_, i) => i);
  const rng = createRng(opts.seed ?? 1);
  return sizes.map((size) => {
    const take = Math.min(Math.max(0, Math.floor(size)), pool.length);
    const a = pool.slice();
    // Partial Fisher–Yates: the first `take` entries become a uniform sample.
    for (let i = 0; i < take; i++) {
      const j = i + rng.int(a.length - i);
      const tmp = a[i]!;
      a[i] = a[j]!;
      a[j] = tmp;
    }
    return a.slice(0, take);
  });
}

/** Arithmetic mean (0 for an empty list). */
export function mean(xs: readonly number[]): number {
  return xs.length === 0 ? 0 : xs.reduce((s, x) => s + x, 0) / xs.length;
}
