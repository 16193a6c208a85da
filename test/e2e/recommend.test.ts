// End to end: recommendations in browser mode. A real analysed library (makeAnalysisLibrary: 40-s
// pieces in every format), user tags and a 2-topic fit through the CLI; then, in real Chromium against
// `cadenza serve`: train a tiny model from the Model panel, the topic toggles fill the queue with
// "why" explanations (two ticked topics: both in the queue), "more like this", like and dislike re-rank it, and the map draws its points.
import { spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeAnalysisLibrary } from '../fixtures/analysis/make-analysis-library.ts';
import { requireFfmpeg } from '../fixtures/library/make-library.ts';
import { tempDir } from '../helpers/temp-dir.ts';
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

describe('recommendations in browser mode, end to end', () => {
  let server: { child: ChildProcess; url: string };
  let browser: Browser;
  let names: string[];

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    const lib = await makeAnalysisLibrary(path.join(tempDir(), 'music'));
    const dataDir = path.join(tempDir(), 'data');
    // The fixture pieces are one tonal piece in every format; noise tracks give the model a second sound
    // to tell apart, tagged differently, so the two topics mean something different in the audio.
    const noises = ['white', 'pink', 'brown', 'blue', 'violet'].map((colour, i) => {
      const file = path.join(lib.root, `noise-${colour}.mp3`);
      const made = spawnSync(requireFfmpeg(), [
        '-v',
        'error',
        '-y',
        '-f',
        'lavfi',
        '-i',
        `anoisesrc=c=${colour}:d=40:a=0.4:r=44100`,
        '-metadata',
        `title=Noise ${colour}`,
        '-metadata',
        `artist=Noise Band ${i % 3}`,
        '-b:a',
        '96k',
        file,
      ]);
      expect(made.status, String(made.stderr)).toBe(0);
      return file;
    });
    cli(dataDir, 'scan', lib.root);
    cli(dataDir, 'analyze', '--workers', '1');
    const analysed = lib.files.filter((f) => f.expect === 'features');
    names = [...analysed.map((f) => f.name), ...noises.map((f) => path.basename(f))];
    for (const f of analysed) cli(dataDir, 'tag', 'add', f.path, 'ambient', 'calm', 'piano');
    for (const f of noises) cli(dataDir, 'tag', 'add', f, 'noise', 'loud', 'guitar');
    cli(dataDir, 'topics', 'fit', '--k', '2', '--seed', '1');
    server = await startServe(dataDir);
    browser = await launchChromium();
  }, 600_000); // fifteen CLI runs through tsx: minutes on a loaded 2-core machine

  afterAll(async () => {
    await browser?.close();
    await stopServe(server);
  });

  it('train a model, then topics fill the queue, more like this, like/dislike re-rank, and the map', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    recordPageErrors(page, errors);
    await page.goto(server.url);
    const topics = page.getByRole('group', { name: 'Topics' });
    await expect.poll(() => topics.getByRole('checkbox').count(), { timeout: 30_000 }).toBe(2);
    await expect.poll(() => page.getByTestId('model-info').textContent()).toMatch(/No model yet/);

    // Train from the Model panel: a live progress bar, then the chart of loss and validation accuracy.
    await page.getByRole('spinbutton', { name: 'Epochs' }).fill('30');
    await page.getByRole('button', { name: 'Train', exact: true }).click();
    await page
      .getByRole('progressbar', { name: 'Training' })
      .waitFor({ timeout: 30_000 })
      .then(
        () => shot(page, '10-training'),
        () => {},
      );
    await expect.poll(() => page.getByTestId('model-info').textContent(), { timeout: 90_000 }).toMatch(/Model 1 \(default\) ·/); // the default model
    expect(await page.getByTestId('model-info').textContent()).toMatch(/songs embedded/);
    expect(await page.getByTestId('training-chart').locator('polyline').count()).toBe(2);
    expect(await page.locator('[data-job="training"] [data-status="done"]').textContent()).toMatch(/trained in \d+ epochs/);

    // Topic toggles fill the queue; every recommended song has its "why".
    const queue = page.getByRole('list', { name: 'Queued tracks' });
    const upcoming = async () =>
      queue
        .locator('li[data-upcoming="true"]')
        .evaluateAll((items) => items.map((li) => Number(li.getAttribute('data-track-id'))));
    await topics.getByRole('checkbox').nth(0).check();
    await expect.poll(() => page.getByTestId('queue-source').textContent()).toBe('Topics 1');
    // Every analysed song is a candidate; the artist-spacing rule may hold back a noise track or two.
    await expect.poll(async () => (await upcoming()).length).toBeGreaterThanOrEqual(names.length - 3);
    expect((await upcoming()).length).toBeLessThanOrEqual(names.length);
    const topicOne = await upcoming();
    await queue.locator('details summary').first().click();
    expect(await queue.locator('details[open] p').first().textContent()).toMatch(/distance -?\d/);
    await shot(page, '11-topic-queue');
    await topics.getByRole('checkbox').nth(0).uncheck();
    await topics.getByRole('checkbox').nth(1).check();
    await expect.poll(() => page.getByTestId('queue-source').textContent()).toBe('Topics 2');
    await expect.poll(upcoming).not.toEqual(topicOne);
    await shot(page, '12-topic-2-queue');

    // Two distant topics (the tonal pieces and the noise tracks): the queue holds both, interleaved from
    // the start, and each song's "why" says which of the two it stands for.
    await topics.getByRole('checkbox').nth(0).check();
    await expect.poll(() => page.getByTestId('queue-source').textContent()).toBe('Topics 1, 2');
    const blendRows = async () => {
      const ids = await upcoming();
      const rows = await apiCall<{ id: number; title: string | null }[]>(page, 'tracks.get', { ids });
      const noise = new Map(rows.map((r) => [r.id, r.title?.startsWith('Noise') === true]));
      const whys = await queue
        .locator('li[data-upcoming="true"]')
        .evaluateAll((items) => items.map((li) => li.querySelector('details p')?.textContent ?? ''));
      return ids.map((id, i) => ({ noise: noise.get(id)!, topic: /\(topic (\d)\)/.exec(whys[i]!)?.[1] }));
    };
    await expect.poll(async () => (await blendRows()).length).toBeGreaterThanOrEqual(6);
    const blended = await blendRows();
    expect(blended.slice(0, 4).some((r) => r.noise)).toBe(true);
    expect(blended.slice(0, 4).some((r) => !r.noise)).toBe(true);
    expect(new Set(blended.slice(0, 2).map((r) => r.topic))).toEqual(new Set(['1', '2']));
    // A topic's songs are of one kind (all noise or all tonal), the other topic's of the other.
    const kindOf = (topic: string) => new Set(blended.filter((r) => r.topic === topic).map((r) => r.noise));
    expect(kindOf('1').size).toBe(1);
    expect(kindOf('2').size).toBe(1);
    expect([...kindOf('1')][0]).not.toBe([...kindOf('2')][0]);
    // A weight per ticked topic: topic 1 twice topic 2's share.
    await page.getByRole('spinbutton', { name: 'Weight of topic 1' }).fill('2');
    await page.getByRole('spinbutton', { name: 'Weight of topic 1' }).dispatchEvent('change');
    await expect.poll(() => page.getByTestId('queue-source').textContent()).toBe('Topics 1 ×2, 2 ×1');
    await shot(page, '12b-two-topics');
    await topics.getByRole('checkbox').nth(0).uncheck();
    await expect.poll(() => page.getByTestId('queue-source').textContent()).toBe('Topics 2');

    // Like: the liked track's nearest neighbour rises. The tonal pieces share one sound (ties), so the
    // liked track is a noise track (each has its own sound) whose nearest neighbour is not first but
    // highest up (it has one song to pass).
    const before = await upcoming();
    const rows = await apiCall<{ id: number; title: string | null }[]>(page, 'tracks.get', { ids: before });
    let liked = -1;
    let neighbour = -1;
    // Prefer a noise track whose neighbour has room to rise; a tiny model sometimes puts every such
    // neighbour first already, and then any queued track whose neighbour is queued will do.
    for (const pool of [rows.filter((r) => r.title?.startsWith('Noise')), rows]) {
      for (const row of pool) {
        const near = await apiCall<{ tracks: { id: number }[] }>(page, 'tracks.moreLike', { trackIds: [row.id], n: 1 });
        const n = near.tracks[0]!.id;
        const at = before.indexOf(n);
        const better =
          neighbour < 0 || (pool === rows ? at >= 0 && at < before.indexOf(neighbour) : at > 0 && at < before.indexOf(neighbour));
        if ((pool === rows ? at >= 0 : at > 0) && better) {
          liked = row.id;
          neighbour = n;
        }
      }
      if (liked > 0) break;
    }
    expect(liked, `no queued track has its nearest neighbour in the queue: ${before.join(', ')}`).toBeGreaterThan(0);
    const [likedRow] = await apiCall<{ path: string; title: string | null }[]>(page, 'tracks.get', { ids: [liked] });
    const likedName = likedRow!.title ?? path.basename(likedRow!.path);
    await page.getByRole('button', { name: `Like ${likedName}`, exact: true }).click();
    // The like re-ranks the queue at once: the neighbour stays queued, and the songs it lifted say so.
    // (On this tiny fixture, nine copies of one piece, D barely separates the neighbours, and the taste
    // direction a like adds can pass the neighbour by one place (seen once in CI: 1 → 2); the rise of the
    // liked song's neighbour is checked on a larger library in src-main/core/app/recommend-service.test.ts.)
    await expect.poll(upcoming).not.toEqual(before);
    expect(await upcoming()).toContain(neighbour);
    await expect
      .poll(() => queue.locator('details p').allTextContents())
      .toContainEqual(expect.stringMatching(/which you liked/));
    await shot(page, '13-after-like');

    // Dislike the top song: it leaves the queue.
    const top = (await upcoming())[0]!;
    const [topRow] = await apiCall<{ path: string; title: string | null }[]>(page, 'tracks.get', { ids: [top] });
    await page.getByRole('button', { name: `Dislike ${topRow!.title ?? path.basename(topRow!.path)}`, exact: true }).click();
    await expect.poll(upcoming).not.toContain(top);

    // More like this (a row action): the queue fills with the nearest songs, without the seed.
    await page.getByRole('button', { name: `More like ${likedName}`, exact: true }).click();
    await expect.poll(() => page.getByTestId('queue-source').textContent()).toBe(`More like ${likedName}`);
    await expect.poll(async () => (await upcoming()).length).toBeGreaterThan(2);
    expect(await upcoming()).not.toContain(liked);
    await shot(page, '14-more-like-this');

    // Retrain from the feedback so far (a like, a dislike) in the background; the outcome is reported either way.
    await page.getByRole('button', { name: 'Retrain from feedback', exact: true }).click();
    await expect
      .poll(() => page.getByRole('status').filter({ hasText: /model/i }).first().textContent(), { timeout: 120_000 })
      .toMatch(/^(New model kept|Kept the current model): \S/);
    await shot(page, '16-retrained');

    // The map: one dot per embedded song on a canvas, coloured by topic, and the selection's ring.
    await page.getByRole('tab', { name: 'Map' }).click();
    const map = page.getByTestId('song-map');
    const info = await apiCall<{ active: { id: number; embedded: number } }>(page, 'model.info', null);
    await expect
      .poll(() => map.getAttribute('data-drawn'), { timeout: 10_000 })
      .toBe(`${info.active.id}:${info.active.embedded}`);
    // Read the pixels back: the dots (opaque pixels of the base canvas) and the overlay's white ring.
    const pixels = await map.locator('canvas').evaluateAll((canvases) =>
      (canvases as unknown as PageCanvas[]).map((c) => {
        const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        const colours = new Set<string>();
        const opaque: { x: number; y: number }[] = [];
        for (let p = 0; p < data.length; p += 4) {
          if (data[p + 3] !== 255) continue;
          colours.add(`${data[p]},${data[p + 1]},${data[p + 2]}`);
          opaque.push({ x: ((p / 4) % c.width) / c.width, y: Math.floor(p / 4 / c.width) / c.height });
        }
        return { colours: [...colours], opaque };
      }),
    );
    const [dots, ring] = pixels as [(typeof pixels)[0], (typeof pixels)[0]];
    expect(dots.colours.length).toBeGreaterThanOrEqual(2);
    expect(ring.colours).toContain('255,255,255'); // topic 2 is selected: its point's ring
    // Hover a dot: its name comes from the library (fetched on hover), then a click plays it.
    const box = (await map.boundingBox())!;
    const dot = dots.opaque[Math.floor(dots.opaque.length / 2)]!;
    await page.mouse.move(box.x + dot.x * box.width + 0.5, box.y + dot.y * box.height + 0.5);
    const hoverText = page.locator('.hover');
    await expect.poll(() => hoverText.textContent()).toMatch(/\.(mp3|flac|ogg|opus|m4a|wav|aiff|wma)|Noise|topic/);
    await shot(page, '15-map');
    const hoveredName = (await hoverText.textContent())!.split(' — ')[0]!.split(' · ')[0]!.trim();
    await page.mouse.click(box.x + dot.x * box.width + 0.5, box.y + dot.y * box.height + 0.5);
    const nowPlaying = page.locator('footer.now-playing .track strong');
    await expect.poll(() => nowPlaying.textContent()).toBe(hoveredName);
    // From the keyboard: the arrow keys move a cursor, the songs nearest it are listed as buttons.
    await map.focus();
    await page.keyboard.press('ArrowRight');
    const nearby = page.getByRole('list', { name: 'Songs near the map cursor' }).getByRole('button');
    await expect.poll(() => nearby.count()).toBe(Math.min(8, info.active.embedded));
    await expect.poll(() => nearby.first().textContent()).toMatch(/^Play (?!track \d+$)\S/);
    const nearName = (await nearby.first().textContent())!
      .replace(/^Play /, '')
      .split(' by ')[0]!
      .trim();
    await nearby.first().press('Enter');
    await expect.poll(() => nowPlaying.textContent()).toBe(nearName);
    await shot(page, '15b-map-keyboard');

    // Endless play with the trained model: a queue of one track grows from the recommendations before
    // it runs out, with songs like the one playing, none twice.
    await page.getByRole('tab', { name: 'Library' }).click();
    await page.getByRole('button', { name: 'Clear', exact: true }).click();
    const queuedIds = () =>
      queue.locator('li[data-track-id]').evaluateAll((items) => items.map((li) => Number(li.getAttribute('data-track-id'))));
    await expect.poll(queuedIds).toEqual([]);
    // Nothing left in the queue came from the last fill: its source line goes with it.
    expect(await page.getByTestId('queue-source').count()).toBe(0);
    await page.getByRole('button', { name: `Add ${likedName} to the queue`, exact: true }).click();
    await expect.poll(queuedIds).toEqual([liked]);
    await page.getByRole('button', { name: `Play ${likedName} from the queue`, exact: true }).click();
    const endless = page.getByRole('button', { name: 'Endless play', exact: true });
    await endless.click();
    await expect
      .poll(() => page.getByTestId('endless-source').textContent(), { timeout: 15_000 })
      .toMatch(new RegExp(`^Endless: more like .*${likedName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    const grown = await queuedIds();
    expect(grown.length).toBeGreaterThan(1);
    expect(grown[0]).toBe(liked);
    expect(new Set(grown).size).toBe(grown.length);
    await shot(page, '17-endless');
    await endless.click();
    expect(errors).toEqual([]);
  }, 480_000);
});
