/**
 * Latent Dirichlet Allocation over song tags, by collapsed Gibbs sampling
 * (Griffiths & Steyvers 2004), written over flat typed arrays.
 *
 * A "document" is one song's list of tag ids (see vocabulary.ts); a topic is a
 * distribution φ over tags; each song gets a topic distribution θ.
 * Seeded and deterministic: the same documents, options and seed give
 * bit-identical `topicWord` / `docTopic` (all randomness comes from rng.ts and
 * the floating-point operations run in a fixed order).
 * Hyperparameter choices are documented in docs/topics.md.
 */
import { createHash } from 'node:crypto';
import { createRng } from './rng.ts';
import type { Rng } from './rng.ts';

export const LDA_DEFAULTS = {
  k: 7,
  seed: 1,
  sweeps: 500,
  /** Symmetric document–topic prior; sparse, because a song has only ~3–10 tags. */
  alpha: 0.3,
  /** Symmetric topic–tag prior. */
  beta: 0.1,
  /** θ and φ are averaged over this many final sweeps (clamped to `sweeps`). */
  averageLast: 50,
} as const;

export interface LdaOptions {
  /** Number of topics (default 7). */
  k?: number;
  /** PRNG seed (default 1). */
  seed?: number;
  /** Gibbs sweeps over all tokens (default 500). */
  sweeps?: number;
  /** Document–topic Dirichlet prior (default 0.3). */
  alpha?: number;
  /** Topic–tag Dirichlet prior (default 0.1). */
  beta?: number;
  /** Average θ and φ over this many final sweeps (default 50; 1 = last sample only). */
  averageLast?: number;
  /** Called after every sweep with (sweepsDone, sweepsTotal). */
  onProgress?: (sweep: number, total: number) => void;
  /** Checked before every sweep; an aborted signal makes the fit throw its reason. */
  signal?: AbortSignal;
}

export interface LdaModel {
  k: number;
  alpha: number;
  beta: number;
  vocabSize: number;
  /** k × vocabSize, row-major: topicWord[t * vocabSize + w] = φ_t(w); rows sum to 1. */
  topicWord: Float32Array;
  /** numDocs × k, row-major: docTopic[d * k + t] = θ_d(t); rows sum to 1 (uniform for empty docs). */
  docTopic: Float32Array;
  /** Share of all tag tokens assigned to each topic (length k; uniform when there are no tokens). */
  topicShare: Float32Array;
  sweeps: number;
  seed: number;
  numDocs: number;
  numTokens: number;
  /** log p(w, z) of the final sample (collapsed joint); higher is better, comparable for equal data. */
  logLikelihood: number;
}

interface Resolved {
  k: number;
  seed: number;
  sweeps: number;
  alpha: number;
  beta: number;
  averageLast: number;
}

function resolve(opts: LdaOptions): Resolved {
  const k = opts.k ?? LDA_DEFAULTS.k;
  const seed = opts.seed ?? LDA_DEFAULTS.seed;
  const sweeps = opts.sweeps ?? LDA_DEFAULTS.sweeps;
  const alpha = opts.alpha ?? LDA_DEFAULTS.alpha;
  const beta = opts.beta ?? LDA_DEFAULTS.beta;
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`);
  if (!Number.isInteger(sweeps) || sweeps < 1) throw new RangeError(`sweeps must be a positive integer, got ${sweeps}`);
  if (!(alpha > 0) || !Number.isFinite(alpha)) throw new RangeError(`alpha must be > 0, got ${alpha}`);
  if (!(beta > 0) || !Number.isFinite(beta)) throw new RangeError(`beta must be > 0, got ${beta}`);
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be finite, got ${seed}`);
  const avg = opts.averageLast ?? LDA_DEFAULTS.averageLast;
  if (!Number.isInteger(avg) || avg < 1) throw new RangeError(`averageLast must be a positive integer, got ${avg}`);
  return { k, seed, sweeps, alpha, beta, averageLast: Math.min(avg, sweeps) };
}

