// End to end: `cadenza serve` on the fixture library, driven in real Chromium (playwright-core): first run
// from an empty data folder through the UI (folder, scan, analysis, topics, a 3-epoch training), then the
// topic queue, toggling topics, saving the queue as a playlist, loading and deleting it.
import { spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeFixtureLibrary, requireFfmpeg, type FixtureLibrary } from '../fixtures/library/make-library.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { BIN, launchChromium, recordPageErrors, SHOTS, shot, startServe, stopServe } from './harness.ts';

/** The fields of the page's <audio> elements the test reads (this file is type-checked without the DOM lib). */
interface AudioLike {
  currentTime: number;
  paused: boolean;
  src: string;
}

/** Analysable tracks added to the fixture library (every one is at least the 5 s analysis needs). */
const EXTRA_TRACKS: { file: string; source: string; tags: Record<string, string> }[] = [
  {
    file: 'long-tone.mp3',
    source: 'sine=frequency=440:duration=8',
    tags: { title: 'Long Tone', artist: 'Test Signal', genre: 'Ambient' },
  },
  {
    file: 'low-hum.mp3',
    source: 'sine=frequency=110:duration=6',
    tags: { title: 'Low Hum', artist: 'Test Signal', genre: 'Ambient' },
  },
  {
    file: 'bright.mp3',
    source: 'sine=frequency=1760:duration=6',
    tags: { title: 'Bright', artist: 'Oscillator Club', genre: 'Electronic' },
  },
  {
    file: 'chime.mp3',
    source: 'sine=frequency=880:duration=6',
    tags: { title: 'Chime', artist: 'Oscillator Club', genre: 'Electronic' },
  },
  {
    file: 'white-wall.mp3',
    source: 'anoisesrc=c=white:d=6:a=0.4',
    tags: { title: 'White Wall', artist: 'Noise Band', genre: 'Metal' },
  },
  {
    file: 'pink-wall.mp3',
    source: 'anoisesrc=c=pink:d=6:a=0.4',
    tags: { title: 'Pink Wall', artist: 'Noise Band', genre: 'Metal' },
  },
  {
    file: 'brown-wall.mp3',
    source: 'anoisesrc=c=brown:d=6:a=0.4',
    tags: { title: 'Brown Wall', artist: 'Static Trio', genre: 'Pop/Rock' },
  },
  { file: 'untitled-hum.mp3', source: 'sine=frequency=220:duration=6', tags: { genre: 'Folk' } },
];

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
  /** The first-run page, kept open: the second test carries on where the first stopped. */
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    lib = await makeFixtureLibrary(path.join(tempDir(), 'music'));
    // The fixture tracks are 1–3 s, shorter than the analysis clip needs; a few 6–8 s tones and noises
    // (tagged with the fixture's genres, several artists, one without title or artist) get analysed, so a
    // short training has songs to learn from; the 8 s tone gives the seek test room to move.
    for (const x of EXTRA_TRACKS) {
      const made = spawnSync(requireFfmpeg(), [
        '-v',
        'error',
        '-f',
        'lavfi',
        '-i',
        x.source,
        '-ac',
        '2',
        '-b:a',
        '128k',
        ...Object.entries(x.tags).flatMap(([key, value]) => ['-metadata', `${key}=${value}`]),
        path.join(lib.root, x.file),
      ]);
      expect(made.status, String(made.stderr)).toBe(0);
    }
    trackCount = lib.tracks.length + EXTRA_TRACKS.length;
    server = await startServe(path.join(tempDir(), 'data'));
    origin = new URL(server.url).origin;
    // launch() gives the browser a fresh temporary profile (its own --user-data-dir), removed on close.
    browser = await launchChromium();
  }, 600_000); // ffmpeg makes the fixture library: minutes on a loaded machine

  afterAll(async () => {
    await browser?.close();
    await stopServe(server);
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
    page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const frames: Frame[] = [];
    page.on('websocket', (ws) => ws.on('framereceived', ({ payload }) => frames.push(JSON.parse(String(payload)) as Frame)));
    const media: { status: number; range: string | null }[] = [];
    page.on('response', (r) => {
      if (new URL(r.url()).pathname.startsWith('/media/'))
        media.push({ status: r.status(), range: r.request().headers().range ?? null });
    });
    recordPageErrors(page, errors);

    // The token is moved into an HttpOnly cookie and dropped from the address bar.
    await page.goto(server.url);
    expect(page.url()).toBe(`${origin}/`);
    expect(await page.evaluate('document.cookie')).toBe('');

    // First run: choose the folder (a text field in the browser).
    await expect.poll(() => page.getByRole('heading', { name: 'Welcome to Cadenza' }).isVisible()).toBe(true);
    await shot(page, '01-first-run');
    await page.getByLabel('Music folder').fill(lib.root);
    // Record every text of the first run's "time left in all" line as the pipeline moves through its stages.
    await page.evaluate(`(() => {
      window.etaTexts = [];
      new MutationObserver(() => {
        const line = document.querySelector('[data-testid="first-run-eta"]');
        if (line && window.etaTexts.at(-1) !== line.textContent) window.etaTexts.push(line.textContent);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    })()`);
    await page.getByRole('button', { name: 'Add folder and scan' }).click();

    // Scan, analysis, topics and a first training run one after another with progress bars, and end with a summary.
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
    expect(await page.locator('[data-job="analysis"] [data-status]').textContent()).toMatch(
      `Done: ${EXTRA_TRACKS.length} tracks analysed`,
    );
    expect(await topicsDone.textContent()).toMatch(/7 topics fitted/);
    // The pipeline's last step trains the default model (the first run has none).
    await page.locator('[data-job="training"] [data-status="done"]').waitFor({ timeout: 90_000 });
    await expect.poll(() => page.getByTestId('model-info').textContent(), { timeout: 30_000 }).toMatch(/Model 1 \(default\) ·/);
    // The whole first run's time left was shown, every later stage in it (training included) from the scan on.
    const etaTexts = (await page.evaluate('window.etaTexts')) as string[];
    expect(
      etaTexts.some((t) => /All steps: (about \d+:\d\d left in all|almost done)/.test(t)),
      etaTexts.join(' | '),
    ).toBe(true);
    expect(
      etaTexts.some((t) => /· analyse .*· topics .*· training/.test(t)),
      etaTexts.join(' | '),
    ).toBe(true);
    await expect.poll(() => page.getByTestId('first-run-eta').count()).toBe(0); // gone once the run is over
    for (const job of ['scan', 'analysis', 'topics', 'training']) {
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
    // Styles apply under a CSP without style-src 'unsafe-inline': the stylesheet (rows are positioned
    // absolutely) and the style: directives, which Svelte sets through the CSSOM (height, translateY).
    const layout = (await page.evaluate(`(() => {
      const spacer = document.querySelector('.spacer');
      const second = spacer.querySelectorAll('.row')[1];
      return { inline: spacer.style.height, height: spacer.getBoundingClientRect().height,
        position: getComputedStyle(second).position, transform: getComputedStyle(second).transform };
    })()`)) as { inline: string; height: number; position: string; transform: string };
    expect(layout.inline).toMatch(/^\d+px$/);
    expect(layout.height).toBe(parseFloat(layout.inline));
    expect(layout.height).toBeGreaterThan(0);
    expect(layout.position).toBe('absolute');
    expect(layout.transform).toMatch(/^matrix\(1, 0, 0, 1, 0, [1-9]\d*\)$/);

    // Search filters the table (server side).
    await page.getByRole('searchbox', { name: 'Search the library' }).fill('harbor');
    await expect.poll(() => grid.getAttribute('aria-rowcount')).toBe('2');
    expect(await grid.getByRole('gridcell', { name: 'Glass Harbor', exact: true }).count()).toBe(1);
    await shot(page, '04-search');
    await page.getByRole('searchbox', { name: 'Search the library' }).fill('');
    await expect.poll(() => grid.getAttribute('aria-rowcount')).toBe(String(trackCount + 1));

    // Play: the audio element's clock advances. Streamed (gapless off), the path that seeks through
    // Range requests and preloads the next stream; the decoded path is test/e2e/player.test.ts's.
    await page.getByRole('checkbox', { name: /Gapless/ }).uncheck();
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
  }, 400_000); // the whole first run: minutes on a loaded 2-core machine

  it('first run, continued: a short training, topics fill the queue, save it as a playlist and load it', async () => {
    // Carries on from the first test's page: the library is scanned, analysed, its topics fitted and model 1 trained.
    expect(page, 'the first-run test must run first').toBeDefined();
    await expect.poll(() => page.getByTestId('model-info').textContent()).toMatch(/Model 1 \(default\) ·/);

    // A short training from the Model panel's own controls (3 epochs), with its progress and whole-run ETA.
    await page.getByRole('spinbutton', { name: 'Epochs' }).fill('3');
    await page.getByRole('button', { name: 'Train', exact: true }).click();
    await page
      .getByTestId('training-eta')
      .waitFor({ timeout: 30_000 })
      .then(
        async () => {
          // The run may also end (and its ETA go) between the wait and the read.
          const eta = await page
            .getByTestId('training-eta')
            .textContent({ timeout: 2000 })
            .catch(() => null);
          if (eta !== null) expect(eta).toMatch(/^3 epochs: (about \d+:\d\d left|almost done|ETA unknown)$/);
          await shot(page, '06-training');
        },
        () => {}, // a tiny run may finish before the first report is drawn
      );
    await expect
      .poll(() => page.locator('[data-job="training"] [data-status="done"]').textContent(), { timeout: 90_000 })
      .toMatch(/trained in 3 epochs/);
    // Model 2 is active unless model 1 validates better (the activation rule); either is the default model.
    expect(await page.getByTestId('model-info').textContent()).toMatch(/Model [12] \(default\) ·/);

    // The topic toggles now fill the queue after the playing track, each song with its "why".
    const topics = page.getByRole('group', { name: 'Topics' });
    const queue = page.getByRole('list', { name: 'Queued tracks' });
    const upcoming = () =>
      queue
        .locator('li[data-upcoming="true"]')
        .evaluateAll((items) => items.map((li) => Number(li.getAttribute('data-track-id'))));
    const whys = () => queue.locator('details.why p').allTextContents();
    await topics.getByRole('checkbox').nth(0).check();
    await expect.poll(() => page.getByTestId('queue-source').textContent()).toBe('Topics 1');
    await expect.poll(async () => (await upcoming()).length).toBeGreaterThan(0);
    expect(await whys()).toHaveLength((await upcoming()).length);
    const topicOne = { ids: await upcoming(), whys: await whys() };
    await shot(page, '07-topic-queue');

    // Toggling topics changes the queue (its order, or at least every song's distance in its "why").
    await topics.getByRole('checkbox').nth(0).uncheck();
    await topics.getByRole('checkbox').nth(1).check();
    await expect.poll(() => page.getByTestId('queue-source').textContent()).toBe('Topics 2');
    await expect.poll(async () => ({ ids: await upcoming(), whys: await whys() })).not.toEqual(topicOne);

    // Save the queue as a playlist, by keyboard: the form takes the focus, Enter saves.
    const saved = await queue
      .locator('li[data-track-id]')
      .evaluateAll((items) => items.map((li) => Number(li.getAttribute('data-track-id'))));
    const saveButton = page.getByRole('button', { name: 'Save as playlist' });
    const form = page.getByRole('form', { name: 'Save the queue as a playlist' });
    const nameBox = page.getByRole('textbox', { name: 'Playlist name' });
    // Escape closes the form and gives the focus back to its button.
    await saveButton.click();
    await expect
      .poll(() => nameBox.evaluate((el) => el === (el.ownerDocument as unknown as { activeElement: unknown }).activeElement))
      .toBe(true);
    await page.keyboard.press('Escape');
    await expect.poll(() => form.count()).toBe(0);
    await expect
      .poll(() => saveButton.evaluate((el) => el === (el.ownerDocument as unknown as { activeElement: unknown }).activeElement))
      .toBe(true);
    await page.keyboard.press('Enter');
    await expect
      .poll(() => nameBox.evaluate((el) => el === (el.ownerDocument as unknown as { activeElement: unknown }).activeElement))
      .toBe(true);
    await page.keyboard.type('First run');
    await page.keyboard.press('Enter');
    const trackWord = `${saved.length} ${saved.length === 1 ? 'track' : 'tracks'}`;
    await expect
      .poll(() => page.getByRole('status').filter({ hasText: 'Saved playlist' }).textContent())
      .toBe(`Saved playlist “First run” (${trackWord})`);
    const lists = page.getByRole('list', { name: 'Saved playlists' });
    await expect
      .poll(() => lists.getByRole('listitem').allTextContents())
      .toEqual([expect.stringContaining(`First run (${trackWord})`)]);

    // The same name again: the form says it exists and offers Replace.
    await saveButton.click();
    await nameBox.fill('First run');
    await nameBox.press('Enter');
    await expect.poll(() => form.getByRole('alert').textContent()).toMatch(/“First run” already exists.*replace it\?/);
    await shot(page, '08-playlist-exists');
    await form.getByRole('button', { name: 'Replace' }).click();
    await expect
      .poll(() => page.getByRole('status').filter({ hasText: 'Replaced playlist' }).textContent())
      .toBe(`Replaced playlist “First run” (${trackWord})`);
    expect(await form.count()).toBe(0);

    // Load it: clear the queue, then "Load" puts the playlist back in the same order.
    await page.getByRole('button', { name: 'Clear', exact: true }).click();
    await expect.poll(() => queue.locator('li[data-track-id]').count()).toBe(0);
    await lists.getByRole('button', { name: 'Load First run into the queue' }).click();
    await expect
      .poll(() =>
        queue.locator('li[data-track-id]').evaluateAll((items) => items.map((li) => Number(li.getAttribute('data-track-id')))),
      )
      .toEqual(saved);
    await expect.poll(() => page.getByTestId('queue-source').textContent()).toBe('Playlist First run');
    await shot(page, '09-playlist-loaded');

    // Delete asks first: Escape keeps it, "Yes, delete" removes it.
    await lists.getByRole('button', { name: 'Delete First run' }).click();
    const confirm = page.getByRole('group', { name: 'Confirm deleting First run' });
    await confirm.waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => confirm.count()).toBe(0);
    await lists.getByRole('button', { name: 'Delete First run' }).click();
    await confirm.getByRole('button', { name: 'Yes, delete First run' }).click();
    await expect.poll(() => page.getByRole('list', { name: 'Saved playlists' }).count()).toBe(0);
    expect(errors).toEqual([]);
  }, 400_000); // the whole first run: minutes on a loaded 2-core machine
});
