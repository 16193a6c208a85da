/**
 * Topics for untagged songs: the model predicts a song's topic mix from its audio (softmax over
 * −D(π(topic), φ(song)), see predictedTopicMix), and the leading topics' top tags become suggestions
 * that the listener can accept as their own tags (`cadenza tag suggest [--accept]`).
 */
import type { Database } from 'better-sqlite3';
import { addUserTags } from '../topics/library-tags.ts';
import { currentTopicModel } from '../topics/library-topics.ts';
import { predictedTopicMix, type RecommendIndex } from './recommender.ts';

export interface TagSuggestion {
  trackId: number;
  path: string;
  artist: string | null;
  title: string | null;
  /** Predicted topics, most likely first (share ≥ minShare). */
  topics: { id: number; label: string; share: number }[];
  tags: string[];
}

export interface SuggestOptions {
  /** A topic counts when its predicted share reaches this. Default 0.25. */
  minShare?: number;
  /** Tags per topic (from the topic's top tags). Default 2. */
  tagsPerTopic?: number;
  limit?: number;
}

/** Suggestions for every available, embedded song that has no tags (no topics under the active topic model). */
export function suggestTags(db: Database, index: RecommendIndex, options: SuggestOptions = {}): TagSuggestion[] {
  const topicModel = currentTopicModel(db);
  if (!topicModel || !index.model) return [];
  const tagged = new Set(
    (db.prepare('SELECT track_id AS id FROM track_topics WHERE model_id = ?').all(topicModel.id) as { id: number }[]).map(
      (r) => r.id,
    ),
  );
  const minShare = options.minShare ?? 0.25;
  const perTopic = options.tagsPerTopic ?? 2;
  const out: TagSuggestion[] = [];
  for (let i = 0; i < index.count && out.length < (options.limit ?? Infinity); i++) {
    const id = index.tracks.id(i);
    if (tagged.has(id)) continue;
    const mix = predictedTopicMix(index, i);
    const topics = Array.from(mix, (share, t) => ({
      id: t + 1,
      label: topicModel.labels[t] ?? `topic ${t + 1}`,
      share: Math.round(share * 1000) / 1000,
    }))
      .filter((t) => t.share >= minShare)
      .sort((a, b) => b.share - a.share || a.id - b.id)
      .slice(0, 2);
    if (topics.length === 0) continue;
    const tags = [...new Set(topics.flatMap((t) => (topicModel.topTags[t.id - 1] ?? []).slice(0, perTopic).map((x) => x.tag)))];
    const track = index.tracks.at(i);
    out.push({ trackId: id, path: track.path, artist: track.artist, title: track.title, topics, tags });
  }
  return out;
}

/** Adds the suggested tags as the user's tags (kept apart from file tags; `cadenza topics fit` then uses them). */
export function acceptSuggestions(db: Database, suggestions: readonly TagSuggestion[]): number {
  let changed = 0;
  for (const s of suggestions) changed += addUserTags(db, s.trackId, s.tags).changed.length;
  return changed;
}
