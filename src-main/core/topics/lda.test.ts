import { describe, expect, it } from 'vitest';
import { hungarian } from './hungarian.ts';
import {
  docTheta,
  fitLda,
  fitLdaAsync,
  inferTopics,
  labelTags,
  labelTopic,
  lgamma,
  topicModelFingerprint,
  topicSet,
  topTagIds,
  topTags,
} from './lda.ts';
import type { LdaModel } from './lda.ts';
import { createRng } from './rng.ts';

/**
 * Synthetic corpus: TRUE_K topics, each owning 10 tags (ids t*10 … t*10+9,
 * weights ∝ 1/(rank+1)) plus a little mass on 10 shared noise tags (50–59).
 * A document has a main topic, sometimes a second one, and 5 distinct tags.
 */
const TRUE_K = 5;
const V = 60;

function trueTopic(t: number): Float64Array {
  const p = new Float64Array(V);
  for (let r = 0; r < 10; r++) p[t * 10 + r] = 1 / (r + 1);
  for (let w = 50; w < 60; w++) p[w] = 0.02;
  const s = p.reduce((a, b) => a + b, 0);
  return p.map((x) => x / s);
}

function draw(p: Float64Array, u: number): number {
  let acc = 0;
  for (let w = 0; w < p.length; w++) {
    acc += p[w]!;
    if (u < acc) return w;
  }
  return p.length - 1;
}

function syntheticCorpus(numDocs: number, seed: number): number[][] {
  const rng = createRng(seed);
  const topics = Array.from({ length: TRUE_K }, (_, t) => trueTopic(t));
  const docs: number[][] = [];
  for (let d = 0; d < numDocs; d++) {
    const main = rng.int(TRUE_K);
    const second = rng.next() < 0.3 ? rng.int(TRUE_K) : main;
    const doc = new Set<number>();
    while (doc.size < 5) doc.add(draw(topics[rng.next() < 0.7 ? main : second]!, rng.next()));
    docs.push([...doc]);
  }
  return docs;
}

function trueTop(t: number, n: number): number[] {
  return Array.from({ length: n }, (_, r) => t * 10 + r);
}

/** fitted topic → true topic, by Hungarian assignment on top-5 overlap. */
function matchTopics(model: LdaModel): { match: number[]; overlap: number[] } {
  const fitted = topTagIds(model, 5);
  const cost = fitted.map((f) => Array.from({ length: TRUE_K }, (_, t) => -f.filter((w) => trueTop(t, 5).includes(w)).length));
  const match = hungarian(cost);
  return { match, overlap: match.map((t, f) => -cost[f]![t]! / 5) };
}

const corpus = syntheticCorpus(1500, 11);
const model = fitLda(corpus, V, { k: TRUE_K, seed: 7, sweeps: 200 });

