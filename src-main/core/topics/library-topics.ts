/**
 * Fits the LDA topic model on the library's song tags and stores it: the model (with its fingerprint,
 * the topic-model version) and every tagged track's θ, topic set and dominant topic. Topic ids outside
 * this folder are 1..K. See docs/topics.md.
 */
import type { Database } from 'better-sqlite3';
import { RateMeter, throttle, type Progress } from '../jobs/progress.ts';
import { docTheta, fitLdaAsync, labelTopics, LDA_DEFAULTS, topicModelFingerprint, topicSet, topTags } from './lda.ts';
import type { LdaModel, LdaOptions, TopicTag } from './lda.ts';
import { harvestLibraryTags } from './library-tags.ts';
import { buildVocabulary } from './vocabulary.ts';

/**
 * A tag must be on at least this many songs to enter the vocabulary, unless dropping it would leave a
 * song with no tag at all (see {@link pruneRareTags}).
 */
export const DEFAULT_MIN_DOC_FREQ = 2;
/** Tags stored and shown per topic. */
export const TOP_TAGS_PER_TOPIC = 10;

/** The LDA's own options (k, seed, sweeps, priors, averaging) plus the library fit's. */
export interface TopicFitOptions extends Omit<LdaOptions, 'onProgress' | 'signal'> {
  /** Default {@link DEFAULT_MIN_DOC_FREQ}. */
  minDocFreq?: number;
  /** Aborting stops the fit between sweeps; the fit then rejects and nothing is stored. */
  signal?: AbortSignal;
  /** Sweeps done / total, rate (sweeps/s) and ETA; at most once per `progressIntervalMs`, always at the end. */
  onProgress?: (progress: Progress) => void;
  progressIntervalMs?: number;
}

/** One topic as every command and the UI show it. */
export interface TopicSummary {
  /** 1..K. */
  id: number;
  label: string;
  /** The topic's most probable tags (by φ), most probable first. */
  topTags: string[];
  /** Songs whose topic set contains this topic. */
  songs: number;
}

export class NoTaggedSongsError extends Error {
  constructor(where: string) {
    super(
      `no song ${where} has a usable tag, so there is nothing to fit (add tags with \`cadenza tag add\` or \`cadenza tags import\`)`,
    );
    this.name = 'NoTaggedSongsError';
  }
}

/**
 * Drops tags found on fewer than `minDocFreq` songs, except on a song where that would drop every tag
 * (that song keeps its own tags, so every tagged song still gets a topic).
 */
export function pruneRareTags(docs: readonly (readonly string[])[], minDocFreq: number): string[][] {
  if (!Number.isInteger(minDocFreq) || minDocFreq < 1)
    throw new RangeError(`minDocFreq must be a positive integer, got ${minDocFreq}`);
  const df = new Map<string, number>();
  for (const doc of docs) for (const t of new Set(doc)) df.set(t, (df.get(t) ?? 0) + 1);
  return docs.map((doc) => {
    const kept = doc.filter((t) => (df.get(t) ?? 0) >= minDocFreq);
    return kept.length > 0 ? kept : [...doc];
  });
}

export interface FittedTopics {
  vocab: string[];
  /** The documents as tag ids (empty for untagged songs). */
  docs: number[][];
  model: LdaModel;
  fingerprint: string;
  minDocFreq: number;
  /** Index = 0-based topic. */
  labels: string[];
  topTags: TopicTag[][];
  /** Per document: its topic set as 1-based ids, most probable first; [] for a song without tags. */
  topicSets: number[][];
  elapsedMs: number;
}

