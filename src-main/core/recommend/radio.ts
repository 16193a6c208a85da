/**
 * Radio (issue 16, item 1): the next songs of a never-ending queue from a seed — a topic selection, tracks,
 * an artist, an album or a playlist. It is the matching mix (the blended topic queue, or more like this
 * over at most RADIO_SEEDS seed songs) with the session's rules: every song started since the session
 * began is left out (so it never repeats within the session, and never within `recentWindow` plays),
 * dislikes are left out, artists spaced and capped as in every mix, and the session's reactions move the
 * ranking at once (a completion pulls a song's neighbours up, a skip in its first 30 s pushes them down).
 * The caller asks again, with what it has queued as `exclude`, before the queue runs out.
 */
import type { Database } from 'better-sqlite3';
import { distanceScorer, type DistanceScorer } from './distance-kernel.ts';
import { embeddingsOf, mostCentral, pairDistances, spread } from './medoids.ts';
import { distanceLayers } from './model-math.ts';
import { playlistTrackIds } from './playlists.ts';
import {
  moreLikeThis,
  normalizeName,
  RecommendError,
  topicQueue,
  type QueueRules,
  type Recommendation,
  type RecommendIndex,
  type TopicQueueOptions,
} from './recommender.ts';

/**
 * Seed songs a radio ranks from at most: each costs one pass of the song metric per query (~9 ms at
 * 100,000 songs). A larger seed (an artist, album or playlist) is represented by its most central songs
 * under the learned D (radioSeeds); how many, and that the core beats spread or k-medoid picks, was
 * measured by bench/radio-seeds.ts (docs/benchmarks.md, "Radio from a large seed").
 */
export const RADIO_SEEDS = 3;
/** The songs of a large seed that its core is chosen among (spread over the list; m² D evaluations). */
export const CORE_FROM = 64;

export type RadioSeed =
  | { topics: number[]; weights?: number[] }
  | { trackIds: number[] }
  | { artist: string }
  | { album: string }
  | { playlistId: number };

export interface RadioOptions extends QueueRules {
  /** When the listening session began (ms); default: the last 4 hours. */
  sessionSince?: number;
}

const SESSION_MS = 4 * 3600_000;

/** The radio's next songs (default n = 20). */
export function radio(
  db: Database,
  index: RecommendIndex,
  seed: RadioSeed,
  options: RadioOptions = {},
  now = Date.now(),
): Recommendation[] {
  const rules: QueueRules = { ...options, sessionSince: options.sessionSince ?? now - SESSION_MS };
  if ('topics' in seed)
    return topicQueue(db, index, seed.topics, {
      ...rules,
      ...(seed.weights ? { weights: seed.weights } : {}),
    } as TopicQueueOptions);
  const seeds = radioSeeds(index, seedTracks(db, index, seed));
  if (seeds.length === 0) throw new RecommendError('the radio seed has no song with an embedding under the active model');
  return moreLikeThis(db, index, seeds, rules);
}

/** The seed's track ids that are in the index. */
function seedTracks(db: Database, index: RecommendIndex, seed: Exclude<RadioSeed, { topics: number[] }>): number[] {
  if ('trackIds' in seed) return seed.trackIds.filter((id) => index.indexOf(id) !== undefined);
  if ('playlistId' in seed) {
    const ids = playlistTrackIds(db, seed.playlistId);
    if (!ids) throw new RecommendError(`no playlist ${seed.playlistId}`);
    return [...new Set(ids)].filter((id) => index.indexOf(id) !== undefined);
  }
  const wanted = normalizeName('artist' in seed ? seed.artist : seed.album);
  if (wanted === '') throw new RecommendError('give an artist or album name');
  const field = 'artist' in seed ? 'artist' : 'album';
  const ids = index.tracksNamed(field, wanted).map((i) => index.tracks.id(i));
  if (ids.length === 0)
    throw new RecommendError(`no ${field} named “${'artist' in seed ? seed.artist : seed.album}” among the embedded songs`);
  return ids;
}

const pairScorers = new WeakMap<RecommendIndex, DistanceScorer>();

/**
 * At most k of the seed's track ids (all indexed), in list order: all of them when they are k or fewer,
 * else the k with the least summed D to the others among up to CORE_FROM of them spread over the list.
 * On mer-dev playlists the core's radio kept more of the playlist's label than spread picks, k-medoids
 * (which give an outlier its own seed) or every song as a seed.
 */
export function radioSeeds(index: RecommendIndex, ids: readonly number[], k = RADIO_SEEDS): number[] {
  if (ids.length <= k || !index.model) return spread(ids, k);
  const pool = spread(ids, CORE_FROM);
  let pair = pairScorers.get(index);
  if (!pair) pairScorers.set(index, (pair = distanceScorer(distanceLayers(index.model))));
  const items = embeddingsOf(
    index.scorer,
    pool.map((id) => index.indexOf(id)!),
  );
  return mostCentral(pairDistances(items, index.scorer.dim, pair), pool.length, k)
    .sort((a, b) => a - b)
    .map((j) => pool[j]!);
}
