// (*.dom.test.ts: type-checked with the renderer's DOM types, tsconfig.web.json.)
// The blend basket and the map lasso as the UI state drives them, against a recording fake of the
// API (the real calls are covered end to end in test/e2e/mixes.test.ts): what each asks the core for.
import { describe, expect, it } from 'vitest';
import { MapLassoState } from '../../src-renderer/src/lib/map-lasso.svelte.ts';
import { BLEND_SIDE_MAX, MixesState } from '../../src-renderer/src/lib/mixes.svelte.ts';
import { PlayerState } from '../../src-renderer/src/lib/player.svelte.ts';
import { PlaylistsState } from '../../src-renderer/src/lib/playlists.svelte.ts';
import { PointGrid } from '../../src-renderer/src/lib/point-grid.ts';
import { RecommendState } from '../../src-renderer/src/lib/recommend.svelte.ts';
import { recordingApi, row } from './fake-api.ts';

const recommended = (ids: number[]) => ({ tracks: ids.map((id) => ({ ...row(id), why: { topic: null }, distance: 0 })) });

describe('the blend basket', () => {
  it('keeps a song on one side only, caps each side, and queues more like / less like with the temperature', async () => {
    const { api, calls } = recordingApi((method) => (method === 'tracks.moreLike' ? recommended([7, 8, 9]) : null));
    const player = new PlayerState(api);
    const rec = new RecommendState(api, player);
    const mixes = new MixesState(api, player, rec);
    mixes.addToBlend(row(1), 'like');
    mixes.addToBlend(row(2), 'unlike');
    mixes.addToBlend(row(3), 'unlike');
    mixes.addToBlend(row(3), 'like'); // the latest choice decides: off "less like"
    expect(mixes.blendLike.map((t) => t.id)).toEqual([1, 3]);
    expect(mixes.blendUnlike.map((t) => t.id)).toEqual([2]);
    mixes.removeFromBlend(1);
    expect(mixes.blendLike.map((t) => t.id)).toEqual([3]);

    rec.adventurous = 0.4;
    await mixes.queueBlend();
    expect(calls.at(-1)).toEqual({ method: 'tracks.moreLike', request: { trackIds: [3], n: 20, unlike: [2], adventurous: 0.4 } });
    expect(player.queue.map((t) => t.id)).toEqual([7, 8, 9]);
    expect(rec.source).toBe('Blend: more like T3, less like T2');
    expect(mixes.message).toBe('Blend: more like T3, less like T2: 3 songs queued.');

    // A mix control asks for the same blend again, with the controls.
    await mixes.setCap('artist', 1);
    expect(calls.at(-1)!.request).toMatchObject({ trackIds: [3], unlike: [2], mix: { maxPerArtist: 1 } });
    await mixes.setCap('album', 2);
    expect(calls.at(-1)!.request).toMatchObject({ mix: { maxPerArtist: 1, maxPerAlbum: 2 } });
    await mixes.setCap('album', null);
    await mixes.setTempo('fast');
    expect(calls.at(-1)!.request).toMatchObject({ trackIds: [3], mix: { maxPerArtist: 1, tempo: { min: 120, max: 150 } } });
    await mixes.setTempo('any');
    expect(calls.at(-1)!.request.mix).toEqual({ maxPerArtist: 1 });

    for (let id = 100; id < 100 + BLEND_SIDE_MAX + 3; id++) mixes.addToBlend(row(id), 'unlike');
    expect(mixes.blendUnlike.length).toBe(BLEND_SIDE_MAX);
    expect(mixes.error).toMatch(/at most 20 songs on each side/);
    mixes.clearBlend();
    await mixes.queueBlend();
    expect(mixes.error).toMatch(/Add a song to “more like” first/);
  });
});

