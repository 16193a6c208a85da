// End to end (issue 16): a song path and a smooth order in browser mode. A real analysed library
// (makeAnalysisLibrary's pieces and five noise tracks), tags imported and a model trained through the
// CLI; then, in real Chromium against `cadenza serve`: "Path to…" on one row (nothing playing: it
// becomes the start) and on another fills the queue with the path, and "Smooth order" reorders it,
// keeping the first song and the songs; "Radio" queues songs like the first one. Then the blend basket
// (more like one song, less like another), the artist and album pages' similar artists and albums and
// their radios, and the map: the queue drawn on it, and a lasso whose songs are queued and saved.
import { spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeAnalysisLibrary } from '../fixtures/analysis/make-analysis-library.ts';
import { requireFfmpeg } from '../fixtures/library/make-library.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { MAP_RESOLUTION } from '../../src-main/api/types.ts';
import {
  apiCall,
  cli,
  launchChromium,
  type PageCanvas,
  recordPageErrors,
  SHOTS,
  shot,
  startServe,
  stopServe,
} from './harness.ts';

describe('song path and smooth order in browser mode, end to end', () => {
  let server: { child: ChildProcess; url: string };
  let browser: Browser;
  /** The names the table shows for the songs that get an embedding (analysed files, the noises). */
  const embedded = new Set<string>();

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    const lib = await makeAnalysisLibrary(path.join(tempDir(), 'music'));
    const dataDir = path.join(tempDir(), 'data');
    const noises = ['white', 'pink', 'brown', 'blue', 'violet'].map((colour, i) => {
      const file = path.join(lib.root, `noise-${colour}.mp3`);
      const made = spawnSync(requireFfmpeg(), [
        ...['-v', 'error', '-y', '-f', 'lavfi', '-i', `anoisesrc=c=${colour}:d=40:a=0.4:r=44100`],
        // Three artists with an album each (two, two and one songs): the similar artists and albums.
        ...['-metadata', `title=Noise ${colour}`, '-metadata', `artist=Noise Band ${'AABBC'[i]}`],
        ...['-metadata', `album=Static ${'AABBC'[i]}`, '-b:a', '96k', file],
      ]);
      expect(made.status, String(made.stderr)).toBe(0);
      return file;
    });
    cli(dataDir, 'scan', lib.root);
    cli(dataDir, 'analyze', '--workers', '1');
    const analysed = lib.files.filter((f) => f.expect === 'features');
    for (const f of analysed) embedded.add(path.basename(f.path));
    for (const colour of ['white', 'pink', 'brown', 'blue', 'violet']) embedded.add(`Noise ${colour}`);
    const tags = path.join(tempDir(), 'tags.csv');
    fs.writeFileSync(
      tags,
      [
        'path,tags',
        ...analysed.map((f) => `"${f.path}",ambient;calm;piano`),
        ...noises.map((f) => `"${f}",noise;loud;guitar`),
      ].join('\n'),
    );
    cli(dataDir, 'tags', 'import', tags);
    cli(dataDir, 'topics', 'fit', '--k', '2', '--seed', '1');
    cli(dataDir, 'train', '--epochs', '8', '--json');
    server = await startServe(dataDir);
    browser = await launchChromium();
  }, 900_000); // ten CLI runs through tsx and an analysis: minutes on a loaded 2-core machine

  afterAll(async () => {
    await browser?.close();
    await stopServe(server);
  });

  it('"Path to…" twice queues a path from the first song to the second; "Smooth order" reorders the queue; "Radio" queues songs like the first', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    recordPageErrors(page, errors);
    await page.goto(server.url);
    const pathButtons = page.getByRole('button', { name: /^Path to / });
    await expect.poll(() => pathButtons.count(), { timeout: 30_000 }).toBeGreaterThanOrEqual(8);
    const count = await pathButtons.count();
    const rowId = async (k: number) => {
      const label = (await pathButtons.nth(k).getAttribute('aria-label'))!.replace(/^Path to /, '');
      return label;
    };
    // The end: the last row with an embedding (the too-short, silent and damaged files have none: a path
    // to one is refused with a clear error, which is not what this test is about).
    let last = count - 1;
    while (!embedded.has(await rowId(last))) last--;
    const [fromName, toName] = [await rowId(0), await rowId(last)];

    // Nothing plays: the first "Path to…" picks the start, the second the end.
    await pathButtons.nth(0).click();
    await expect.poll(() => page.getByTestId('path-start').textContent()).toContain(fromName);
    await pathButtons.nth(last).click();
    await expect.poll(() => page.getByTestId('mix-status').textContent(), { timeout: 30_000 }).toMatch(/^Path of \d+ songs from/);
    expect(await page.getByTestId('path-start').count()).toBe(0);
    expect(await page.getByTestId('queue-source').textContent()).toBe(`Path ${fromName} → ${toName}`);
    const queue = page.getByRole('list', { name: 'Queued tracks' });
    const queued = () => queue.locator('li').evaluateAll((items) => items.map((li) => Number(li.getAttribute('data-track-id'))));
    const path1 = await queued();
    expect(path1.length).toBeGreaterThanOrEqual(3);
    expect(new Set(path1).size).toBe(path1.length);
    const names = await queue.locator('li button.name span:first-child').allTextContents();
    expect(names[0]).toBe(fromName);
    expect(names.at(-1)).toBe(toName);
    await shot(page, '40-song-path');

    await page.getByRole('button', { name: 'Smooth order' }).click();
    await expect
      .poll(() => page.getByTestId('mix-status').textContent(), { timeout: 30_000 })
      .toMatch(/^Queue in smooth order: walk/);
    const ordered = await queued();
    expect(ordered[0]).toBe(path1[0]);
    expect([...ordered].sort((a, b) => a - b)).toEqual([...path1].sort((a, b) => a - b));
    const [before, after] = (await page.getByTestId('mix-status').textContent())!.match(/\d+\.\d+/g)!.map(Number);
    expect(after).toBeLessThanOrEqual(before!);
    await shot(page, '41-smooth-order');

    // Radio from the first queued song (nothing plays): it leads, followed by songs like it, none repeated.
    await page.getByRole('button', { name: 'Radio', exact: true }).click();
    await expect
      .poll(() => page.getByTestId('mix-status').textContent(), { timeout: 30_000 })
      .toMatch(/^Radio from .*: \d+ songs queued/);
    const radio = await queued();
    expect(radio[0]).toBe(ordered[0]);
    expect(radio.length).toBeGreaterThanOrEqual(5);
    expect(new Set(radio).size).toBe(radio.length);
    expect(await page.getByTestId('queue-source').textContent()).toMatch(/^Radio from /);
    expect(errors).toEqual([]);
  }, 180_000);

  it('the blend basket queues a blend; artist and album pages list similar ones and start radios; the map draws the queue and a lasso queues and saves its songs', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    recordPageErrors(page, errors);
    await page.goto(server.url);
    const status = page.getByTestId('mix-status');
    const queue = page.getByRole('list', { name: 'Queued tracks' });
    const queued = () => queue.locator('li').evaluateAll((items) => items.map((li) => Number(li.getAttribute('data-track-id'))));
    const source = page.getByTestId('queue-source');
    const rows = (
      await apiCall<{ tracks: { id: number; title: string | null; path: string }[] }>(page, 'tracks.list', {
        offset: 0,
        limit: 500,
      })
    ).tracks;
    const idOf = (name: string) => rows.find((r) => (r.title ?? path.basename(r.path)) === name)!.id;

    // The blend basket: more like a tone piece, less like a noise; a chip comes out again.
    await expect
      .poll(() => page.getByRole('button', { name: /^Blend more like / }).count(), { timeout: 30_000 })
      .toBeGreaterThanOrEqual(8);
    await page.getByRole('button', { name: 'Blend more like piece.flac', exact: true }).click();
    await page.getByRole('button', { name: 'Blend less like Noise white', exact: true }).click();
    await page.getByRole('button', { name: 'Blend less like Noise pink', exact: true }).click();
    const basket = page.getByTestId('blend-basket');
    await expect.poll(() => basket.textContent()).toMatch(/More like:\s*piece\.flac\s*Less like:\s*Noise white\s*Noise pink/);
    expect(
      await page.getByRole('button', { name: 'Blend less like Noise white', exact: true }).getAttribute('aria-pressed'),
    ).toBe('true');
    await page.getByRole('button', { name: 'Take Noise pink out of the blend' }).click();
    await expect.poll(() => basket.textContent()).not.toContain('Noise pink');
    await page.getByRole('button', { name: 'Queue blend' }).click();
    await expect
      .poll(() => status.textContent(), { timeout: 30_000 })
      .toMatch(/^Blend: more like piece\.flac, less like Noise white: \d+ songs queued\.$/);
    expect(await source.textContent()).toBe('Blend: more like piece.flac, less like Noise white');
    const blended = await queued();
    expect(blended.length).toBeGreaterThanOrEqual(5);
    expect(blended).not.toContain(idOf('piece.flac'));
    expect(blended).not.toContain(idOf('Noise white'));
    // (That the blend moves away from the subtracted song is checked in the core: mixes.test.ts.)
    await shot(page, '42-blend-basket');
    await page.getByRole('button', { name: 'Clear blend' }).click();
    await expect.poll(() => basket.count()).toBe(0);

    // An artist's page: the artists like them (the other two noise bands), one opens, and its radio.
    await page.getByRole('tab', { name: 'Artists' }).click();
    await page.getByRole('button', { name: 'Open Noise Band A', exact: true }).click();
    const likeA = page.getByRole('list', { name: 'Artists like Noise Band A' }).getByRole('button');
    await expect.poll(() => likeA.count(), { timeout: 15_000 }).toBe(2);
    const similarNames = await likeA.evaluateAll((buttons) =>
      buttons.map((b) => b.getAttribute('aria-label')!.replace(/^Open /, '')),
    );
    expect(new Set(similarNames)).toEqual(new Set(['Noise Band B', 'Noise Band C']));
    await likeA.first().click();
    await expect.poll(() => page.locator('.browse h2').textContent()).toBe(similarNames[0]);
    await page.getByRole('button', { name: `Radio from ${similarNames[0]}`, exact: true }).click();
    await expect
      .poll(() => status.textContent(), { timeout: 30_000 })
      .toMatch(new RegExp(`^Radio from “${similarNames[0]}”: \\d+ songs queued\\.$`));
    expect(await source.textContent()).toBe(`Radio from ${similarNames[0]}`);
    const artistRadio = await queued();
    expect(artistRadio.length).toBeGreaterThanOrEqual(3);
    expect(new Set(artistRadio).size).toBe(artistRadio.length);
    await shot(page, '43-similar-artists');

    // An album's page: the albums like it, one opens, and its radio.
    await page.getByRole('tab', { name: 'Albums' }).click();
    await page.getByRole('button', { name: 'Static A by Noise Band A', exact: true }).click();
    const likeStatic = page.getByRole('list', { name: 'Albums like Static A' }).getByRole('button');
    await expect.poll(() => likeStatic.count(), { timeout: 15_000 }).toBe(2);
    expect((await likeStatic.allTextContents()).map((t) => t.split(' — ')[0]!.trim()).sort()).toEqual(['Static B', 'Static C']);
    await likeStatic.first().click();
    await expect.poll(() => page.locator('.albums h2').textContent()).toMatch(/^Static [BC]$/);
    const album = (await page.locator('.albums h2').textContent())!;
    await page.getByRole('button', { name: 'Radio from this album', exact: true }).click();
    await expect
      .poll(() => status.textContent(), { timeout: 30_000 })
      .toMatch(new RegExp(`^Radio from “${album}”: \\d+ songs queued\\.$`));
    const albumRadio = await queued();
    expect(albumRadio.length).toBeGreaterThanOrEqual(3);

    // The map draws the queue (every queued song is embedded) as a yellow line.
    await page.getByRole('tab', { name: 'Map' }).click();
    const map = page.getByTestId('song-map');
    const info = await apiCall<{ active: { id: number; embedded: number } }>(page, 'model.info', null);
    await expect
      .poll(() => map.getAttribute('data-drawn'), { timeout: 10_000 })
      .toBe(`${info.active.id}:${info.active.embedded}`);
    await expect.poll(() => map.getAttribute('data-queue-drawn')).toBe(String(albumRadio.length));
    const yellow = await map
      .locator('canvas')
      .nth(1)
      .evaluate((c) => {
        const canvas = c as unknown as PageCanvas;
        const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let n = 0;
        for (let p = 0; p < data.length; p += 4)
          if (data[p]! > 230 && data[p + 1]! > 190 && data[p + 2]! < 120 && data[p + 3]! > 200) n++;
        return n;
      });
    expect(yellow).toBeGreaterThan(20);

    // A lasso round the whole map holds every song; one round its left half, the songs left of its edge.
    // The box is read for each drag: a click below (Clear lasso) may scroll the map's panel.
    const drag = async (points: [number, number][]) => {
      await map.scrollIntoViewIfNeeded();
      const box = (await map.boundingBox())!;
      await page.mouse.move(box.x + points[0]![0] * box.width, box.y + points[0]![1] * box.height);
      await page.mouse.down();
      for (const [fx, fy] of points.slice(1))
        await page.mouse.move(box.x + fx * box.width, box.y + fy * box.height, { steps: 8 });
      await page.mouse.up();
    };
    await drag([
      [0.005, 0.005],
      [0.995, 0.005],
      [0.995, 0.995],
      [0.005, 0.995],
    ]);
    const count = page.getByTestId('lasso-count');
    await expect.poll(() => count.textContent()).toBe(`${info.active.embedded} songs in the lasso`);
    await page.getByRole('button', { name: 'Clear lasso' }).click();
    await expect.poll(() => count.count()).toBe(0);
    await drag([
      [0.005, 0.005],
      [0.5, 0.005],
      [0.5, 0.995],
      [0.005, 0.995],
    ]);
    await shot(page, '44-map-lasso');
    await expect.poll(() => count.textContent()).toMatch(/^\d+ songs? in the lasso$/);
    const inLasso = Number((await count.textContent())!.split(' ')[0]);
    // The map's own coordinates: no topic is selected, so screen x = 20 + x / (R − 1) · 460 of 500 pixels.
    const points = await apiCall<{ ids: number[]; xy: number[] }>(page, 'model.map', {});
    const edge = ((0.5 * 500 - 20) / 460) * (MAP_RESOLUTION - 1);
    const left = points.ids.filter((_, i) => points.xy[2 * i]! < edge - 20);
    const right = points.ids.filter((_, i) => points.xy[2 * i]! > edge + 20);
    expect(left.length).toBeGreaterThan(0);
    expect(right.length).toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Queue them', exact: true }).click();
    await expect
      .poll(() => page.getByTestId('lasso-status').textContent(), { timeout: 30_000 })
      .toMatch(new RegExp(`^Queued ${inLasso} songs from the map( in smooth order)?\\.$`));
    expect(await source.textContent()).toBe(`Map selection (${inLasso} songs)`);
    const lassoed = await queued();
    expect(lassoed.length).toBe(inLasso);
    for (const id of left) expect(lassoed).toContain(id);
    for (const id of right) expect(lassoed).not.toContain(id);
    // Saved as a playlist under a name; the same name again asks before it replaces.
    const lassoGroup = page.getByRole('group', { name: 'Lasso selection' });
    await lassoGroup.getByLabel('Playlist name').fill('Left of the map');
    await lassoGroup.getByRole('button', { name: 'Save as playlist', exact: true }).click();
    await expect
      .poll(() => page.getByTestId('lasso-status').textContent())
      .toBe(`Saved playlist “Left of the map” (${inLasso} ${inLasso === 1 ? 'track' : 'tracks'})`);
    const saved = await apiCall<{ playlists: { id: number; name: string; tracks: number }[] }>(page, 'playlists.list', null);
    const playlist = saved.playlists.find((p) => p.name === 'Left of the map')!;
    expect(playlist.tracks).toBe(inLasso);
    expect((await apiCall<{ trackIds: number[] }>(page, 'playlists.get', { id: playlist.id })).trackIds).toEqual(lassoed);
    await lassoGroup.getByLabel('Playlist name').fill('Left of the map');
    await lassoGroup.getByRole('button', { name: 'Save as playlist', exact: true }).click();
    await lassoGroup.getByRole('button', { name: 'Replace it', exact: true }).click();
    await expect.poll(() => page.getByTestId('lasso-status').textContent()).toMatch(/^Replaced playlist “Left of the map”/);

    // The same from the keyboard: the cursor starts in the middle (250, 250 of 500); Shift+arrow moves 40
    // pixels; X drops a corner, C closes the lasso. Round the whole map: every song.
    await page.getByRole('button', { name: 'Clear lasso' }).click();
    await map.focus();
    const keys = async (key: string, times: number) => {
      for (let k = 0; k < times; k++) await page.keyboard.press(key);
    };
    await keys('Shift+ArrowLeft', 6);
    await keys('Shift+ArrowUp', 6);
    await page.keyboard.press('x');
    await expect.poll(() => page.getByTestId('lasso-status').textContent()).toMatch(/^Lasso corner 1: /);
    await keys('Shift+ArrowRight', 12);
    await page.keyboard.press('x');
    await page.keyboard.press('c'); // two corners: not yet a lasso
    await expect.poll(() => page.getByTestId('lasso-status').textContent()).toMatch(/at least 3 corners/);
    await keys('Shift+ArrowDown', 12);
    await page.keyboard.press('x');
    await keys('Shift+ArrowLeft', 12);
    await page.keyboard.press('x');
    await page.keyboard.press('c');
    await expect.poll(() => count.textContent()).toBe(`${info.active.embedded} songs in the lasso`);
    expect(await map.getAttribute('data-lasso')).toBe(String(info.active.embedded));
    expect(errors).toEqual([]);
  }, 180_000);
});
