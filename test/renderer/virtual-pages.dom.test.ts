// (*.dom.test.ts: type-checked with the renderer's DOM types, tsconfig.web.json.)
// The album grid's pages: fetched as they come into view (each once), at most maxPages kept (the
// farthest from the view dropped), a reload's answer wins over an older one, and a failure is shown.
import { describe, expect, it } from 'vitest';
import { VirtualPages, type PageAnswer } from '../../src-renderer/src/lib/virtual-pages.svelte.ts';

const TOTAL = 1000;
function pagesOf(maxPages = 3) {
  const asked: { offset: number; search: string | undefined }[] = [];
  let fail = false;
  const pages = new VirtualPages<number>(
    10,
    async (offset, limit, search): Promise<PageAnswer<number>> => {
      asked.push({ offset, search });
      if (fail) return { ok: false, error: 'the library is closing' };
      const items = Array.from({ length: Math.max(0, Math.min(limit, TOTAL - offset)) }, (_, k) => offset + k);
      return { ok: true, value: { total: TOTAL, items } };
    },
    maxPages,
  );
  return { pages, asked, failNext: (on: boolean) => (fail = on) };
}

describe('VirtualPages', () => {
  it('fetches the pages a view needs once each, and keeps at most maxPages, dropping the farthest', async () => {
    const { pages, asked } = pagesOf(3);
    await pages.reload();
    expect(pages.total).toBe(TOTAL);
    expect(pages.loaded).toBe(true);
    expect(pages.at(5)).toBe(5);
    expect(pages.at(15)).toBeUndefined();
    await pages.show(5, 25); // pages 0–2: 1 and 2 are fetched
    await pages.show(0, 30); // nothing new
    expect(asked.map((a) => a.offset)).toEqual([0, 10, 20]);
    expect(pages.at(29)).toBe(29);
    await pages.show(500, 520); // a jump: pages 50 and 51; the two farthest from them go
    expect(asked.map((a) => a.offset).slice(3)).toEqual([500, 510]);
    expect(pages.keptPages).toBe(3);
    expect(pages.at(515)).toBe(515);
    expect(pages.at(0)).toBeUndefined();
    expect(pages.at(1)).toBeUndefined();
    expect(pages.at(25)).toBe(25); // the nearest of the old ones stays
    await pages.show(0, 10); // dropped: fetched again
    expect(asked.at(-1)!.offset).toBe(0);
  });

  it('a reload (a search) starts again, and an older reload answering later is dropped', async () => {
    const { pages, asked } = pagesOf();
    await pages.reload();
    await pages.show(100, 110);
    pages.search = ' blue ';
    const first = pages.reload();
    pages.search = 'red';
    const second = pages.reload();
    await Promise.all([first, second]);
    expect(asked.slice(-2)).toEqual([
      { offset: 0, search: 'blue' },
      { offset: 0, search: 'red' },
    ]);
    expect(pages.keptPages).toBe(1);
    expect(pages.at(100)).toBeUndefined();
  });

  it('a failed page shows its reason, and the next answer clears it', async () => {
    const { pages, failNext } = pagesOf();
    await pages.reload();
    failNext(true);
    await pages.show(40, 50);
    expect(pages.error).toBe('the library is closing');
    expect(pages.at(45)).toBeUndefined();
    expect(pages.loading).toBe(false);
    failNext(false);
    await pages.show(40, 50);
    expect(pages.error).toBeNull();
    expect(pages.at(45)).toBe(45);
  });
});