describe('the map lasso', () => {
  // Five points in map pixels: three on the left (ids 10, 11, 12), two on the right (ids 20, 21).
  const xs = Float32Array.of(50, 80, 60, 400, 420);
  const ys = Float32Array.of(50, 90, 300, 60, 300);
  const ids = [10, 11, 12, 20, 21];
  const grid = new PointGrid(xs, ys, 500, 500, 10);

  function setup() {
    const { api, calls } = recordingApi((method, request) => {
      if (method === 'queue.smoothOrder') return { trackIds: [...(request.trackIds as number[])].reverse(), before: 2, after: 1 };
      if (method === 'tracks.get') return (request.ids as number[]).map(row);
      if (method === 'playlists.save')
        return {
          status: 'saved',
          replaced: false,
          playlist: { id: 1, name: request.name, tracks: (request.trackIds as number[]).length },
        };
      if (method === 'playlists.list') return { playlists: [] };
      return null;
    });
    const player = new PlayerState(api);
    const rec = new RecommendState(api, player);
    const lasso = new MapLassoState(api, player, rec, new PlaylistsState(api, player));
    return { api, calls, player, rec, lasso };
  }

  it('from the keyboard: corners at the cursor, closed with at least three, selecting the songs inside', () => {
    const { lasso } = setup();
    expect(lasso.closeCorners(grid, ids, xs, ys)).toBe(false); // no outline: C is not the lasso's
    lasso.addCorner(380, 20); // top right, round the right half
    expect(lasso.cornering).toBe(true);
    lasso.addCorner(480, 20);
    expect(lasso.closeCorners(grid, ids, xs, ys)).toBe(true);
    expect(lasso.message).toMatch(/at least 3 corners/);
    expect(lasso.selected).toEqual([]);
    lasso.addCorner(480, 330);
    lasso.addCorner(300, 330);
    expect(lasso.message).toMatch(/^Lasso corner 4: press X for another, or C to close the lasso\.$/);
    expect(lasso.closeCorners(grid, ids, xs, ys)).toBe(true);
    expect(lasso.cornering).toBe(false);
    expect(lasso.polygon).toEqual([380, 20, 480, 20, 480, 330, 300, 330]);
    expect(lasso.selected).toEqual([20, 21]); // nearest the first corner first
    // A new corner starts a new outline; Escape's clear drops it.
    lasso.addCorner(10, 10);
    expect([lasso.selected, lasso.polygon]).toEqual([[], [10, 10]]);
    lasso.clear();
    expect([lasso.cornering, lasso.polygon, lasso.message]).toEqual([false, [], null]);
  });

  it('a press that does not travel stays a click; a drag selects the songs inside, nearest its start first', () => {
    const { lasso } = setup();
    lasso.press(10, 10);
    expect(lasso.drag(13, 12)).toBe(false); // under LASSO_START pixels
    expect(lasso.release(grid, ids, xs, ys)).toBe(false);
    expect(lasso.selected).toEqual([]);

    lasso.press(10, 320); // bottom left, then round the left half
    for (const [x, y] of [
      [10, 10],
      [200, 10],
      [200, 330],
      [10, 330],
    ] as const)
      expect(lasso.drag(x, y)).toBe(true);
    expect(lasso.release(grid, ids, xs, ys)).toBe(true);
    expect(lasso.selected).toEqual([12, 11, 10]); // nearest (10, 320) first
    expect(lasso.polygon.length).toBeGreaterThanOrEqual(10);
  });

  it('queues the songs in smooth order from the one nearest the start, and saves them in that order', async () => {
    const { calls, player, rec, lasso } = setup();
    lasso.press(10, 320);
    for (const [x, y] of [
      [10, 10],
      [200, 10],
      [200, 330],
      [10, 330],
    ] as const)
      lasso.drag(x, y);
    lasso.release(grid, ids, xs, ys);
    await lasso.queue();
    expect(calls.find((c) => c.method === 'queue.smoothOrder')!.request).toEqual({ trackIds: [12, 11, 10], firstId: 12 });
    expect(player.queue.map((t) => t.id)).toEqual([10, 11, 12]); // the fake orders in reverse
    expect(rec.source).toBe('Map selection (3 songs)');
    expect(lasso.message).toBe('Queued 3 songs from the map in smooth order.');

    const outcome = await lasso.save('  Left side  ');
    expect(outcome).toMatchObject({ status: 'saved', name: 'Left side' });
    expect(calls.find((c) => c.method === 'playlists.save')!.request).toEqual({ name: 'Left side', trackIds: [10, 11, 12] });
    expect(await lasso.save('   ')).toEqual({ status: 'error', message: 'Give the playlist a name.' });
    lasso.clear();
    expect([lasso.selected, lasso.polygon, lasso.message]).toEqual([[], [], null]);
  });
});
