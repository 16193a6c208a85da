/**
 * Recommendations from the active model's embeddings: the topic queue (rank every embedded song by
 * D(π(u), φ(i))), "more like this" (by D over φ from one or several seed tracks), each result with a
 * short explanation, and the queue rules and feedback of ranking.ts. See docs/recommend.md.
 */
import type { Database } from 'better-sqlite3';
import { loadModel, type LoadedModel } from '../model/store.ts';
import { blobToFloat32, currentTopicModel, trackTopics, type StoredTopicModel } from '../topics/library-topics.ts';
import { distanceScorer, type DistanceScorer } from './distance-kernel.ts';
import { listenerSays, recentlyPlayed, sessionReactions } from './feedback.ts';
import { distanceLayers, topicVector, userEmbedding } from './model-math.ts';
import { energyTable } from './energy.ts';
import { orderWithinLimits, type MixLimits } from './mix-rules.ts';
import { blendQueue, type FeedbackAnchor, type Lane, type Ranked, type RankTracks } from './ranking.ts';
import { songSimilarity, type SongSimilarity } from './song-similarity.ts';
import { tasteDirection, type TasteDirection } from './taste.ts';
import { smallestK } from './top-k.ts';
import { addTagMix, distancesToAudioLanes, selectionLanes, topicMixFromDistances } from './topic-lanes.ts';
import { TrackList, TrackListBuilder } from './track-list.ts';

export interface IndexedTrack {
  id: number;
  path: string;
  artist: string | null;
  title: string | null;
  /** For the per-album cap (album artist, else artist, with the album title). */
  album?: string | null;
  albumArtist?: string | null;
}

/** Every available, embedded track under one model, with a scorer for D. Rebuild after library changes. */
export class RecommendIndex implements RankTracks {
  readonly count: number;
  readonly artistKey: Int32Array;
  readonly songKey: Int32Array;
  readonly albumKey: Int32Array;
  private readonly byId: Map<number, number>;
  private readonly neighbourCache = new Map<number, { neighbours: Int32Array; distances: Float32Array }>();
  private lanes: TopicLaneTable | null = null;

  /** The tracks, packed (track-list.ts): `tracks.id(i)`, `tracks.at(i)`, `tracks.field(i, name)`. */
  readonly tracks: TrackList;

  constructor(
    readonly model: LoadedModel | null,
    tracks: readonly IndexedTrack[] | TrackList,
    readonly scorer: DistanceScorer,
    embeddings: Float32Array,
    /** The tracks' artist and song keys when the caller computed them already (the paged build does, per page). */
    keys?: TrackKeys,
  ) {
    if (!keys) {
      const made = new TrackKeys(tracks.length);
      for (let i = 0; i < tracks.length; i++) {
        const t = tracks instanceof TrackList ? tracks.at(i) : tracks[i]!;
        made.add(i, t.id, t.artist, t.title, t.album ?? null, t.albumArtist ?? null);
      }
      keys = made;
    }
    this.tracks = tracks instanceof TrackList ? tracks : TrackList.of(tracks);
    this.count = this.tracks.length;
    scorer.setItems(embeddings);
    this.artistKey = keys.artistKey.subarray(0, this.count);
    this.songKey = keys.songKey.subarray(0, this.count);
    this.albumKey = keys.albumKey.subarray(0, this.count);
    this.byId = keys.byId;
    this.artistByName = keys.artists;
    this.albumsByTitle = keys.albumTitles;
  }

  /** Normalised artist name → artist key (one entry per artist: a small map). */
  private readonly artistByName: Map<string, number>;
  /** Normalised album title → the keys of the albums with that title (one per album artist). */
  private readonly albumsByTitle: Map<string, number[]>;

  /**
   * The positions of the tracks whose normalised artist (or album title) is `name` (normalizeName), by
   * the interned keys: one pass over an Int32Array, no track name decoded.
   */
  tracksNamed(field: 'artist' | 'album', name: string): number[] {
    const wanted = field === 'artist' ? [this.artistByName.get(name) ?? -1] : (this.albumsByTitle.get(name) ?? []);
    const keys = field === 'artist' ? this.artistKey : this.albumKey;
    const out: number[] = [];
    if (!wanted.some((k) => k >= 0)) return out;
    if (wanted.length === 1) {
      const key = wanted[0]!;
      for (let i = 0; i < this.count; i++) if (keys[i] === key) out.push(i);
    } else {
      const set = new Set(wanted);
      for (let i = 0; i < this.count; i++) if (set.has(keys[i]!)) out.push(i);
    }
    return out;
  }

