// The queue's ordering rules as pure functions (the PlayerState applies them): shuffle that keeps the
// current track and can be undone, repeat, and where a crossfade is allowed.
import type { RepeatMode } from '../../../src-main/api/types.ts';

/** The fields of a track these rules read. */
export interface QueuedTrack {
  id: number;
  album: string | null;
  albumArtist: string | null;
  artist: string | null;
  trackNo: number | null;
}

/** A uniform random number in [0, 1) (injectable so tests can seed it). */
export type Random = () => number;

/**
 * The queue shuffled: the current track first (it keeps playing), every other track after it in a
 * Fisher–Yates order. With nothing current, everything is shuffled.
 */
export function shuffled<T>(queue: readonly T[], index: number, random: Random = Math.random): { queue: T[]; index: number } {
  const current = queue[index];
  const rest = queue.filter((_, i) => i !== index);
  for (let i = rest.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [rest[i], rest[j]] = [rest[j]!, rest[i]!];
  }
  return current === undefined ? { queue: rest, index: -1 } : { queue: [current, ...rest], index: 0 };
}

/**
 * Undoes a shuffle: the order before it, with tracks queued since (not in it) kept at the end and
 * tracks removed since left out; the current track stays current.
 */
export function unshuffled<T extends { id: number }>(
  queue: readonly T[],
  index: number,
  before: readonly number[],
): { queue: T[]; index: number } {
  const byId = new Map<number, T[]>();
  for (const t of queue) byId.set(t.id, [...(byId.get(t.id) ?? []), t]);
  const current = queue[index];
  const out: T[] = [];
  for (const id of before) {
    const t = byId.get(id)?.shift();
    if (t) out.push(t);
  }
  for (const rest of byId.values()) out.push(...rest);
  return { queue: out, index: current === undefined ? -1 : out.indexOf(current) };
}

/**
 * The index to play after `index` when a track ends (`auto`) or the listener asks for the next one:
 * repeat one replays the track only at its natural end, repeat all wraps around. null: the queue is done.
 */
export function followingIndex(index: number, length: number, repeat: RepeatMode, auto: boolean): number | null {
  if (length === 0) return null;
  if (auto && repeat === 'one' && index >= 0) return index;
  if (index + 1 < length) return index + 1;
  return repeat === 'off' ? null : 0;
}

/** The index "previous" goes to (wrapping only under repeat all). */
export function precedingIndex(index: number, length: number, repeat: RepeatMode): number | null {
  if (index > 0) return index - 1;
  return repeat === 'all' && length > 0 ? length - 1 : null;
}

const albumOf = (t: QueuedTrack) => (t.album === null ? null : JSON.stringify([t.album, t.albumArtist ?? t.artist ?? '']));

/**
 * Seconds of crossfade from `from` to `to`: none between consecutive tracks of one album in track
 * order (a live or classical album's joins are part of the music).
 */
export function crossfadeBetween(from: QueuedTrack, to: QueuedTrack, seconds: number): number {
  if (seconds <= 0) return 0;
  const album = albumOf(from);
  const inOrder = from.trackNo !== null && to.trackNo !== null && to.trackNo === from.trackNo + 1;
  return album !== null && album === albumOf(to) && inOrder ? 0 : seconds;
}

/**
 * A saved queue's rows in their saved order (tracks gone from the library dropped) and the index of
 * its current track among them (-1: none, or it is gone).
 */
export function restoredQueue<T extends { id: number }>(
  trackIds: readonly number[],
  index: number,
  rows: readonly T[],
): { queue: T[]; index: number } {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const queue: T[] = [];
  let current = -1;
  trackIds.forEach((id, i) => {
    const row = byId.get(id);
    if (!row) return;
    if (i === index) current = queue.length;
    queue.push(row);
  });
  return { queue, index: current };
}

/** What an endless fill asks the recommendations for: seeds (the last distinct tracks played) and exclusions. */
export function endlessRequest(
  queue: readonly { id: number }[],
  index: number,
  seeds: number,
  excludeMax: number,
): { trackIds: number[]; exclude: number[] } {
  const played = queue.slice(0, index + 1).map((t) => t.id);
  return {
    trackIds: [...new Set(played.reverse())].slice(0, seeds),
    exclude: [...new Set(queue.map((t) => t.id))].slice(-excludeMax),
  };
}

/** The part of a long queue that is saved: at most `max` tracks from the current one on (ids, index). */
export function savedWindow(
  queue: readonly { id: number }[],
  index: number,
  unshuffledOrder: readonly number[] | null,
  max: number,
): { trackIds: number[]; index: number; unshuffled: number[] | null } {
  const start = Math.max(0, Math.min(index, queue.length - max));
  const kept = queue.slice(start, start + max).map((t) => t.id);
  const ids = new Set(kept);
  return {
    trackIds: kept,
    index: index < 0 ? -1 : index - start,
    unshuffled: unshuffledOrder ? unshuffledOrder.filter((id) => ids.has(id)).slice(0, max) : null,
  };
}