/** The sampler state: flat count tables, no per-token allocation. */
class GibbsSampler {
  readonly k: number;
  readonly v: number;
  readonly d: number;
  readonly n: number;
  readonly alpha: number;
  readonly beta: number;
  private readonly vBeta: number;
  private readonly words: Int32Array;
  private readonly starts: Int32Array;
  private readonly z: Int32Array;
  /** vocabSize × k (word-major so the inner loop over topics is contiguous). */
  private readonly nwt: Int32Array;
  /** numDocs × k. */
  private readonly ndt: Int32Array;
  private readonly nt: Int32Array;
  private readonly invNt: Float64Array;
  private readonly cum: Float64Array;
  private readonly rng: Rng;
  /** Running sums for averaged θ / φ. */
  private readonly sumNdt: Float64Array;
  private readonly sumNwt: Float64Array;
  private samples = 0;

  constructor(docs: readonly (readonly number[])[], vocabSize: number, r: Resolved) {
    if (!Number.isInteger(vocabSize) || vocabSize < 1) throw new RangeError(`vocabSize must be a positive integer, got ${vocabSize}`);
    this.k = r.k;
    this.v = vocabSize;
    this.d = docs.length;
    this.alpha = r.alpha;
    this.beta = r.beta;
    this.vBeta = vocabSize * r.beta;
    let n = 0;
    for (const doc of docs) n += doc.length;
    this.n = n;
    this.words = new Int32Array(n);
    this.starts = new Int32Array(this.d + 1);
    let pos = 0;
    for (let d = 0; d < this.d; d++) {
      this.starts[d] = pos;
      const doc = docs[d] ?? [];
      for (const w of doc) {
        if (!Number.isInteger(w) || w < 0 || w >= vocabSize) throw new RangeError(`doc ${d}: tag id ${w} outside [0, ${vocabSize})`);
        this.words[pos++] = w;
      }
    }
    this.starts[this.d] = pos;
    const K = this.k;
    this.z = new Int32Array(n);
    this.nwt = new Int32Array(vocabSize * K);
    this.ndt = new Int32Array(this.d * K);
    this.nt = new Int32Array(K);
    this.invNt = new Float64Array(K);
    this.cum = new Float64Array(K);
    this.sumNdt = new Float64Array(this.d * K);
    this.sumNwt = new Float64Array(vocabSize * K);
    this.rng = createRng(r.seed);
    for (let d = 0; d < this.d; d++) {
      for (let i = this.starts[d]!; i < this.starts[d + 1]!; i++) {
        const t = this.rng.int(K);
        this.z[i] = t;
        this.nwt[this.words[i]! * K + t]!++;
        this.ndt[d * K + t]!++;
        this.nt[t]!++;
      }
    }
    for (let t = 0; t < K; t++) this.invNt[t] = 1 / (this.nt[t]! + this.vBeta);
  }

  /** One pass over every token. */
  sweep(): void {
    const K = this.k;
    const D = this.d;
    const alpha = this.alpha;
    const beta = this.beta;
    const vBeta = this.vBeta;
    const words = this.words;
    const starts = this.starts;
    const z = this.z;
    const nwt = this.nwt;
    const ndt = this.ndt;
    const nt = this.nt;
    const invNt = this.invNt;
    const cum = this.cum;
    const rng = this.rng;
    const last = K - 1;
    for (let d = 0; d < D; d++) {
      const end = starts[d + 1]!;
      const dO = d * K;
      for (let i = starts[d]!; i < end; i++) {
        const wO = words[i]! * K;
        let t = z[i]!;
        nwt[wO + t]!--;
        ndt[dO + t]!--;
        nt[t]!--;
        invNt[t] = 1 / (nt[t]! + vBeta);
        let sum = 0;
        for (let k = 0; k < K; k++) {
          sum += (ndt[dO + k]! + alpha) * (nwt[wO + k]! + beta) * invNt[k]!;
          cum[k] = sum;
        }
        const u = rng.next() * sum;
        t = 0;
        while (t < last && cum[t]! <= u) t++;
        z[i] = t;
        nwt[wO + t]!++;
        ndt[dO + t]!++;
        nt[t]!++;
        invNt[t] = 1 / (nt[t]! + vBeta);
      }
    }
  }

  /** Adds the current sample to the θ / φ averages. */
  accumulate(): void {
    const { ndt, nwt, sumNdt, sumNwt } = this;
    for (let i = 0; i < ndt.length; i++) sumNdt[i] = sumNdt[i]! + ndt[i]!;
    for (let i = 0; i < nwt.length; i++) sumNwt[i] = sumNwt[i]! + nwt[i]!;
    this.samples++;
  }

