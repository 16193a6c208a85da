// The album grid and the artist list over a library too long to show at once (issue 14): only the cells
// in view are in the DOM, the end of the list is reachable, and coming back from an album's or an
// artist's page returns to the same place in the list. The library is seeded as a scan leaves it (rows in
// a real SQLite file, bench/ui-library.ts); these views read no audio.
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedUiLibrary } from '../../bench/ui-library.ts';
import { openLibraryDatabase } from '../../src-main/core/db/open.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { launchChromium, recordPageErrors, startServe, stopServe } from './harness.ts';

/** 6,000 tracks: 500 albums of 12, 250 artists. */
const TRACKS = 6000;

interface Scrollable {
  scrollTop: number;
  scrollHeight: number;
}

describe('long lists in Chromium', () => {
  let server: Awaited<ReturnType<typeof startServe>> | undefined;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    const dataDir = tempDir();
    const db = openLibraryDatabase(dataDir);
    seedUiLibrary(db, dataDir, TRACKS);
    db.close();
    server = await startServe(dataDir);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    recordPageErrors(page, errors);
    await page.goto(server.url);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stopServe(server);
  });

  const viewport = () => page.getByTestId('virtual-grid');
  const scrollTop = () => viewport().evaluate((v) => (v as unknown as Scrollable).scrollTop);
  const scrollTo = (fraction: number) =>
    viewport().evaluate((v, f) => {
      const s = v as unknown as Scrollable;
      s.scrollTop = Math.round(s.scrollHeight * f);
    }, fraction);
  /** The smallest aria-posinset among the cells that show their item (not a placeholder). */
  const firstShown = async (list: Locator) => {
    const places = await list
      .locator('li:has(button)')
      .evaluateAll((lis) => lis.map((li) => Number((li as unknown as { ariaPosInSet: string }).ariaPosInSet)));
    return Math.min(...places);
  };

  /** Bounded DOM, the last item reachable, and the place kept across opening one item and coming back. */
  async function checkList(o: { tab: string; list: string; back: string; opened: (name: string) => Locator }) {
    await page.getByRole('tab', { name: o.tab }).click();
    const list = page.getByRole('list', { name: o.list });
    await expect.poll(() => list.locator('li:has(button)').count(), { timeout: 15_000 }).toBeGreaterThan(0);
    const total = Number(await list.locator('li').first().getAttribute('aria-setsize'));
    const cells = await list.locator('li').count();
    expect(cells).toBeLessThan(total / 4);

    await scrollTo(1);
    await expect.poll(() => list.locator(`li[aria-posinset="${total}"] button`).count(), { timeout: 10_000 }).toBe(1);
    expect(await list.locator('li').count()).toBeLessThan(total / 4);

    await scrollTo(0.45);
    const before = await scrollTop();
    expect(before).toBeGreaterThan(0);
    // Polled until the cells have settled on one first place shown for 150 ms: right after the scroll they
    // can still be the old position's, or placeholders of a page still arriving (no place: Infinity).
    let place = Infinity;
    await expect
      .poll(
        async () => {
          const first = await firstShown(list);
          await page.waitForTimeout(150);
          place = (await firstShown(list)) === first ? first : Infinity;
          return place;
        },
        { timeout: 10_000 },
      )
      .toBeLessThan(Number.POSITIVE_INFINITY);
    expect(place).toBeGreaterThan(total / 4);
    const item = list.locator(`li[aria-posinset="${place + 2}"] button`).first();
    const name = (await item.getAttribute('aria-label'))!;
    await item.click();
    await expect.poll(() => o.opened(name).count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await page.getByRole('button', { name: o.back, exact: true }).click();
    await expect.poll(scrollTop, { timeout: 10_000 }).toBe(before);
    await expect.poll(() => firstShown(list), { timeout: 10_000 }).toBe(place);
  }

  it('the album grid keeps its DOM small, reaches the last album, and comes back to the same place', async () => {
    await checkList({
      tab: 'Albums',
      list: 'Album grid',
      back: 'All albums',
      // The card's label is "<title> by <artist>"; the album page's track list is "Tracks of <title>".
      opened: (label) => page.getByRole('list', { name: `Tracks of ${label.replace(/ by .*$/, '')}` }),
    });
    expect(errors).toEqual([]);
  }, 90_000);

  it('the artist list does the same', async () => {
    await checkList({
      tab: 'Artists',
      list: 'Artists list',
      back: 'All artists',
      opened: (label) => page.getByRole('list', { name: `Tracks of ${label.replace(/^Open /, '')}` }),
    });
    expect(errors).toEqual([]);
  }, 90_000);
});
