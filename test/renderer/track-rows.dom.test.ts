// (*.dom.test.ts: type-checked with the renderer's DOM types, tsconfig.web.json.)
// Track rows for any number of ids (a restored queue, a playlist, a lasso's songs): asked for in pages
// the API accepts, each id once, given back in the order asked with repeats, and a failed page's reason.
import { describe, expect, it } from 'vitest';
import { TRACKS_GET_MAX } from '../../src-main/api/types.ts';
import { trackRowsInOrder } from '../../src-renderer/src/lib/track-rows.ts';
import { fakeApi, row } from './fake-api.ts';

describe('trackRowsInOrder', () => {
  it('pages the ids, asks for each once, and keeps the order asked (repeats again, unknown ids left out)', async () => {
    const pages: number[][] = [];
    const api = fakeApi(async (method, request) => {
      expect(method).toBe('tracks.get');
      const ids = request.ids as number[];
      pages.push(ids);
      // The library lacks the ids ≥ 9000; the answer comes in another order than asked.
      return {
        ok: true,
        value: ids
          .filter((id) => id < 9000)
          .reverse()
          .map(row),
      };
    });
    const ids = [...Array.from({ length: 2500 }, (_, i) => 2500 - i), 7, 9001, 7];
    const rows = await trackRowsInOrder(api, ids);
    expect(rows.ok).toBe(true);
    if (!rows.ok) return;
    expect(pages.map((p) => p.length)).toEqual([TRACKS_GET_MAX, TRACKS_GET_MAX, 501]);
    expect(new Set(pages.flat()).size).toBe(pages.flat().length);
    expect(rows.value.map((r) => r.id)).toEqual(ids.filter((id) => id < 9000));
  });

  it('stops at the first failed page with its reason', async () => {
    let asked = 0;
    const api = fakeApi(async () => (++asked === 2 ? { ok: false, error: 'the library is closing' } : { ok: true, value: [] }));
    const rows = await trackRowsInOrder(
      api,
      Array.from({ length: 3 * TRACKS_GET_MAX }, (_, i) => i + 1),
    );
    expect(rows).toEqual({ ok: false, error: 'the library is closing' });
    expect(asked).toBe(2);
  });
});