  logLikelihood(): number {
    const { k: K, v: V, d: D, alpha, beta } = this;
    let ll = K * (lgamma(V * beta) - V * lgamma(beta));
    for (let t = 0; t < K; t++) {
      for (let w = 0; w < V; w++) ll += lgamma(this.nwt[w * K + t]! + beta);
      ll -= lgamma(this.nt[t]! + V * beta);
    }
    ll += D * (lgamma(K * alpha) - K * lgamma(alpha));
    for (let d = 0; d < D; d++) {
      for (let t = 0; t < K; t++) ll += lgamma(this.ndt[d * K + t]! + alpha);
      ll -= lgamma(this.starts[d + 1]! - this.starts[d]! + K * alpha);
    }
    return ll;
  }

  toModel(r: Resolved): LdaModel {
    const { k: K, v: V, d: D, alpha, beta } = this;
    const s = this.samples > 0 ? this.samples : 1;
    const nwt = this.samples > 0 ? this.sumNwt : Float64Array.from(this.nwt);
    const ndt = this.samples > 0 ? this.sumNdt : Float64Array.from(this.ndt);
    const topicWord = new Float32Array(K * V);
    const topicTotals = new Float64Array(K);
    for (let w = 0; w < V; w++) for (let t = 0; t < K; t++) topicTotals[t] = topicTotals[t]! + nwt[w * K + t]! / s;
    for (let t = 0; t < K; t++) {
      const denom = topicTotals[t]! + V * beta;
      for (let w = 0; w < V; w++) topicWord[t * V + w] = (nwt[w * K + t]! / s + beta) / denom;
    }
    const docTopic = new Float32Array(D * K);
    for (let d = 0; d < D; d++) {
      const len = this.starts[d + 1]! - this.starts[d]!;
      const denom = len + K * alpha;
      for (let t = 0; t < K; t++) docTopic[d * K + t] = (ndt[d * K + t]! / s + alpha) / denom;
    }
    const topicShare = new Float32Array(K);
    for (let t = 0; t < K; t++) topicShare[t] = this.n > 0 ? topicTotals[t]! / this.n : 1 / K;
    return {
      k: K,
      alpha,
      beta,
      vocabSize: V,
      topicWord,
      docTopic,
      topicShare,
      sweeps: r.sweeps,
      seed: r.seed,
      numDocs: D,
      numTokens: this.n,
      logLikelihood: this.logLikelihood(),
    };
  }
}

/**
 * Fits LDA to `docs` (tag ids per document, each in [0, vocabSize)).
 * Synchronous and CPU-bound: run it in a worker, or use {@link fitLdaAsync}
 * when an AbortSignal must be able to interrupt it from the event loop.
 */
export function fitLda(docs: readonly (readonly number[])[], vocabSize: number, opts: LdaOptions = {}): LdaModel {
  const r = resolve(opts);
  const sampler = new GibbsSampler(docs, vocabSize, r);
  for (let s = 1; s <= r.sweeps; s++) {
    opts.signal?.throwIfAborted();
    sampler.sweep();
    if (s > r.sweeps - r.averageLast) sampler.accumulate();
    opts.onProgress?.(s, r.sweeps);
  }
  return sampler.toModel(r);
}

/**
 * Same result as {@link fitLda} (bit-identical), but yields to the event loop
 * every `yieldEveryMs` (default 50 ms) so progress can be reported and the
 * signal can be aborted by other tasks.
 */
export async function fitLdaAsync(
  docs: readonly (readonly number[])[],
  vocabSize: number,
  opts: LdaOptions & { yieldEveryMs?: number } = {},
): Promise<LdaModel> {
  const r = resolve(opts);
  const every = opts.yieldEveryMs ?? 50;
  const sampler = new GibbsSampler(docs, vocabSize, r);
  let lastYield = performance.now();
  for (let s = 1; s <= r.sweeps; s++) {
    opts.signal?.throwIfAborted();
    sampler.sweep();
    if (s > r.sweeps - r.averageLast) sampler.accumulate();
    opts.onProgress?.(s, r.sweeps);
    if (performance.now() - lastYield >= every) {
      await new Promise<void>((resolveYield) => setImmediate(resolveYield));
      lastYield = performance.now();
    }
  }
  opts.signal?.throwIfAborted();
  return sampler.toModel(r);
}