/** Fits the topic model on documents of canonical tags (one per song). Pure apart from the clock. */
export async function fitTagDocuments(
  rawDocs: readonly (readonly string[])[],
  options: TopicFitOptions = {},
): Promise<FittedTopics> {
  const started = performance.now();
  const minDocFreq = options.minDocFreq ?? DEFAULT_MIN_DOC_FREQ;
  const { vocab, docs } = buildVocabulary(pruneRareTags(rawDocs, minDocFreq));
  if (vocab.length === 0) throw new NoTaggedSongsError('given');
  const meter = new RateMeter();
  const report = options.onProgress ? throttle(options.onProgress, options.progressIntervalMs ?? 100) : undefined;
  const lda: LdaOptions & { yieldEveryMs?: number } = {
    k: options.k ?? LDA_DEFAULTS.k,
    seed: options.seed ?? LDA_DEFAULTS.seed,
    sweeps: options.sweeps ?? LDA_DEFAULTS.sweeps,
    alpha: options.alpha ?? LDA_DEFAULTS.alpha,
    beta: options.beta ?? LDA_DEFAULTS.beta,
    averageLast: options.averageLast ?? LDA_DEFAULTS.averageLast,
  };
  if (options.signal) lda.signal = options.signal;
  if (report) lda.onProgress = (sweep, total) => report(meter.measure(sweep, total), sweep === total);
  const model = await fitLdaAsync(docs, vocab.length, lda);
  const topicSets = docs.map((doc, d) => (doc.length === 0 ? [] : topicSet(docTheta(model, d)).map((t) => t + 1)));
  return {
    vocab,
    docs,
    model,
    fingerprint: topicModelFingerprint(model, vocab),
    minDocFreq,
    labels: labelTopics(model, vocab),
    topTags: topTags(model, vocab, TOP_TAGS_PER_TOPIC),
    topicSets,
    elapsedMs: performance.now() - started,
  };
}

/** The topics of a fit, with their song counts (songs whose topic set contains the topic). */
export function summarizeTopics(fitted: FittedTopics): TopicSummary[] {
  const songs = new Array<number>(fitted.model.k).fill(0);
  for (const set of fitted.topicSets) for (const id of set) songs[id - 1]!++;
  return fitted.labels.map((label, t) => ({
    id: t + 1,
    label,
    topTags: (fitted.topTags[t] ?? []).map((x) => x.tag),
    songs: songs[t]!,
  }));
}

export interface LibraryFitResult {
  modelId: number;
  /** The new topic-model version. */
  fingerprint: string;
  /** The version it replaced, or null for the first fit. */
  previousFingerprint: string | null;
  /** True when the topics changed (a model trained on the previous topics is now out of date). */
  changed: boolean;
  k: number;
  seed: number;
  sweeps: number;
  alpha: number;
  beta: number;
  minDocFreq: number;
  vocabularySize: number;
  /** Tracks in the library; tagged ones got topics, untagged ones got none. */
  tracks: number;
  tagged: number;
  untagged: number;
  /** Tag tokens the model saw. */
  tokens: number;
  elapsedMs: number;
  topics: TopicSummary[];
}

/**
 * Fits the topic model on the library's effective tags (file + import + user, minus removed) and
 * stores it in one transaction, replacing the previous model and its track topics. Tracks without a
 * known tag get no row. Cancellable through `options.signal` (nothing is stored then).
 */
