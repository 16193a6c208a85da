// End to end: `cadenza serve` on the fixture library, driven in real Chromium (playwright-core).
import { spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeFixtureLibrary, requireFfmpeg, type FixtureLibrary } from '../fixtures/library/make-library.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { BIN, launchChromium, SHOTS, shot, startServe } from './harness.ts';


/** The fields of the page's <audio> elements the test reads (this file is type-checked without the DOM lib). */
interface AudioLike {
  currentTime: number;
  paused: boolean;
  src: string;
}

interface Frame {
  event: string;
  payload: { job?: string; done?: number; total?: number | null; rate?: number; etaSec?: number | null; status?: string };
}



describe('browser mode, end to end', () => {
  let lib: FixtureLibrary;
  let trackCount: number;
  let server: { child: ChildProcess; url: string };
  let origin: string;
  let browser: Browser;

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    lib = await makeFixtureLibrary(path.join(tempDir(), 'music'));
    // The fixture tracks are 1–3 s, shorter than the analysis clip needs; one 8 s tone gets analysed
    // and gives the seek test room to move.
    const made = spawnSync(requireFfmpeg(), [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440:duration=8',
      '-ac',
      '2',
      '-b:a',
      '128k',
      '-metadata',
      'title=Long Tone',
      '-metadata',
      'artist=Test Signal',
      '-metadata',
      'genre=Ambient',
      path.join(lib.root, 'long-tone.mp3'),
    ]);
    expect(made.status, String(made.stderr)).toBe(0);
    trackCount = lib.tracks.length + 1;
    server = await startServe(path.join(tempDir(), 'data'));
    origin = new URL(server.url).origin;
    // launch() gives the browser a fresh temporary profile (its own --user-data-dir), removed on close.
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    if (server?.child.exitCode === null) {
      const exited = new Promise((resolve) => server.child.once('exit', resolve));
      server.child.kill('SIGTERM');
      await exited;
    }
  });

  it('refuses to listen beyond loopback unless --allow-remote is given', () => {
    const run = spawnSync(process.execPath, [BIN, 'serve', '--host', '0.0.0.0', '--data-dir', tempDir()], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/refusing to listen on 0\.0\.0\.0/);
    expect(run.stderr).toContain('--allow-remote');
  });

  it('requires the token for pages, API calls and media', async () => {
    expect((await fetch(`${origin}/`)).status).toBe(401);
    expect((await fetch(`${origin}/media/1`)).status).toBe(401);
    const call = await fetch(`${origin}/api/call`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ method: 'library.summary', request: null }),
    });
    expect(call.status).toBe(401);
    expect((await fetch(`${origin}/?token=not-the-token`, { redirect: 'manual' })).status).toBe(401);
  });

  it('first run → scan → analyse → topics, then browse, search, play and seek', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const frames: Frame[] = [];
    page.on('websocket', (ws) => ws.on('framereceived', ({ payload }) => frames.push(JSON.parse(String(payload)) as Frame)));
    const media: { status: number; range: string | null }[] = [];
    page.on('response', (r) => {
      if (new URL(r.url()).pathname.startsWith('/media/'))
        media.push({ status: r.status(), range: r.request().headers().range ?? null });
    });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));

    // The token is moved into an HttpOnly cookie and dropped from the address bar.
    await page.goto(server.url);
    expect(page.url()).toBe(`${origin}/`);
    expect(await page.evaluate('document.cookie')).toBe('');

    // First run: choose the folder (a text field in the browser).
    await expect.poll(() => page.getByRole('heading', { name: 'Welcome to Cadenza' }).isVisible()).toBe(true);
    await shot(page, '01-first-run');
    await page.getByLabel('Music folder').fill(lib.root);
    await page.getByRole('button', { name: 'Add folder and scan' }).click();

    // Scan, analysis and topics run one after another with progress bars, and end with a summary.
    const analysisBar = page.locator('[data-job="analysis"] progress');
    await analysisBar.waitFor({ timeout: 60_000 }).then(
      () => shot(page, '02-analysing'),
      () => {},
    );
    const topicsDone = page.locator('[data-job="topics"] [data-status="done"]');
    await topicsDone.waitFor({ timeout: 90_000 });
    await expect
      .poll(() => page.locator('[data-job="scan"] [data-status]').textContent())
      .toMatch(`${trackCount} tracks indexed`);
    expect(await page.locator('[data-job="analysis"] [data-status]').getAttribute('data-status')).toBe('done');
    expect(await page.locator('[data-job="analysis"] [data-status]').textContent()).toMatch(/✓ 1 track analysed/);
    expect(await topicsDone.textContent()).toMatch(/7 topics fitted/);
    for (const job of ['scan', 'analysis', 'topics']) {
      const progress = frames.filter((f) => f.event === 'job.progress' && f.payload.job === job);
      expect(progress.length, `progress events for ${job}`).toBeGreaterThan(0);
      expect(progress.at(-1)!.payload).toMatchObject({ done: expect.any(Number), rate: expect.any(Number) });
      expect(progress.at(-1)!.payload).toHaveProperty('etaSec');
      expect(frames.some((f) => f.event === 'job.finished' && f.payload.job === job)).toBe(true);
    }

    // The library table shows every track; seven labelled topic toggles.
    const grid = page.getByRole('grid', { name: 'Library' });
    await expect.poll(() => grid.getAttribute('aria-rowcount')).toBe(String(trackCount + 1));
    await expect.poll(() => page.getByTestId('track-count').textContent()).toContain(`${trackCount} tracks`);
    expect(await grid.getByRole('row').count()).toBe(trackCount + 1);
    expect(await page.getByRole('group', { name: 'Topics' }).getByRole('checkbox').count()).toBe(7);
    await shot(page, '03-library');

    // Search filters the table (server side).
    await page.getByRole('searchbox', { name: 'Search the library' }).fill('harbor');
    await expect.poll(() => grid.getAttribute('aria-rowcount')).toBe('2');
    expect(await grid.getByRole('gridcell', { name: 'Glass Harbor', exact: true }).count()).toBe(1);
    await shot(page, '04-search');
    await page.getByRole('searchbox', { name: 'Search the library' }).fill('');
    await expect.poll(() => grid.getAttribute('aria-rowcount')).toBe(String(trackCount + 1));

    // Play: the audio element's clock advances.
    const audio = page.getByTestId('player-audio');
    const currentTime = () => audio.evaluate((a) => (a as unknown as AudioLike).currentTime);
    await page.getByRole('button', { name: 'Play Long Tone' }).click();
    await expect.poll(currentTime, { timeout: 15_000 }).toBeGreaterThan(0.3);
    await page.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => audio.evaluate((a) => (a as unknown as AudioLike).paused)).toBe(true);
    await shot(page, '05-playing');

    // Seek: the slider moves playback, served through Range requests (206 Partial Content).
    await page.getByRole('slider', { name: 'Seek' }).fill('5');
    await expect.poll(currentTime).toBeGreaterThanOrEqual(4.9);
    await page.getByRole('button', { name: 'Play', exact: true }).click();
    await expect.poll(currentTime).toBeGreaterThan(5.2);
    expect(media.some((m) => m.status === 206)).toBe(true);
    expect(media.every((m) => m.status === 200 || m.status === 206)).toBe(true);
    // The queue: add a track; it is preloaded as the next one; remove it again.
    const queue = page.getByRole('list', { name: 'Queued tracks' });
    const before = await queue.getByRole('listitem').count();
    await page.getByRole('button', { name: 'Add Barley to the queue' }).click();
    await expect.poll(() => queue.getByRole('listitem').count()).toBe(before + 1);
    await expect
      .poll(() => page.getByTestId('preload-audio').evaluate((a) => (a as unknown as AudioLike).src))
      .toMatch(/\/media\/\d+$/);
    await page.getByRole('button', { name: 'Remove Barley from the queue' }).click();
    await expect.poll(() => queue.getByRole('listitem').count()).toBe(before);
    expect(errors).toEqual([]);
  }, 150_000);
});