  /** The index of the active model's embeddings (available tracks only); null without a model. */
  static load(db: Database, dataDir: string, modelId?: number): RecommendIndex | null {
    const pages = indexPages(db, dataDir, modelId);
    let step = pages.next();
    while (!step.done) step = pages.next();
    return step.value;
  }

  /**
   * The same index built page by page, handing the thread back between pages (`between`), so a worker
   * that builds it still answers other messages; `between` may throw to abandon the build.
   */
  static async build(
    db: Database,
    dataDir: string,
    between: () => Promise<void>,
    options: { modelId?: number; pageRows?: number } = {},
  ): Promise<RecommendIndex | null> {
    const pages = indexPages(db, dataDir, options.modelId, options.pageRows);
    let step = pages.next();
    while (!step.done) {
      await between();
      step = pages.next();
    }
    return step.value;
  }

  indexOf(trackId: number): number | undefined {
    return this.byId.get(trackId);
  }

  /**
   * The blended queue's lane scores (topic-lanes.ts) for every indexed track, built on first use: one
   * D pass per topic, then each track's tag mix from the active topic model. K floats per track.
   */
  topicLanes(db: Database): TopicLaneTable {
    if (this.lanes) return this.lanes;
    const model = this.model;
    if (!model) throw new RecommendError('no trained model: run `cadenza train`');
    const k = model.meta.config.userInput;
    const table = new Float32Array(k * this.count);
    for (let t = 0; t < k; t++) table.set(this.scorer.score(userEmbedding(model, topicVector([t + 1], k))), t * this.count);
    distancesToAudioLanes(table, k);
    // The tags streamed from SQLite straight into the table (no per-track arrays kept).
    const tagged = new Uint8Array(this.count);
    const rows = db
      .prepare(
        `SELECT tt.track_id AS id, tt.theta FROM track_topics tt JOIN topic_models m ON m.id = tt.model_id WHERE m.active = 1 AND m.k = ?`,
      )
      .iterate(k) as IterableIterator<{ id: number; theta: Buffer }>;
    for (const r of rows) {
      const i = this.byId.get(r.id);
      if (i !== undefined && addTagMix(table, k, i, blobToFloat32(r.theta))) tagged[i] = 1;
    }
    this.lanes = { k, scores: table, tagged };
    return this.lanes;
  }

  /** The nearest `k` other tracks to track i by D over φ (cached per track). */
  neighbours(i: number, k = 50): { neighbours: Int32Array; distances: Float32Array } {
    const cached = this.neighbourCache.get(i);
    if (cached && cached.neighbours.length >= Math.min(k, this.count - 1)) return cached;
    const scores = this.scorer.score(Float32Array.from(this.scorer.item(i)));
    const top = smallestK(scores, k, (j) => j === i);
    const result = { neighbours: Int32Array.from(top), distances: Float32Array.from(top, (j) => scores[j]!) };
    this.neighbourCache.set(i, result);
    return result;
  }
}

/** Rows per keyset page of the index build: a page is a few ms of reading, so the thread is handed back often. */
export const INDEX_PAGE_ROWS = 2048;

/**
 * Reads the index's rows in keyset pages of track ids (the id order of the whole index, no sort): ids,
 * names and embeddings, the embeddings straight into one preallocated Float32Array. Yields after each page.
 */