describe('fitLda', () => {
  it('recovers known topics (Hungarian-matched top-5 overlap)', () => {
    const { match, overlap } = matchTopics(model);
    expect(new Set(match).size).toBe(TRUE_K);
    for (const o of overlap) expect(o).toBeGreaterThanOrEqual(0.8);
    expect(overlap.reduce((a, b) => a + b, 0) / TRUE_K).toBeGreaterThanOrEqual(0.9);
  });

  it('produces normalised φ and θ', () => {
    expect(model.topicWord).toHaveLength(TRUE_K * V);
    expect(model.docTopic).toHaveLength(corpus.length * TRUE_K);
    for (let t = 0; t < TRUE_K; t++) {
      const row = model.topicWord.subarray(t * V, (t + 1) * V);
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    }
    for (const d of [0, 100, 1499]) expect(docTheta(model, d).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    expect(model.topicShare.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    expect(model.numTokens).toBe(1500 * 5);
    expect(Number.isFinite(model.logLikelihood)).toBe(true);
  });

  it('is deterministic: the same seed gives bit-identical topics, another seed differs', () => {
    const again = fitLda(corpus, V, { k: TRUE_K, seed: 7, sweeps: 200 });
    expect(Buffer.from(again.topicWord.buffer).equals(Buffer.from(model.topicWord.buffer))).toBe(true);
    expect(Buffer.from(again.docTopic.buffer).equals(Buffer.from(model.docTopic.buffer))).toBe(true);
    expect(again.logLikelihood).toBe(model.logLikelihood);
    const other = fitLda(corpus, V, { k: TRUE_K, seed: 8, sweeps: 200 });
    expect(Buffer.from(other.docTopic.buffer).equals(Buffer.from(model.docTopic.buffer))).toBe(false);
  });

  it('improves the likelihood over a 1-sweep fit', () => {
    const rough = fitLda(corpus, V, { k: TRUE_K, seed: 7, sweeps: 1, averageLast: 1 });
    expect(model.logLikelihood).toBeGreaterThan(rough.logLikelihood);
  });

  it('reports progress and honours an abort signal', () => {
    const seen: number[] = [];
    fitLda(corpus.slice(0, 50), V, { k: 3, sweeps: 4, onProgress: (s, total) => seen.push(s * 10 + total) });
    expect(seen).toEqual([14, 24, 34, 44]);
    const ac = new AbortController();
    expect(() =>
      fitLda(corpus, V, {
        k: 3,
        sweeps: 100,
        signal: ac.signal,
        onProgress: (s) => {
          if (s === 3) ac.abort(new Error('stop'));
        },
      }),
    ).toThrow('stop');
  });

  it('fitLdaAsync matches fitLda and can be aborted from the event loop', async () => {
    const small = corpus.slice(0, 300);
    const sync = fitLda(small, V, { k: TRUE_K, seed: 3, sweeps: 30 });
    const async = await fitLdaAsync(small, V, { k: TRUE_K, seed: 3, sweeps: 30, yieldEveryMs: 0 });
    expect(Buffer.from(async.topicWord.buffer).equals(Buffer.from(sync.topicWord.buffer))).toBe(true);
    const ac = new AbortController();
    setImmediate(() => ac.abort(new Error('cancelled')));
    await expect(fitLdaAsync(corpus, V, { k: TRUE_K, sweeps: 10_000, signal: ac.signal, yieldEveryMs: 0 })).rejects.toThrow('cancelled');
  });

  it('validates its input', () => {
    expect(() => fitLda([[0, 60]], V)).toThrow(RangeError);
    expect(() => fitLda([[0]], V, { k: 0 })).toThrow(RangeError);
    expect(() => fitLda([[0]], V, { alpha: 0 })).toThrow(RangeError);
    expect(() => fitLda([[0]], 0)).toThrow(RangeError);
  });

  it('gives empty documents the uniform θ', () => {
    const m = fitLda([[0, 1], [], [2]], 3, { k: 4, sweeps: 5 });
    expect([...docTheta(m, 1)]).toEqual([0.25, 0.25, 0.25, 0.25]);
  });
});

describe('inferTopics', () => {
  const { match } = matchTopics(model);
  it('puts a new document in the topic its tags come from', () => {
    for (let t = 0; t < TRUE_K; t++) {
      const fitted = match.indexOf(t);
      const theta = inferTopics(model, trueTop(t, 4), { seed: 5 });
      expect(theta).toHaveLength(TRUE_K);
      expect(theta.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
      expect(topicSet(theta)[0]).toBe(fitted);
      expect(theta[fitted]).toBeGreaterThan(0.7);
    }
  });

  it('splits a mixed document between its two topics', () => {
    const theta = inferTopics(model, [...trueTop(0, 3), ...trueTop(1, 3)], { seed: 5 });
    expect(topicSet(theta).sort()).toEqual([match.indexOf(0), match.indexOf(1)].sort());
  });

  it('is deterministic per seed and ignores unknown ids', () => {
    const a = inferTopics(model, [0, 1, 12, 13], { seed: 9 });
    const b = inferTopics(model, [0, 1, 12, 13, 99, -1], { seed: 9 });
    expect([...b]).toEqual([...a]);
    expect([...inferTopics(model, [], {})]).toEqual(Array(TRUE_K).fill(1 / TRUE_K).map((x: number) => Math.fround(x)));
  });
});

describe('topicSet', () => {
  it('takes topics with θ ≥ threshold, at least the top one, ordered by θ', () => {
    expect(topicSet([0.1, 0.5, 0.25, 0.15])).toEqual([1, 2]);
    expect(topicSet([0.15, 0.14, 0.13, 0.12, 0.16, 0.15, 0.15])).toEqual([4]);
    expect(topicSet([0.3, 0.3, 0.4], 0.35)).toEqual([2]);
    expect(topicSet([0.2, 0.2, 0.6])).toEqual([2, 0, 1]);
    expect(topicSet([])).toEqual([]);
  });
});

describe('topic labels and fingerprint', () => {
  const vocab = Array.from({ length: V }, (_, w) => `tag${w}`);
  it('lists top tags with weights in decreasing order', () => {
    const tops = topTags(model, vocab, 10);
    expect(tops).toHaveLength(TRUE_K);
    for (const t of tops) {
      expect(t).toHaveLength(10);
      for (let i = 1; i < t.length; i++) expect(t[i]!.weight).toBeLessThanOrEqual(t[i - 1]!.weight);
      expect(t[0]!.tag).toBe(`tag${t[0]!.id}`);
    }
  });

  it('labels a topic by its distinctive tags', () => {
    const { match } = matchTopics(model);
    const f = match.indexOf(2);
    expect(labelTags(model, vocab, f, { n: 2 })).toEqual(['tag20', 'tag21']);
    expect(labelTopic(model, vocab, f, { n: 2, separator: '/' })).toBe('tag20/tag21');
    expect(() => labelTopic(model, vocab, TRUE_K)).toThrow(RangeError);
  });

  it('fingerprints the topics: stable for a refit, changed by other topics or vocabulary', () => {
    const fp = topicModelFingerprint(model, vocab);
    expect(fp).toMatch(/^[0-9a-f]{16}$/);
    expect(topicModelFingerprint(fitLda(corpus, V, { k: TRUE_K, seed: 7, sweeps: 200 }), vocab)).toBe(fp);
    expect(topicModelFingerprint(fitLda(corpus, V, { k: TRUE_K, seed: 8, sweeps: 200 }), vocab)).not.toBe(fp);
    const renamed = vocab.slice();
    renamed[0] = 'other';
    expect(topicModelFingerprint(model, renamed)).not.toBe(fp);
  });
});

describe('lgamma', () => {
  it('matches known values', () => {
    expect(lgamma(1)).toBeCloseTo(0, 12);
    expect(lgamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(lgamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
    expect(lgamma(0.01)).toBeCloseTo(4.599479878042022, 10);
    expect(lgamma(1000.5)).toBeCloseTo(5908.674175848678, 8);
    expect(lgamma(123456.7) / 1323900.9753909183).toBeCloseTo(1, 12);
  });
});