export interface InferOptions {
  /** PRNG seed (default 1). */
  seed?: number;
  /** Fold-in Gibbs sweeps (default 60). */
  sweeps?: number;
  /** Sweeps discarded before θ is averaged (default 10, clamped below `sweeps`). */
  burnIn?: number;
}

/**
 * Topic distribution θ (length k) of a new document, by fold-in Gibbs
 * sampling with the topics φ fixed; θ is averaged over the post-burn-in
 * sweeps. Ids outside [0, vocabSize) are ignored; a document with no known
 * tags gets the uniform distribution. Deterministic for a given seed.
 */
export function inferTopics(model: LdaModel, doc: readonly number[], opts: InferOptions = {}): Float32Array {
  const K = model.k;
  const V = model.vocabSize;
  const sweeps = opts.sweeps ?? 60;
  if (!Number.isInteger(sweeps) || sweeps < 1) throw new RangeError(`sweeps must be a positive integer, got ${sweeps}`);
  const burnIn = Math.min(opts.burnIn ?? 10, sweeps - 1);
  const words = doc.filter((w) => Number.isInteger(w) && w >= 0 && w < V);
  const n = words.length;
  const theta = new Float32Array(K);
  if (n === 0) return theta.fill(1 / K);
  const rng = createRng(opts.seed ?? 1);
  const phi = model.topicWord;
  const alpha = model.alpha;
  const z = new Int32Array(n);
  const ndk = new Int32Array(K);
  const sum = new Float64Array(K);
  const cum = new Float64Array(K);
  for (let i = 0; i < n; i++) {
    const t = rng.int(K);
    z[i] = t;
    ndk[t]!++;
  }
  for (let s = 0; s < sweeps; s++) {
    for (let i = 0; i < n; i++) {
      const w = words[i]!;
      ndk[z[i]!]!--;
      let total = 0;
      for (let k = 0; k < K; k++) {
        total += (ndk[k]! + alpha) * phi[k * V + w]!;
        cum[k] = total;
      }
      const u = rng.next() * total;
      let t = 0;
      while (t < K - 1 && cum[t]! <= u) t++;
      z[i] = t;
      ndk[t]!++;
    }
    if (s >= burnIn) for (let k = 0; k < K; k++) sum[k] = sum[k]! + ndk[k]!;
  }
  const samples = sweeps - burnIn;
  for (let k = 0; k < K; k++) theta[k] = (sum[k]! / samples + alpha) / (n + K * alpha);
  return theta;
}

/** Default θ threshold of {@link topicSet}. */
export const TOPIC_SET_THRESHOLD = 0.2;

/**
 * A song's topic set: every topic with θ ≥ threshold, and always at least the
 * most probable one. 0-based topic indices ordered by θ descending (ties: lower
 * index first). Empty only for an empty θ. The app shows topic t as "t + 1".
 */
export function topicSet(theta: ArrayLike<number>, threshold: number = TOPIC_SET_THRESHOLD): number[] {
  const idx: number[] = [];
  for (let t = 0; t < theta.length; t++) idx.push(t);
  idx.sort((a, b) => theta[b]! - theta[a]! || a - b);
  const first = idx[0];
  if (first === undefined) return [];
  return [first, ...idx.slice(1).filter((t) => theta[t]! >= threshold)];
}

/** θ of document `d` of the fitted corpus (a view, not a copy). */
export function docTheta(model: LdaModel, d: number): Float32Array {
  if (!Number.isInteger(d) || d < 0 || d >= model.numDocs) throw new RangeError(`doc ${d} outside [0, ${model.numDocs})`);
  return model.docTopic.subarray(d * model.k, (d + 1) * model.k);
}

/** Ids of the `n` most probable tags of each topic (by φ, ties: lower id first). */
export function topTagIds(model: LdaModel, n = 10): number[][] {
  const V = model.vocabSize;
  const out: number[][] = [];
  for (let t = 0; t < model.k; t++) {
    const row = model.topicWord.subarray(t * V, (t + 1) * V);
    const ids = Array.from({ length: V }, (_, w) => w);
    ids.sort((a, b) => row[b]! - row[a]! || a - b);
    out.push(ids.slice(0, Math.min(n, V)));
  }
  return out;
}