export async function fitLibraryTopics(
  db: Database,
  options: TopicFitOptions = {},
  now: () => number = Date.now,
): Promise<LibraryFitResult> {
  const harvested = harvestLibraryTags(db);
  const fitted = await fitTagDocuments(
    harvested.map((h) => h.tags),
    options,
  ).catch((error: unknown) => {
    if (error instanceof NoTaggedSongsError) throw new NoTaggedSongsError('in the library');
    throw error;
  });
  options.signal?.throwIfAborted();
  const { model, vocab } = fitted;
  const stored = db
    .transaction(() => {
      const previous = currentTopicModel(db)?.fingerprint ?? null;
      db.prepare('DELETE FROM topic_models').run();
      const modelId = Number(
        db
          .prepare(
            `INSERT INTO topic_models (fingerprint, k, seed, alpha, beta, sweeps, min_doc_freq, vocab, topic_word, topic_share,
             labels, top_tags, num_docs, num_tokens, log_likelihood, created_at, active)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`,
          )
          .run(
            fitted.fingerprint,
            model.k,
            model.seed,
            model.alpha,
            model.beta,
            model.sweeps,
            fitted.minDocFreq,
            JSON.stringify(vocab),
            float32ToBlob(model.topicWord),
            float32ToBlob(model.topicShare),
            JSON.stringify(fitted.labels),
            JSON.stringify(fitted.topTags.map((list) => list.map(({ tag, weight }) => ({ tag, weight })))),
            model.numDocs,
            model.numTokens,
            Number.isFinite(model.logLikelihood) ? model.logLikelihood : null,
            now(),
          ).lastInsertRowid,
      );
      // A track deleted by a rescan while the model was fitting is skipped rather than failing the fit.
      const insert = db.prepare(
        `INSERT INTO track_topics (track_id, model_id, theta, topic_set, dominant)
       SELECT ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM tracks WHERE id = ?)`,
      );
      let tagged = 0;
      harvested.forEach((h, d) => {
        const set = fitted.topicSets[d]!;
        if (set.length === 0) return;
        tagged++;
        insert.run(h.trackId, modelId, float32ToBlob(docTheta(model, d)), JSON.stringify(set), set[0]!, h.trackId);
      });
      return { modelId, previous, tagged };
    })
    .immediate();
  return {
    modelId: stored.modelId,
    fingerprint: fitted.fingerprint,
    previousFingerprint: stored.previous,
    changed: stored.previous !== fitted.fingerprint,
    k: model.k,
    seed: model.seed,
    sweeps: model.sweeps,
    alpha: model.alpha,
    beta: model.beta,
    minDocFreq: fitted.minDocFreq,
    vocabularySize: vocab.length,
    tracks: harvested.length,
    tagged: stored.tagged,
    untagged: harvested.length - stored.tagged,
    tokens: model.numTokens,
    elapsedMs: fitted.elapsedMs,
    topics: summarizeTopics(fitted),
  };
}

/** The stored (active) topic model. */
export interface StoredTopicModel {
  id: number;
  fingerprint: string;
  k: number;
  seed: number;
  alpha: number;
  beta: number;
  sweeps: number;
  minDocFreq: number;
  vocab: string[];
  /** k × vocab.length, row-major φ. */
  topicWord: Float32Array;
  topicShare: Float32Array;
  /** Index = 0-based topic. */
  labels: string[];
  topTags: { tag: string; weight: number }[][];
  numDocs: number;
  numTokens: number;
  logLikelihood: number | null;
  createdAt: number;
}

interface ModelRow {
  id: number;
  fingerprint: string;
  k: number;
  seed: number;
  alpha: number;
  beta: number;
  sweeps: number;
  min_doc_freq: number;
  vocab: string;
  topic_word: Buffer;
  topic_share: Buffer;
  labels: string;
  top_tags: string;
  num_docs: number;
  num_tokens: number;
  log_likelihood: number | null;
  created_at: number;
}

/** The active topic model, or null before the first fit. */
export function currentTopicModel(db: Database): StoredTopicModel | null {
  const row = db.prepare('SELECT * FROM topic_models WHERE active = 1').get() as ModelRow | undefined;
  if (!row) return null;
  return {
    id: row.id,
    fingerprint: row.fingerprint,
    k: row.k,
    seed: row.seed,
    alpha: row.alpha,
    beta: row.beta,
    sweeps: row.sweeps,
    minDocFreq: row.min_doc_freq,
    vocab: JSON.parse(row.vocab) as string[],
    topicWord: blobToFloat32(row.topic_word),
    topicShare: blobToFloat32(row.topic_share),
    labels: JSON.parse(row.labels) as string[],
    topTags: JSON.parse(row.top_tags) as { tag: string; weight: number }[][],
    numDocs: row.num_docs,
    numTokens: row.num_tokens,
    logLikelihood: row.log_likelihood,
    createdAt: row.created_at,
  };
}

