/** Tag vocabulary: maps canonical tags to dense ids for the topic model. */

export interface VocabularyOptions {
  /** Keep tags that occur in at least this many documents (default 1). */
  minDocFreq?: number;
}

export interface Vocabulary {
  /** Tag of each id, sorted by code unit order, so ids do not depend on document order. */
  vocab: string[];
  /** Tag → id. */
  index: Map<string, number>;
  /** Number of documents containing each id. */
  docFreq: Int32Array;
  /** The input documents as ids: unknown / rare tags dropped, duplicates removed, order kept. */
  docs: number[][];
}

/** Builds the vocabulary of `docs` (already-normalised tags) and encodes them. */
export function buildVocabulary(docs: readonly (readonly string[])[], opts: VocabularyOptions = {}): Vocabulary {
  const minDocFreq = opts.minDocFreq ?? 1;
  if (!Number.isFinite(minDocFreq) || minDocFreq < 1) throw new RangeError(`minDocFreq must be ≥ 1, got ${minDocFreq}`);
  const counts = new Map<string, number>();
  for (const doc of docs) {
    for (const tag of new Set(doc)) counts.set(tag, (counts.get(tag) ?? 0) + 1);
  }
  const vocab = [...counts.entries()]
    .filter(([, n]) => n >= minDocFreq)
    .map(([tag]) => tag)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const index = new Map<string, number>();
  vocab.forEach((tag, i) => index.set(tag, i));
  const docFreq = new Int32Array(vocab.length);
  vocab.forEach((tag, i) => (docFreq[i] = counts.get(tag) ?? 0));
  const encoded = docs.map((doc) => encodeDoc(doc, index));
  return { vocab, index, docFreq, docs: encoded };
}

/** Encodes one document with an existing vocabulary; unknown tags and duplicates are dropped. */
export function encodeDoc(doc: readonly string[], index: ReadonlyMap<string, number>): number[] {
  const out: number[] = [];
  const seen = new Set<number>();
  for (const tag of doc) {
    const id = index.get(tag);
    if (id !== undefined && !seen.has(id)) {
      seen.add(id);
      out.push(id);
    }
  }
  return out;
}