function* indexPages(
  db: Database,
  dataDir: string,
  modelId?: number,
  pageRows = INDEX_PAGE_ROWS,
): Generator<void, RecommendIndex | null> {
  const model = loadModel(db, dataDir, modelId);
  if (!model) return null;
  const dim = model.meta.config.embedding;
  // At most this many rows: every embedding of the model (the available ones are fewer or as many).
  const most = (db.prepare('SELECT COUNT(*) AS n FROM track_embeddings WHERE model_id = ?').get(model.id) as { n: number }).n;
  let embeddings = new Float32Array(most * dim);
  const tracks = new TrackListBuilder(most);
  const keys = new TrackKeys(most);
  const page = db
    .prepare(
      `SELECT t.id, t.path, t.artist, t.title, t.album, t.album_artist, e.embedding FROM tracks t CROSS JOIN track_embeddings e ON e.track_id = t.id AND e.model_id = ?
       WHERE t.available = 1 AND t.id > ? ORDER BY t.id LIMIT ?`,
    )
    .raw();
  let after = -1;
  for (;;) {
    const rows = page.all(model.id, after, pageRows) as [
      number,
      string,
      string | null,
      string | null,
      string | null,
      string | null,
      Buffer,
    ][];
    for (const [id, path, artist, title, album, albumArtist, blob] of rows) {
      // A row added between the count and this page (a concurrent embedding) does not fit: the next build has it.
      if (tracks.length === most) break;
      new Uint8Array(embeddings.buffer, tracks.length * dim * 4, dim * 4).set(blob.subarray(0, dim * 4));
      keys.add(tracks.length, id, artist, title, album, albumArtist);
      tracks.add({ id, path, artist, title, album, albumArtist });
    }
    if (rows.length < pageRows || tracks.length === most) break;
    after = rows[rows.length - 1]![0];
    yield;
  }
  if (tracks.length < most) embeddings = embeddings.slice(0, tracks.length * dim);
  return new RecommendIndex(model, tracks.finish(), distanceScorer(distanceLayers(model)), embeddings, keys);
}

/** Lane scores (−affinity, topic-major k × count) and which tracks were ranked with their tags. */
export interface TopicLaneTable {
  k: number;
  scores: Float32Array;
  tagged: Uint8Array;
}

