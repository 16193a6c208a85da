// The queue's ordering rules: shuffle keeps the current track and can be undone, repeat, and no
// crossfade inside an album played in track order.
import { describe, expect, it } from 'vitest';
import {
  crossfadeBetween,
  endlessRequest,
  followingIndex,
  precedingIndex,
  restoredQueue,
  savedWindow,
  shuffled,
  unshuffled,
  type QueuedTrack,
} from '../../src-renderer/src/lib/queue-order.ts';

const track = (id: number, album: string | null = null, trackNo: number | null = null): QueuedTrack => ({
  id,
  album,
  albumArtist: null,
  artist: 'A',
  trackNo,
});

/** A seeded LCG, so the shuffle under test is the same every run. */
function seeded(seed: number) {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

describe('shuffle', () => {
  const queue = Array.from({ length: 12 }, (_, i) => track(i + 1));

  it('keeps the current track (first, still current) and every other track once', () => {
    const out = shuffled(queue, 4, seeded(7));
    expect(out.index).toBe(0);
    expect(out.queue[0]!.id).toBe(5);
    expect(out.queue.map((t) => t.id).sort((a, b) => a - b)).toEqual(queue.map((t) => t.id));
    expect(out.queue.map((t) => t.id)).not.toEqual([5, ...queue.filter((t) => t.id !== 5).map((t) => t.id)]);
  });

  it('reaches every order of three tracks (no bias towards some)', () => {
    const seen = new Map<string, number>();
    const random = seeded(1);
    for (let i = 0; i < 6000; i++) {
      const key = shuffled([track(1), track(2), track(3), track(4)], 0, random)
        .queue.map((t) => t.id)
        .join();
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    expect(seen.size).toBe(6);
    for (const n of seen.values()) expect(n).toBeGreaterThan(800);
  });

  it('is undone to the order before, keeping tracks queued since and the current one', () => {
    const before = queue.map((t) => t.id);
    const out = shuffled(queue, 4, seeded(3));
    const added = track(99);
    const later = [...out.queue.filter((t) => t.id !== 9), added]; // one removed, one added after shuffling
    const back = unshuffled(later, 3, before);
    expect(back.queue.map((t) => t.id)).toEqual([...before.filter((id) => id !== 9), 99]);
    expect(back.queue[back.index]).toBe(later[3]);
  });
});

describe('repeat', () => {
  it('stops at the end when off, wraps when all, replays only at the natural end when one', () => {
    expect(followingIndex(1, 3, 'off', true)).toBe(2);
    expect(followingIndex(2, 3, 'off', true)).toBeNull();
    expect(followingIndex(2, 3, 'all', true)).toBe(0);
    expect(followingIndex(1, 3, 'one', true)).toBe(1);
    expect(followingIndex(1, 3, 'one', false)).toBe(2);
    expect(followingIndex(0, 0, 'all', true)).toBeNull();
    expect(precedingIndex(0, 3, 'off')).toBeNull();
    expect(precedingIndex(0, 3, 'all')).toBe(2);
    expect(precedingIndex(2, 3, 'one')).toBe(1);
  });
});

describe('crossfade', () => {
  it('fades between unrelated tracks, never into the next track of the same album in order', () => {
    expect(crossfadeBetween(track(1, 'X', 1), track(2, 'X', 2), 5)).toBe(0);
    expect(crossfadeBetween(track(1, 'X', 2), track(2, 'X', 1), 5)).toBe(5); // the album out of order
    expect(crossfadeBetween(track(1, 'X', 1), track(2, 'Y', 2), 5)).toBe(5);
    expect(crossfadeBetween(track(1, null, 1), track(2, null, 2), 5)).toBe(5);
    expect(crossfadeBetween(track(1), track(2), 0)).toBe(0);
  });
});

describe('the saved queue and endless requests', () => {
  it('restores the saved order without tracks that left the library, keeping the current one', () => {
    const rows = [track(3), track(1), track(7)];
    expect(restoredQueue([1, 5, 3, 7], 2, rows)).toEqual({ queue: [track(1), track(3), track(7)], index: 1 });
    expect(restoredQueue([1, 5, 3], 1, rows).index).toBe(-1); // the current track is gone
  });

  it('saves a long queue from the current track on, and asks for more like the last tracks played', () => {
    const queue = Array.from({ length: 10 }, (_, i) => track(i + 1));
    expect(savedWindow(queue, 2, null, 20)).toEqual({ trackIds: queue.map((t) => t.id), index: 2, unshuffled: null });
    expect(savedWindow(queue, 6, null, 4)).toEqual({ trackIds: [7, 8, 9, 10], index: 0, unshuffled: null });
    expect(savedWindow(queue, 1, [2, 1, 3, 4, 5], 4)).toEqual({ trackIds: [2, 3, 4, 5], index: 0, unshuffled: [2, 3, 4, 5] });
    const again = [...queue.slice(0, 4), track(2), ...queue.slice(4)];
    expect(endlessRequest(again, 4, 3, 100)).toEqual({ trackIds: [2, 4, 3], exclude: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] });
  });
});
