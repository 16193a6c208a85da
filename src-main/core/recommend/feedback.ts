/**
 * The listener's feedback: play start, completion, skip (with the position), like and dislike, each
 * stored with the topic selection in force (`feedback_events`, migration 0005).
 */
import type { Database } from 'better-sqlite3';

export const FEEDBACK_KINDS = ['play', 'complete', 'skip', 'like', 'dislike'] as const;
export type FeedbackKind = (typeof FEEDBACK_KINDS)[number];

export function isFeedbackKind(value: string): value is FeedbackKind {
  return (FEEDBACK_KINDS as readonly string[]).includes(value);
}

export interface FeedbackInput {
  trackId: number;
  kind: FeedbackKind;
  /** Seconds into the track (skip, complete). */
  position?: number | null;
  /** 1-based topic ids selected at the time. */
  topics?: readonly number[];
  modelId?: number | null;
  at?: number;
}

export function recordFeedback(db: Database, input: FeedbackInput): number {
  const topics = [...new Set(input.topics ?? [])].sort((a, b) => a - b);
  return Number(
    db
      .prepare('INSERT INTO feedback_events (track_id, kind, position, topics, model_id, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(
        input.trackId,
        input.kind,
        input.position ?? null,
        JSON.stringify(topics),
        input.modelId ?? null,
        input.at ?? Date.now(),
      ).lastInsertRowid,
  );
}

interface LatestSay {
  trackId: number;
  kind: FeedbackKind;
  position: number | null;
  id: number;
}

/**
 * Each track's latest event among `kinds` (recorded at or after `since`), most recent first: the one
 * reading of "the latest say about a track" that likes, the taste evidence and the session's reactions share.
 */
function latestSays(db: Database, kinds: readonly FeedbackKind[], since = 0): LatestSay[] {
  // SQLite takes the bare columns of a MAX() aggregate from the row that has the maximum.
  return db
    .prepare(
      `SELECT track_id AS trackId, kind, position, MAX(id) AS id FROM feedback_events
       WHERE created_at >= ? AND kind IN (${kinds.map(() => '?').join(', ')})
       GROUP BY track_id ORDER BY id DESC`,
    )
    .all(since, ...kinds) as LatestSay[];
}

/** A skip this early (seconds) says "not this", a later one only "not now". */
export const EARLY_SKIP_SECONDS = 30;

const isEarlySkip = (r: LatestSay) => r.kind === 'skip' && (r.position ?? 0) < EARLY_SKIP_SECONDS;

/** What the listener's feedback says of tracks, most recent first (see listenerSays). */
export interface ListenerSays {
  /** Each track's latest like or dislike decides: liked (at most `limit`) and disliked track ids. */
  liked: number[];
  disliked: number[];
  /** The taste evidence: explicit says and listening reactions, at most `limit` of each. */
  positives: number[];
  negatives: number[];
}

/**
 * What each track's feedback says, most recent first. An explicit like or dislike (the latest one)
 * decides; otherwise the latest listening reaction does — played to the end says "this", skipped in the
 * first 30 s "not this", and a later skip nothing (it also ends what an earlier early skip said: the
 * listener then heard the song for a while). The explicit says are read once for both readings.
 */
export function listenerSays(db: Database, limit = 64): ListenerSays {
  const explicit = latestSays(db, ['like', 'dislike']);
  const said = new Set(explicit.map((r) => r.trackId));
  const listened = latestSays(db, ['complete', 'skip']).filter((r) => !said.has(r.trackId));
  const rows = [...explicit, ...listened].sort((a, b) => b.id - a.id);
  const positives = rows.filter((r) => r.kind === 'like' || r.kind === 'complete').map((r) => r.trackId);
  const negatives = rows.filter((r) => r.kind === 'dislike' || isEarlySkip(r)).map((r) => r.trackId);
  return {
    liked: explicit
      .filter((r) => r.kind === 'like')
      .map((r) => r.trackId)
      .slice(0, limit),
    disliked: explicit.filter((r) => r.kind === 'dislike').map((r) => r.trackId),
    positives: positives.slice(0, limit),
    negatives: negatives.slice(0, limit),
  };
}

/** The last `window` distinct tracks started (play events), most recent first. */
export function recentlyPlayed(db: Database, window: number): number[] {
  if (window <= 0) return [];
  const rows = db
    .prepare(
      `SELECT track_id AS trackId, MAX(id) AS last FROM feedback_events WHERE kind = 'play' GROUP BY track_id ORDER BY last DESC LIMIT ?`,
    )
    .all(window) as { trackId: number }[];
  return rows.map((r) => r.trackId);
}

export interface FeedbackEvent {
  id: number;
  trackId: number;
  kind: FeedbackKind;
  position: number | null;
  topics: number[];
  createdAt: number;
}

export function feedbackEvents(db: Database): FeedbackEvent[] {
  const rows = db
    .prepare('SELECT id, track_id AS trackId, kind, position, topics, created_at AS createdAt FROM feedback_events ORDER BY id')
    .all() as (Omit<FeedbackEvent, 'topics'> & { topics: string })[];
  return rows.map((r) => ({ ...r, topics: JSON.parse(r.topics) as number[] }));
}

/**
 * What a listening session (events since `since`) says about songs: each track's latest completion or
 * skip decides — completed: pull its neighbours up; skipped in its first EARLY_SKIP_SECONDS: push them
 * down (a later skip says nothing). `played`: every track started in the session. Most recent first.
 */
export function sessionReactions(
  db: Database,
  since: number,
  limit = 32,
): { pulled: number[]; pushed: number[]; played: number[] } {
  const rows = latestSays(db, ['complete', 'skip'], since);
  const pulled = rows.filter((r) => r.kind === 'complete').map((r) => r.trackId);
  const pushed = rows.filter(isEarlySkip).map((r) => r.trackId);
  const played = (
    db.prepare(`SELECT DISTINCT track_id AS trackId FROM feedback_events WHERE created_at >= ? AND kind = 'play'`).all(since) as {
      trackId: number;
    }[]
  ).map((r) => r.trackId);
  return { pulled: pulled.slice(0, limit), pushed: pushed.slice(0, limit), played };
}