/**
 * True when `fingerprint` (e.g. the topic version a trained model recorded) is the active topic
 * model's; false when the topics were refitted differently since, or were never fitted.
 */
export function isTopicModelCurrent(db: Database, fingerprint: string): boolean {
  const row = db.prepare('SELECT fingerprint FROM topic_models WHERE active = 1').get() as { fingerprint: string } | undefined;
  return row !== undefined && row.fingerprint === fingerprint;
}

/**
 * The stored model as an {@link LdaModel} for `inferTopics` (fold-in of a new song's tags). It has no
 * per-document θ (`docTopic` is empty, `numDocs` 0).
 */
export function toLdaModel(stored: StoredTopicModel): LdaModel {
  return {
    k: stored.k,
    alpha: stored.alpha,
    beta: stored.beta,
    vocabSize: stored.vocab.length,
    topicWord: stored.topicWord,
    docTopic: new Float32Array(0),
    topicShare: stored.topicShare,
    sweeps: stored.sweeps,
    seed: stored.seed,
    numDocs: 0,
    numTokens: stored.numTokens,
    logLikelihood: stored.logLikelihood ?? Number.NaN,
  };
}

/** The active model's topics (ids 1..K) with their song counts; [] before the first fit. */
export function showTopics(db: Database): TopicSummary[] {
  const model = currentTopicModel(db);
  if (!model) return [];
  const counts = db
    .prepare(
      `SELECT CAST(j.value AS INTEGER) AS topic, COUNT(*) AS songs
       FROM track_topics tt, json_each(tt.topic_set) j
       WHERE tt.model_id = ? GROUP BY topic`,
    )
    .all(model.id) as { topic: number; songs: number }[];
  const songs = new Map(counts.map((c) => [c.topic, c.songs]));
  return model.labels.map((label, t) => ({
    id: t + 1,
    label,
    topTags: (model.topTags[t] ?? []).map((x) => x.tag),
    songs: songs.get(t + 1) ?? 0,
  }));
}

export interface TrackTopics {
  trackId: number;
  modelId: number;
  fingerprint: string;
  /** θ over the K topics (index = id − 1). */
  theta: Float32Array;
  /** 1-based topic ids, most probable first. */
  topicSet: number[];
  /** 1-based id of the most probable topic. */
  dominant: number;
}

/** A track's topics under the active model; null when it has no tags (or nothing was fitted yet). */
export function trackTopics(db: Database, trackId: number): TrackTopics | null {
  const row = db
    .prepare(
      `SELECT tt.track_id, tt.model_id, m.fingerprint, tt.theta, tt.topic_set, tt.dominant
       FROM track_topics tt JOIN topic_models m ON m.id = tt.model_id
       WHERE tt.track_id = ? AND m.active = 1`,
    )
    .get(trackId) as
    { track_id: number; model_id: number; fingerprint: string; theta: Buffer; topic_set: string; dominant: number } | undefined;
  if (!row) return null;
  return {
    trackId: row.track_id,
    modelId: row.model_id,
    fingerprint: row.fingerprint,
    theta: blobToFloat32(row.theta),
    topicSet: JSON.parse(row.topic_set) as number[],
    dominant: row.dominant,
  };
}

/** Float32 values as a little-endian BLOB. */
export function float32ToBlob(values: Float32Array): Buffer {
  const buf = Buffer.alloc(values.length * 4);
  for (let i = 0; i < values.length; i++) buf.writeFloatLE(values[i]!, i * 4);
  return buf;
}

/** A little-endian float32 BLOB as a Float32Array (a copy). */
export function blobToFloat32(blob: Buffer): Float32Array {
  if (blob.length % 4 !== 0) throw new RangeError(`a float32 BLOB has a multiple of 4 bytes, got ${blob.length}`);
  const out = new Float32Array(blob.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = blob.readFloatLE(i * 4);
  return out;
}
