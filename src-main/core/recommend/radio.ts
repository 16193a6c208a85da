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

/** Seed songs a radio ranks from at most (each costs one pass of the song metric per query). */
export const RADIO_SEEDS = 8;

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
  const seeds = spread(seedTracks(db, index, seed), RADIO_SEEDS);
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
  const ids: number[] = [];
  for (let i = 0; i < index.count; i++) if (normalizeName(index.tracks.field(i, field)) === wanted) ids.push(index.tracks.id(i));
  if (ids.length === 0)
    throw new RecommendError(`no ${field} named “${'artist' in seed ? seed.artist : seed.album}” among the embedded songs`);
  return ids;
}

/** At most k of the ids, evenly spread over the list (a long album or playlist is represented by all its parts). */
function spread(ids: readonly number[], k: number): number[] {
  if (ids.length <= k) return [...ids];
  return Array.from({ length: k }, (_, j) => ids[Math.floor(((j + 0.5) * ids.length) / k)]!);
}