export function normalizeName(s: string | null): string {
  return (s ?? '').normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

/**
 * What the index looks tracks up by: position by track id, and the queue rules' keys (one number per
 * normalised artist, and per artist + title: the same song on two albums).
 */
export class TrackKeys {
  readonly byId = new Map<number, number>();
  readonly artistKey: Int32Array;
  readonly songKey: Int32Array;
  /** Interned (album artist, else artist; album title) per track, for the per-album cap; −1 = no album. */
  readonly albumKey: Int32Array;
  /** Normalised artist name → its key (kept by the index: radio from an artist looks the name up). */
  readonly artists = new Map<string, number>();
  /** Normalised album title → the album keys with that title (kept by the index for radio from an album). */
  readonly albumTitles = new Map<string, number[]>();
  private readonly songs = new Map<string, number>();
  private readonly albums = new Map<string, number>();

  constructor(capacity: number) {
    this.artistKey = new Int32Array(capacity);
    this.songKey = new Int32Array(capacity);
    this.albumKey = new Int32Array(capacity);
  }

  add(
    i: number,
    id: number,
    artistName: string | null,
    titleName: string | null,
    albumName: string | null = null,
    albumArtistName: string | null = null,
  ): void {
    this.byId.set(id, i);
    const artist = normalizeName(artistName);
    const title = normalizeName(titleName);
    const album = normalizeName(albumName);
    const albumArtist = normalizeName(albumArtistName) || artist;
    this.artistKey[i] = artist ? intern(this.artists, artist) : -1;
    this.songKey[i] = artist && title ? intern(this.songs, `${artist}\u0000${title}`) : -1;
    if (!album) {
      this.albumKey[i] = -1;
      return;
    }
    const before = this.albums.size;
    const key = intern(this.albums, `${albumArtist}\u0000${album}`);
    this.albumKey[i] = key;
    if (this.albums.size > before) {
      const titled = this.albumTitles.get(album);
      if (titled) titled.push(key);
      else this.albumTitles.set(album, [key]);
    }
  }
}

function intern(map: Map<string, number>, key: string): number {
  let v = map.get(key);
  if (v === undefined) map.set(key, (v = map.size));
  return v;
}

/** "Calmer ↔ more energetic", a tempo range and an energy curve: secondary controls on any queue (energy.ts). */
export interface EnergyShape {
  /** −1 calmer … 0 (no preference) … +1 more energetic: moves songs within the ranking's pool. */
  energy?: number;
  /** Only songs whose tempo lies in this range (BPM, inclusive; songs without a tempo are left out). */
  tempo?: { min: number; max: number };
  /** The chosen songs ordered by energy, rising or falling over the queue (artist spacing kept). */
  energyCurve?: 'rising' | 'falling';
}

export interface QueueRules extends MixLimits, EnergyShape {
  n?: number;
  /** Tracks played most recently (this many distinct ones) are left out: no repeat within N. Default 20. */
  recentWindow?: number;
  /** 0 = the strict top (deterministic); up to ~1 samples further. */
  adventurous?: number;
  seed?: number;
  /** Track ids to leave out too (e.g. the current queue). */
  exclude?: readonly number[];
  /** Let feedback move neighbours and the taste direction (default true). */
  useFeedback?: boolean;
  /** The taste direction's weight (ranking.ts TASTE_WEIGHT when absent; 0 = neighbours only). */
  tasteWeight?: number;
  /**
   * A listening session that began at this time (ms): every track started since is left out, and the
   * session's reactions move neighbours too — a completion pulls them up, a skip in the first 30 s
   * pushes them down (a radio's within-session reactions).
   */
  sessionSince?: number;
}

export interface TopicShare {
  id: number;
  label: string;
  share: number;
  selected: boolean;
  tags: string[];
}

/** How a topic queue ranks: the blend (every selected topic its share) or the paper's plain nearest to π(selection). */
export type TopicRanking = 'blend' | 'nearest';
export const TOPIC_RANKINGS: readonly TopicRanking[] = ['blend', 'nearest'];

export interface TopicQueueOptions extends QueueRules {
  /** One per selected topic (same order), any positive numbers; equal when absent. */
  weights?: readonly number[];
  /** Default 'blend'. */
  ranking?: TopicRanking;
}

export interface Why {
  text: string;
  /** In a blended queue, the selected topic whose share the song fills. */
  standsFor: { id: number; label: string } | null;
  /** What ranked it: its tags with the audio model, the audio model alone (no tags), or plain D. */
  rankedBy: 'tags+audio' | 'audio' | 'distance';
  /** Where the mix comes from: the song's tags, or predicted from its audio by the model. */
  source: 'tags' | 'audio' | 'none';
  topics: TopicShare[];
  distance: number;
  closeTo: { id: number; artist: string | null; title: string | null; path: string } | null;
}

export interface Recommendation extends IndexedTrack {
  distance: number;
  why: Why;
}

export class RecommendError extends Error {}

/**
 * A queue for a topic selection (1-based ids). Blend (default): each selected topic fills its share
 * (weights), ranked by its lane (topic-lanes.ts), interleaved; nearest: D(π(k-hot), φ(i)) as in the paper.
 */
export function topicQueue(
  db: Database,
  index: RecommendIndex,
  topics: readonly number[],
  options: TopicQueueOptions = {},
): Recommendation[] {
  const model = requireModel(index);
  if (topics.length === 0) throw new RecommendError('select at least one topic');
  const k = model.meta.config.userInput;
  const outside = topics.find((t) => !Number.isInteger(t) || t < 1 || t > k);
  if (outside !== undefined) throw new RecommendError(`topic ${outside} is not in the model (topics run from 1 to ${k})`);
  const weights = options.weights;
  if (new Set(topics).size !== topics.length) {
    if (weights) throw new RecommendError('each weighted topic may be selected once');
    topics = [...new Set(topics)];
  }
  if (weights && (weights.length !== topics.length || weights.some((w) => !(w > 0 && Number.isFinite(w)))))
    throw new RecommendError('give one positive weight per selected topic');
  if ((options.ranking ?? 'blend') === 'nearest') {
    const query = userEmbedding(model, topicVector(topics, k));
    const ranked = rank(db, index, () => [{ scores: index.scorer.score(query), weight: 1 }], options, []);
    return explain(db, index, ranked, { selected: topics, blend: null });
  }
  const table = index.topicLanes(db);
  const ranked = rank(db, index, () => selectionLanes(table.scores, k, topics, weights), options, [], true);
  return explain(db, index, ranked, { selected: topics, blend: { topics, table } });
}

/** A blend's "less like these" side (issue 16, item 3). */
export interface BlendAway {
  /** Track ids to move away from. */
  unlike?: readonly number[];
  /** How hard to move away, ≥ 0 (default 1: a song as close to them as to the seeds loses about a full shortlist). */
  unlikeWeight?: number;
}

/**
 * The songs nearest to one or several seed tracks by the song metric the nested protocol chose
 * (song-similarity.ts: mutual proximity over the chosen blend; mean over seeds), optionally away from
 * `unlike` tracks (a blend with subtraction); `adventurous` is its temperature. Works without tags.
 */
export function moreLikeThis(
  db: Database,
  index: RecommendIndex,
  seedIds: readonly number[],
  rules: QueueRules & BlendAway = {},
): Recommendation[] {
  requireModel(index);
  const seeds = seedIds.map((id) => requireIndexed(index, id));
  if (seeds.length === 0) throw new RecommendError('give at least one seed track');
  const unlike = (rules.unlike ?? []).map((id) => requireIndexed(index, id));
  if (unlike.some((i) => seeds.includes(i))) throw new RecommendError('a track cannot be both more like and less like');
  const weight = rules.unlikeWeight ?? 1;
  if (!(weight >= 0 && weight <= 10)) throw new RecommendError('the unlike weight must be a number from 0 to 10');
  let similarity: SongSimilarity;
  try {
    similarity = songSimilarity(db, index);
  } catch (error) {
    throw new RecommendError(error instanceof Error ? error.message : String(error));
  }
  const ranked = rank(db, index, () => [{ scores: similarity.score(seeds, unlike, weight), weight: 1 }], rules, [
    ...seeds,
    ...unlike,
  ]);
  return explain(db, index, ranked, { selected: [], blend: null });
}

/** The index position of a track id, or a clear error. */
export function requireIndexed(index: RecommendIndex, id: number): number {
  const i = index.indexOf(id);
  if (i === undefined)
    throw new RecommendError(
      `track ${id} has no embedding under the active model (run \`cadenza model embed\`) or is unavailable`,
    );
  return i;
}

function requireModel(index: RecommendIndex): LoadedModel {
  if (!index.model) throw new RecommendError('no trained model: run `cadenza train`');
  return index.model;
}

/** What every mix leaves out or leans on: seeds, the caller's exclusions, recent plays, dislikes, feedback anchors. */
export interface MixContext {
  exclude: Set<number>;
  excludeSongs: Set<number>;
  anchors: FeedbackAnchor[];
  /** The listener's taste direction (taste.ts), null without feedback. */
  taste: TasteDirection | null;
}

/** Gathers the rules' context (recent plays, dislikes, feedback anchors) for a mix from `seeds`. */
export function mixContext(db: Database, index: RecommendIndex, rules: QueueRules, seeds: readonly number[]): MixContext {
  const exclude = new Set<number>(seeds);
  const excludeSongs = new Set<number>();
  const leaveOut = (i: number) => {
    exclude.add(i);
    if (index.songKey[i]! >= 0) excludeSongs.add(index.songKey[i]!);
  };
  seeds.forEach(leaveOut);
  for (const id of rules.exclude ?? []) {
    const i = index.indexOf(id);
    if (i !== undefined) exclude.add(i);
  }
  for (const id of recentlyPlayed(db, rules.recentWindow ?? 20)) {
    const i = index.indexOf(id);
    if (i !== undefined) leaveOut(i);
  }
  const says = listenerSays(db);
  const { liked, disliked } = says;
  const anchors: FeedbackAnchor[] = [];
  for (const id of disliked) {
    const i = index.indexOf(id);
    if (i !== undefined) leaveOut(i);
  }
  const session = rules.sessionSince !== undefined ? sessionReactions(db, rules.sessionSince) : null;
  for (const id of session?.played ?? []) {
    const i = index.indexOf(id);
    if (i !== undefined) leaveOut(i);
  }
  let taste: TasteDirection | null = null;
  if (rules.useFeedback !== false) {
    const rows = (ids: number[]) => ids.map((id) => index.indexOf(id)).filter((i): i is number => i !== undefined);
    taste = cachedTaste(index, rows(says.positives), rows(says.negatives));
    const anchored = new Set<number>();
    for (const [ids, sign] of [
      [liked.slice(0, 32), 1],
      [disliked.slice(0, 32), -1],
      [session?.pulled ?? [], 1],
      [session?.pushed ?? [], -1],
    ] as const) {
      for (const id of ids) {
        const i = index.indexOf(id);
        if (i === undefined || anchored.has(i)) continue;
        anchored.add(i);
        anchors.push({ index: i, sign, ...index.neighbours(i, 20) });
      }
    }
  }
  return { exclude, excludeSongs, anchors, taste };
}

const tastes = new WeakMap<RecommendIndex, { key: string; taste: TasteDirection | null }>();

/**
 * The taste direction of this feedback, kept per index until the feedback changes: its per-track scores
 * (a pass over every embedding) are then computed once, not once per query.
 */
function cachedTaste(index: RecommendIndex, positives: number[], negatives: number[]): TasteDirection | null {
  const key = `${positives.join(',')}|${negatives.join(',')}`;
  const kept = tastes.get(index);
  if (kept?.key === key) return kept.taste;
  const taste = tasteDirection(index.scorer, positives, negatives);
  tastes.set(index, { key, taste });
  return taste;
}

/** The tempo range as an admission test over the index (null: no range). */
export function tempoFilter(db: Database, index: RecommendIndex, shape: EnergyShape): ((i: number) => boolean) | null {
  const range = shape.tempo;
  if (!range) return null;
  if (!(range.min >= 0 && range.max >= range.min)) throw new RecommendError('a tempo range needs 0 ≤ min ≤ max (BPM)');
  const { tempo } = energyTable(db, index);
  return (i) => tempo[i]! > 0 && tempo[i]! >= range.min && tempo[i]! <= range.max;
}

/** Gathers the rules' context first (the scorer's buffer is shared), then ranks under the mix limits and energy controls. */
function rank(
  db: Database,
  index: RecommendIndex,
  lanes: () => Lane[],
  rules: QueueRules,
  seeds: number[],
  exclusiveLanes = false,
): Ranked[] {
  const { exclude, excludeSongs, anchors, taste } = mixContext(db, index, rules, seeds);
  const preference = rules.energy ?? 0;
  if (!(preference >= -1 && preference <= 1))
    throw new RecommendError('energy must be a number from −1 (calmer) to 1 (more energetic)');
  const allow = tempoFilter(db, index, rules);
  const energy = preference !== 0 || rules.energyCurve ? energyTable(db, index).energy : null;
  const limits: MixLimits = {
    artistSpacing: rules.artistSpacing ?? 1,
    ...(rules.maxPerArtist !== undefined ? { maxPerArtist: rules.maxPerArtist } : {}),
    ...(rules.maxPerAlbum !== undefined ? { maxPerAlbum: rules.maxPerAlbum } : {}),
  };
  const ranked = blendQueue(index, lanes(), {
    n: rules.n ?? 20,
    exclude,
    excludeSongs,
    ...limits,
    adventurous: rules.adventurous ?? 0,
    seed: rules.seed ?? Math.floor(Math.random() * 2 ** 31),
    anchors,
    taste,
    ...(rules.tasteWeight === undefined ? {} : { tasteWeight: rules.tasteWeight }),
    exclusiveLanes,
    ...(allow ? { allow } : {}),
    // Up to half the pool's range for a song 1 sd more (or less) energetic than the library's mean.
    ...(energy && preference !== 0 ? { shift: (i: number) => -0.5 * preference * Math.max(-3, Math.min(3, energy[i]!)) } : {}),
  });
  if (!energy || !rules.energyCurve) return ranked;
  const sign = rules.energyCurve === 'rising' ? 1 : -1;
  const byIndex = new Map(ranked.map((r) => [r.index, r]));
  return orderWithinLimits(index, [...byIndex.keys()], (i) => sign * energy[i]!, limits).map((i) => byIndex.get(i)!);
}

/** The topic mix predicted from audio: softmax over −D(π(topic t), φ(i)), scaled by the spread of D. */
export function predictedTopicMix(index: RecommendIndex, trackIndex: number): Float32Array {
  const model = requireModel(index);
  const k = model.meta.config.userInput;
  const item = Float32Array.from(index.scorer.item(trackIndex));
  const d = new Float64Array(k);
  for (let t = 0; t < k; t++) {
    d[t] = pairDistance(index, topicEmbedding(model, t + 1), item);
  }
  return topicMixFromDistances(d);
}

const topicEmbeddings = new WeakMap<LoadedModel, Float32Array[]>();

/** π of one topic alone, kept per model (every explanation asks for each topic's point). */
function topicEmbedding(model: LoadedModel, topic: number): Float32Array {
  let kept = topicEmbeddings.get(model);
  if (!kept) topicEmbeddings.set(model, (kept = []));
  return (kept[topic - 1] ??= userEmbedding(model, topicVector([topic], model.meta.config.userInput)));
}

const pairScorers = new WeakMap<RecommendIndex, DistanceScorer>();

function pairDistance(index: RecommendIndex, a: Float32Array, b: Float32Array): number {
  let scorer = pairScorers.get(index);
  if (!scorer) {
    scorer = distanceScorer(distanceLayers(index.model!), 'js');
    pairScorers.set(index, scorer);
  }
  scorer.setItems(b);
  return scorer.score(a)[0]!;
}

/** Explanations for a mix that is neither a topic queue nor a blend (paths, smooth orders). */
export function describeMix(db: Database, index: RecommendIndex, ranked: Ranked[]): Recommendation[] {
  return explain(db, index, ranked, { selected: [], blend: null });
}

interface ExplainContext {
  selected: readonly number[];
  /** A blended queue: the lanes' topics (lane l stands for topics[l]) and the lane table. */
  blend: { topics: readonly number[]; table: TopicLaneTable } | null;
}

function explain(db: Database, index: RecommendIndex, ranked: Ranked[], context: ExplainContext): Recommendation[] {
  const topicModel = currentTopicModel(db);
  return ranked.map((r) => {
    const track = index.tracks.at(r.index);
    let distance = r.distance;
    let blend: BlendPick | null = null;
    if (context.blend) {
      const topic = context.blend.topics[r.lane]!;
      // The blend ranks by affinity (−score); the distance shown is D to the topic the song stands for.
      distance = pairDistance(index, topicEmbedding(index.model!, topic), Float32Array.from(index.scorer.item(r.index)));
      blend = {
        topic,
        label: topicModel?.labels[topic - 1] ?? `topic ${topic}`,
        affinity: -r.distance,
        tagged: context.blend.table.tagged[r.index] === 1,
      };
    }
    const why = explainOne(db, index, topicModel, r, distance, context.selected, blend);
    return { ...track, distance, why };
  });
}

interface BlendPick {
  topic: number;
  label: string;
  affinity: number;
  tagged: boolean;
}

function explainOne(
  db: Database,
  index: RecommendIndex,
  topicModel: StoredTopicModel | null,
  r: Ranked,
  distance: number,
  selected: readonly number[],
  blend: BlendPick | null,
): Why {
  const track = index.tracks.at(r.index);
  const stored = trackTopics(db, track.id);
  let source: Why['source'] = 'none';
  let theta: Float32Array | null = null;
  if (stored && topicModel && stored.fingerprint === topicModel.fingerprint) {
    theta = stored.theta;
    source = 'tags';
  } else if (index.model) {
    theta = predictedTopicMix(index, r.index);
    source = 'audio';
  }
  const topics: TopicShare[] = [];
  if (theta) {
    for (let t = 0; t < theta.length; t++) {
      topics.push({
        id: t + 1,
        label: topicModel?.labels[t] ?? `topic ${t + 1}`,
        share: Math.round(theta[t]! * 1000) / 1000,
        selected: selected.includes(t + 1),
        tags: (topicModel?.topTags[t] ?? []).slice(0, 3).map((x) => x.tag),
      });
    }
    topics.sort((a, b) => b.share - a.share || a.id - b.id);
  }
  const liked = r.likedAnchor === null ? null : index.tracks.at(r.likedAnchor);
  const closeTo = liked ? { id: liked.id, artist: liked.artist, title: liked.title, path: liked.path } : null;
  const parts: string[] = [];
  if (blend)
    parts.push(
      `for ${blend.label} (topic ${blend.topic}): ${Math.round(blend.affinity * 100)}% match by ${blend.tagged ? 'its tags and its sound' : 'its sound (no tags)'}`,
    );
  const main = topics.filter((t) => t.share >= 0.15).slice(0, 3);
  if (main.length > 0) {
    const mix = main
      .map(
        (t) =>
          `${Math.round(t.share * 100)}% ${t.label}${t.tags.length ? ` (${t.tags.join(', ')})` : ''}${t.selected ? ' ✓' : ''}`,
      )
      .join(', ');
    parts.push(`${source === 'audio' ? 'sounds like' : 'tagged'} ${mix}`);
  }
  if (selected.length > 0 && topics.length > 0) {
    const inSelection = topics.filter((t) => t.selected).reduce((s, t) => s + t.share, 0);
    parts.push(`${Math.round(inSelection * 100)}% in the selected topics`);
  }
  parts.push(`distance ${distance.toFixed(3)}`);
  if (closeTo)
    parts.push(
      `close to ${[closeTo.artist, closeTo.title].filter(Boolean).join(' – ') || fileName(closeTo.path)}, which you liked`,
    );
  return {
    text: parts.join('; '),
    standsFor: blend ? { id: blend.topic, label: blend.label } : null,
    rankedBy: blend ? (blend.tagged ? 'tags+audio' : 'audio') : 'distance',
    source,
    topics,
    distance,
    closeTo,
  };
}

/** The last path component (an untitled track is named by its file). */
function fileName(p: string): string {
  return p.slice(Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\')) + 1);
}