export interface TopicTag {
  id: number;
  tag: string;
  /** φ_t(tag). */
  weight: number;
}

/** The `n` most probable tags of each topic, with their probabilities. */
export function topTags(model: LdaModel, vocab: readonly string[], n = 10): TopicTag[][] {
  if (vocab.length !== model.vocabSize) throw new RangeError(`vocab has ${vocab.length} tags, model ${model.vocabSize}`);
  return topTagIds(model, n).map((ids, t) =>
    ids.map((id) => ({ id, tag: vocab[id] ?? '', weight: model.topicWord[t * model.vocabSize + id] ?? 0 })),
  );
}

export interface LabelOptions {
  /** Tags in the label (default 3). */
  n?: number;
  /**
   * Relevance weight λ (Sievert & Shirley 2014): tags are ranked by
   * λ·log φ_t(w) + (1−λ)·log(φ_t(w) / p(w)). 1 = plain top tags; lower values
   * favour tags distinctive of the topic over tags common everywhere. Default 0.6.
   */
  lambda?: number;
  /** Separator between tags (default " · "). */
  separator?: string;
}

/** The tags ranked for topic `topic`'s label (see {@link LabelOptions.lambda}). */
export function labelTags(model: LdaModel, vocab: readonly string[], topic: number, opts: LabelOptions = {}): string[] {
  const { k: K, vocabSize: V, topicWord: phi, topicShare } = model;
  if (!Number.isInteger(topic) || topic < 0 || topic >= K) throw new RangeError(`topic ${topic} outside [0, ${K})`);
  if (vocab.length !== V) throw new RangeError(`vocab has ${vocab.length} tags, model ${V}`);
  const n = opts.n ?? 3;
  const lambda = opts.lambda ?? 0.6;
  const score = new Float64Array(V);
  for (let w = 0; w < V; w++) {
    let pw = 0;
    for (let t = 0; t < K; t++) pw += topicShare[t]! * phi[t * V + w]!;
    const p = phi[topic * V + w]!;
    score[w] = lambda * Math.log(p) + (1 - lambda) * Math.log(p / pw);
  }
  const ids = Array.from({ length: V }, (_, w) => w);
  ids.sort((a, b) => score[b]! - score[a]! || a - b);
  return ids.slice(0, n).map((id) => vocab[id] ?? '');
}

/** Human label of one topic: its top label tags joined, e.g. "ambient · soundtrack · piano". */
export function labelTopic(model: LdaModel, vocab: readonly string[], topic: number, opts: LabelOptions = {}): string {
  return labelTags(model, vocab, topic, opts).join(opts.separator ?? ' · ');
}

/** Labels of all topics, index = 0-based topic. */
export function labelTopics(model: LdaModel, vocab: readonly string[], opts: LabelOptions = {}): string[] {
  return Array.from({ length: model.k }, (_, t) => labelTopic(model, vocab, t, opts));
}

/**
 * Topic-model version: first 16 hex chars of SHA-256 over "lda-v1", k, the
 * vocabulary (in id order) and φ rounded to 3 decimals. Equal for bit-identical
 * refits; changes when the vocabulary, k or (visibly) any topic changes,
 * including a reordering of topics (which renumbers songs' topic sets).
 */
export function topicModelFingerprint(model: LdaModel, vocab: readonly string[]): string {
  if (vocab.length !== model.vocabSize) throw new RangeError(`vocab has ${vocab.length} tags, model ${model.vocabSize}`);
  const h = createHash('sha256');
  h.update(`lda-v1\u0000${model.k}\u0000${model.vocabSize}\u0000`);
  h.update(vocab.join('\u0000'));
  h.update('\u0000');
  const bytes = new DataView(new ArrayBuffer(model.topicWord.length * 4));
  for (let i = 0; i < model.topicWord.length; i++) bytes.setInt32(i * 4, Math.round(model.topicWord[i]! * 1000), true);
  h.update(new Uint8Array(bytes.buffer));
  return h.digest('hex').slice(0, 16);
}

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** log Γ(x) for x > 0 (Lanczos, g = 7; ~1e-13 relative error). */
export function lgamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgamma(1 - x);
  const y = x - 1;
  let a = LANCZOS[0]!;
  const t = y + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (y + i);
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(a);
}
