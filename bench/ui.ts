// The app at 100,000 tracks (issue 12), in real Chromium against `cadenza serve` on a seeded library
// (bench/ui-library.ts: real SQLite, every row, topic and embedding written as the jobs would):
//  - app start: the built `cadenza serve` (out/main/serve.js, as the app's bundle) spawned → listening, and
//    page load → the first library rows painted; beside it, the same server from source (tsx) to listening;
//  - the library table: wheel scrolling, frame times from requestAnimationFrame deltas in the page;
//  - library pages (`tracks.list`, every 20 ms from the page) while the first map view loads: the other
//    calls' latency while the server prepares the map (issue 12: the index off the main thread);
//  - the map: Map tab clicked → the dots painted, hover → the song's name, click → it plays; beside it,
//    in the same page, the old map's markup (one SVG circle per song with a tab stop, label and handlers)
//    and the old payload (every point with title, artist and path) as the baseline;
//  - API latency while jobs run (`--jobs`): `tracks.list`, `library.summary` and `jobs.status` p99
//    while the analysis job analyses `--analysis-tracks` real 90-s files, and while a training job runs on
//    a second, analysed library of `--train-songs` synthetic songs.
// Usage: npm run bench:ui [-- --tracks 100000 --scroll-ms 5000 --jobs --analysis-tracks 120 --train-songs 3000 --json]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { MAP_RESOLUTION } from '../src-main/api/types.ts';
import { openLibraryDatabase } from '../src-main/core/db/open.ts';
import { syntheticDataset, writeSyntheticLibrary } from '../src-main/core/model/synthetic.ts';
import { RecommendIndex } from '../src-main/core/recommend/recommender.ts';
import { ensureRenderer } from '../src-main/server/renderer-build.ts';
import { requireFfmpeg } from '../test/fixtures/library/make-library.ts';
import { BIN, BUILT_SERVE, launchChromium, type PageCanvas, RENDERER, startServe, stopServe } from '../test/e2e/harness.ts';
import { seedUiLibrary } from './ui-library.ts';

// The page-side functions below run in Chromium; the node tsconfig has no DOM lib, so the browser
// globals they use are declared here, as far as they use them.
interface PageElement {
  scrollTop: number;
  scrollHeight: number;
  width: number;
  height: number;
  getElementsByTagName(name: string): { length: number };
  append(...children: PageElement[]): void;
  textContent: string | null;
  style: Record<string, string>;
  getAttribute(name: string): string | null;
  setAttribute(name: string, value: string): void;
  appendChild(child: PageElement): void;
  addEventListener(type: string, listener: () => void): void;
  remove(): void;
}
declare const window: object;
declare const document: {
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): { length: number };
  createElementNS(ns: string, name: string): PageElement;
  createElement(name: string): PageElement;
};
declare function requestAnimationFrame(callback: (now: number) => void): number;

const { values } = parseArgs({
  options: {
    tracks: { type: 'string', default: '100000' },
    'scroll-ms': { type: 'string', default: '5000' },
    jobs: { type: 'boolean', default: false },
    'train-songs': { type: 'string', default: '3000' },
    'analysis-tracks': { type: 'string', default: '120' },
    json: { type: 'boolean', default: false },
  },
});
const tracks = Number(values.tracks);
const scrollMs = Number(values['scroll-ms']);

const pct = (xs: readonly number[], p: number) =>
  xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]! : NaN;
const ms = (v: number) => `${v.toFixed(1)} ms`;
const results: Record<string, unknown> = { tracks };
const log = (line: string) => {
  if (!values.json) console.log(line);
};

async function apiCall<T>(page: Page, method: string, request: unknown): Promise<{ value: T; ms: number; bytes: number }> {
  return page.evaluate(
    async ([m, r]) => {
      const t0 = performance.now();
      const response = await fetch('/api/call', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ method: m, request: r }),
      });
      const text = await response.text();
      const parsed = JSON.parse(text) as { ok: boolean; value: unknown; error?: string };
      if (!parsed.ok) throw new Error(parsed.error);
      return { value: parsed.value as T, ms: performance.now() - t0, bytes: text.length };
    },
    [method, request] as const,
  );
}

/** Starts recording the page's frame times (rAF deltas). Sent as source: tsx would name the inner function with a helper the page lacks. */
function recordFrames(page: Page): Promise<unknown> {
  return page.evaluate(`(() => {
    window.frames_ = [];
    window.recording = true;
    let last = performance.now();
    const tick = (now) => {
      window.frames_.push(now - last);
      last = now;
      if (window.recording) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  })()`);
}

/** Stops the recording and gives the frame times (the first, from the start to its frame, left out). */
function stopFrames(page: Page): Promise<number[]> {
  return page.evaluate(() => {
    const w = window as unknown as { frames_: number[]; recording: boolean };
    w.recording = false;
    return w.frames_.slice(1);
  });
}

/**
 * Resolves at the frame after `ready` (a page expression) holds: performance.now() in the page then. Sent
 * as source (Runtime.evaluate), as the app's content security policy forbids building functions from text.
 */
function paintedWhen(page: Page, ready: string, timeout = 60_000): Promise<number> {
  return page.evaluate(`(async () => {
    const start = performance.now();
    while (!(${ready})) {
      if (performance.now() - start > ${timeout}) throw new Error(${JSON.stringify(`timed out waiting for ${ready}`)});
      await new Promise((r) => setTimeout(r, 5));
    }
    // Two frames: the one that lays out the change, and the next (its paint is then done).
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    return performance.now();
  })()`) as Promise<number>;
}

/**
 * The baselines of the virtual lists: the old markup with every item in the DOM (what "Show more" to the
 * end built), appended under `parent`, timed from building it to its paint, then removed. A card is a
 * button with a cover and two lines in an auto-fill grid (albums); a row is a button with two lines (artists).
 */
function paintEveryItem(page: Page, n: number, kind: 'card' | 'row', parent: string): Promise<number> {
  return page.evaluate(
    async ({ n, kind, parent }) => {
      const t0 = performance.now();
      const ul = document.createElement('ul');
      if (kind === 'card')
        ul.style.cssText = 'display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:12px;list-style:none';
      for (let i = 0; i < n; i++) {
        const li = document.createElement('li');
        const b = document.createElement('button');
        if (kind === 'card') {
          const img = document.createElement('img');
          img.width = 140;
          img.height = 140;
          b.append(img);
        }
        const first = document.createElement('span');
        first.textContent = kind === 'card' ? `Album ${i}` : `Artist ${i}`;
        const second = document.createElement('span');
        second.textContent = kind === 'card' ? `Artist ${i % 97}` : `${i % 9} albums · ${i % 90} tracks`;
        b.append(first, second);
        li.append(b);
        ul.append(li);
      }
      document.querySelector(parent)!.appendChild(ul);
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      const took = performance.now() - t0;
      ul.remove();
      return took;
    },
    { n, kind, parent },
  );
}

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cadenza-bench-ui-'));
  let t = performance.now();
  const db = openLibraryDatabase(dataDir);
  const seeded = seedUiLibrary(db, dataDir, tracks);
  log(
    `seeded ${tracks} tracks with topics and ${seeded.embedding}-d embeddings in ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );

  // The old payload: every point with its title, artist and path (what model.map sent before).
  const index = RecommendIndex.load(db, dataDir)!;
  const oldPayload = JSON.stringify({
    modelId: seeded.modelId,
    points: index.tracks.toArray().map((tr, i) => ({
      trackId: tr.id,
      x: Math.sin(i) * 3.1234567,
      y: Math.cos(i) * 2.7654321,
      topic: (i % 7) + 1,
      title: tr.title,
      artist: tr.artist,
      path: tr.path,
    })),
    selection: null,
  });
  db.close();

  await ensureRenderer(RENDERER, log); // built before the clock starts: app start is not a build
  // The same server from source, through the TypeScript loader (what the e2e and `cadenza serve` from a
  // clone start): timed to listening only, for the comparison with the built one the app runs.
  t = performance.now();
  await stopServe(await startServe(dataDir, 'source'));
  const sourceServeMs = performance.now() - t;
  if (!fs.existsSync(BUILT_SERVE))
    throw new Error(`${BUILT_SERVE} is missing: run \`npm run build\` first (npm run bench:ui does)`);
  t = performance.now();
  const server = await startServe(dataDir, 'built');
  const serveMs = performance.now() - t;
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));

    // App start: navigation → the first rows of the library painted.
    await page.goto(server.url, { waitUntil: 'commit' });
    const firstRows = await paintedWhen(page, `document.querySelector('[role=row][aria-rowindex="2"] .cell.title') !== null`);
    results.start = { serveMs, firstRowsMs: firstRows, totalMs: serveMs + firstRows, sourceServeMs };
    log(
      `app start: built serve listening ${ms(serveMs)}, page → first rows painted ${ms(firstRows)}, total ${ms(serveMs + firstRows)} (target ≤ 2000 ms); ` +
        `the same server from source (tsx) took ${ms(sourceServeMs)} to listen: ${(sourceServeMs / serveMs).toFixed(1)}× the built one`,
    );

    // Library table: wheel-scroll for scrollMs, frame times from rAF deltas.
    const viewport = page.locator('.viewport');
    const box = (await viewport.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await recordFrames(page);
    const scrollStart = performance.now();
    let wheels = 0;
    while (performance.now() - scrollStart < scrollMs) {
      await page.mouse.wheel(0, 240);
      wheels++;
    }
    const frames = await stopFrames(page);
    const scroll = {
      frames,
      ...(await page.evaluate(() => {
        const top = document.querySelector('.viewport')!.scrollTop;
        const blank = document.querySelectorAll('.viewport .cell.loading').length;
        return { top, blank };
      })),
    };
    results.scroll = {
      frames: scroll.frames.length,
      p50: pct(scroll.frames, 50),
      p95: pct(scroll.frames, 95),
      max: Math.max(...scroll.frames),
      rowsScrolled: Math.round(scroll.top / 30),
      wheels,
    };
    log(
      `table scroll: ${scroll.frames.length} frames, p50 ${ms(pct(scroll.frames, 50))}, p95 ${ms(pct(scroll.frames, 95))}, max ${ms(Math.max(...scroll.frames))} (target p95 ≤ 16 ms); ${wheels} wheel events, ${Math.round(scroll.top / 30)} rows scrolled`,
    );

    // The map: Map tab → dots painted; meanwhile library pages are asked for every 20 ms from the page (the
    // other calls' latency while the server prepares the map: before issue 12's reader worker the index
    // build ran on its main thread).
    const mapStart = await page.evaluate(() => performance.now());
    await page.getByRole('tab', { name: 'Map' }).click();
    const pagesDuring = page.evaluate(`(async () => {
      const times = [];
      const drawn = () => document.querySelector('[data-testid=song-map]')?.getAttribute('data-drawn') === '${seeded.modelId}:${tracks}';
      for (let i = 0; !drawn() && i < 3000; i++) {
        const t0 = performance.now();
        const r = await fetch('/api/call', { method: 'POST', headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ method: 'tracks.list', request: { offset: (i * 100) % 90000, limit: 100 } }) });
        await r.text();
        times.push(performance.now() - t0);
        await new Promise((res) => setTimeout(res, 20));
      }
      return times;
    })()`) as Promise<number[]>;
    const mapPainted = await paintedWhen(
      page,
      `document.querySelector('[data-testid=song-map]')?.getAttribute('data-drawn') === '${seeded.modelId}:${tracks}'`,
    );
    const mapMs = mapPainted - mapStart;
    const during = await pagesDuring;
    results.pagesDuringMap = { calls: during.length, p50: pct(during, 50), p99: pct(during, 99), max: Math.max(...during) };
    log(
      `library pages while the map loads: ${during.length} calls, p50 ${ms(pct(during, 50))}, p99 ${ms(pct(during, 99))}, max ${ms(Math.max(...during))}`,
    );
    const payload = await apiCall<{ ids: number[] }>(page, 'model.map', { topics: [] });
    log(
      `map: tab → ${tracks} dots painted ${ms(mapMs)} (target ≤ 1000 ms); model.map ${(payload.bytes / 1e6).toFixed(2)} MB in ${ms(payload.ms)} (cached projection) vs the old payload ${(oldPayload.length / 1e6).toFixed(2)} MB: ${(oldPayload.length / payload.bytes).toFixed(1)}× smaller`,
    );
    // Back to the library and to the map again: the points are in memory, so this is the drawing alone.
    await page.getByRole('tab', { name: 'Library' }).click();
    await page.locator('.viewport').waitFor();
    const againStart = await page.evaluate(() => performance.now());
    await page.getByRole('tab', { name: 'Map' }).click();
    const againMs =
      (await paintedWhen(
        page,
        `document.querySelector('[data-testid=song-map]')?.getAttribute('data-drawn') === '${seeded.modelId}:${tracks}'`,
      )) - againStart;
    log(`map again (points in memory: layout, grid, drawing): ${ms(againMs)}`);
    // Hover: a dot's name from `tracks.get`; then click: it plays.
    const dot = await page
      .getByTestId('song-map')
      .locator('canvas')
      .first()
      .evaluate((element) => {
        const c = element as unknown as PageCanvas;
        const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        for (let p = Math.floor(data.length / 8) * 4; p < data.length; p += 4) {
          if (data[p + 3] === 255) return { x: ((p / 4) % c.width) / c.width, y: Math.floor(p / 4 / c.width) / c.height };
        }
        return null;
      });
    const mapBox = (await page.getByTestId('song-map').boundingBox())!;
    const hoverStart = await page.evaluate(() => performance.now());
    await page.mouse.move(mapBox.x + dot!.x * mapBox.width + 0.5, mapBox.y + dot!.y * mapBox.height + 0.5);
    const hovered = await paintedWhen(
      page,
      `/\\d/.test(document.querySelector('.map .hover')?.textContent ?? '') && !document.querySelector('.map .hover .muted')`,
    );
    const hoverMs = hovered - hoverStart;
    const name = (await page.locator('.map .hover').textContent())!.split(' — ')[0]!.trim();
    const clickStart = await page.evaluate(() => performance.now());
    await page.mouse.click(mapBox.x + dot!.x * mapBox.width + 0.5, mapBox.y + dot!.y * mapBox.height + 0.5);
    const played = await paintedWhen(
      page,
      `document.querySelector('footer.now-playing .track strong')?.textContent === ${JSON.stringify(name)}`,
    );
    const clickMs = played - clickStart;
    log(`map hover → "${name}" shown ${ms(hoverMs)}; click → it plays ${ms(clickMs)}`);

    // Baseline in the same page: the old map's markup for the same points (one SVG circle with role,
    // tab stop, label and handlers per song), timed from building it to its paint.
    const oldMapMs = await page.evaluate(
      async ([n, res]) => {
        const t0 = performance.now();
        const ns = 'http://www.w3.org/2000/svg';
        const svg = document.createElementNS(ns, 'svg');
        svg.setAttribute('viewBox', '0 0 500 500');
        svg.style.width = '560px';
        for (let i = 0; i < n; i++) {
          const c = document.createElementNS(ns, 'circle');
          c.setAttribute('cx', String(20 + ((i * 7919) % res) / (res / 460)));
          c.setAttribute('cy', String(20 + ((i * 104729) % res) / (res / 460)));
          c.setAttribute('r', '5');
          c.setAttribute('fill', ['#7cc4ff', '#ffb74d', '#81c784'][i % 3]!);
          c.setAttribute('role', 'button');
          c.setAttribute('tabindex', '0');
          c.setAttribute('aria-label', `Play song ${i}`);
          c.addEventListener('mouseenter', () => {});
          c.addEventListener('click', () => {});
          svg.appendChild(c);
        }
        document.querySelector('.map')!.appendChild(svg);
        await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
        const took = performance.now() - t0;
        svg.remove();
        return took;
      },
      [tracks, MAP_RESOLUTION] as const,
    );
    log(
      `baseline, the old SVG map's markup for ${tracks} songs (data in memory): ${ms(oldMapMs)} to paint → the canvas map with its data in memory is ${(oldMapMs / againMs).toFixed(1)}× faster (cold, server included: ${(oldMapMs / mapMs).toFixed(1)}×)`,
    );
    results.map = {
      drawnMs: mapMs,
      againMs,
      payloadBytes: payload.bytes,
      payloadMs: payload.ms,
      oldPayloadBytes: oldPayload.length,
      payloadRatio: oldPayload.length / payload.bytes,
      hoverMs,
      clickMs,
      oldSvgMs: oldMapMs,
      speedup: oldMapMs / againMs,
      speedupCold: oldMapMs / mapMs,
    };
    // The album grid (issue 14): Albums tab → first covers' cards painted; a jump to the end → the last
    // album's card painted (a deep page fetched on demand); then wheel-scrolling, with what the DOM holds.
    const albumsStart = await page.evaluate(() => performance.now());
    await page.getByRole('tab', { name: 'Albums' }).click();
    const albumsPainted = await paintedWhen(page, `document.querySelector('[aria-label="Album grid"] li button') !== null`);
    const albumTotal = Number(await page.locator('[aria-label="Album grid"] li').first().getAttribute('aria-setsize'));
    const endStart = await page.evaluate(() => {
      const v = document.querySelector('[data-testid=virtual-grid]')!;
      v.scrollTop = v.scrollHeight;
      return performance.now();
    });
    const endPainted = await paintedWhen(
      page,
      `document.querySelector('[aria-label="Album grid"] li[aria-posinset="${albumTotal}"] button') !== null`,
    );
    const gridBox = (await page.getByTestId('virtual-grid').boundingBox())!;
    await page.mouse.move(gridBox.x + gridBox.width / 2, gridBox.y + gridBox.height / 2);
    await recordFrames(page);
    const gridScrollStart = performance.now();
    while (performance.now() - gridScrollStart < scrollMs / 2) await page.mouse.wheel(0, -400);
    const gridFrames = await stopFrames(page);
    const grid = await page.evaluate(() => {
      return {
        cells: document.querySelectorAll('[aria-label="Album grid"] li').length,
        nodes: document.querySelector('[data-testid=virtual-grid]')!.getElementsByTagName('*').length,
      };
    });
    // Baseline in the same page: the old grid's markup once every album is shown ("Show more" to the end),
    // one card (button, cover, two lines) per album, timed from building it to its paint.
    const oldGridMs = await paintEveryItem(page, albumTotal, 'card', '.albums');
    results.albums = {
      albums: albumTotal,
      firstCardsMs: albumsPainted - albumsStart,
      endMs: endPainted - endStart,
      scroll: { frames: gridFrames.length, p50: pct(gridFrames, 50), p95: pct(gridFrames, 95), max: Math.max(...gridFrames) },
      cellsInDom: grid.cells,
      nodesInGrid: grid.nodes,
      oldGridMs,
    };
    log(
      `album grid (${albumTotal} albums): tab → first cards ${ms(albumsPainted - albumsStart)}, jump to the end → last card ${ms(endPainted - endStart)}; ` +
        `scroll p50 ${ms(pct(gridFrames, 50))} / p95 ${ms(pct(gridFrames, 95))} over ${gridFrames.length} frames; ${grid.cells} cells (${grid.nodes} nodes) in the DOM; ` +
        `baseline, every album's card in the DOM (the old grid shown to the end): ${ms(oldGridMs)} to paint, ${(oldGridMs / (endPainted - endStart)).toFixed(1)}× the virtual grid's jump to the end`,
    );

    // The artist list (the same VirtualPages and VirtualGrid, one row per name): Artists tab → first rows
    // painted, a jump to the end → the last name painted, and what the DOM holds; baseline in the same
    // page: every name's row in the DOM (the old list after "Show more" to the end).
    const artistsStart = await page.evaluate(() => performance.now());
    await page.getByRole('tab', { name: 'Artists' }).click();
    const artistsPainted = await paintedWhen(page, `document.querySelector('[aria-label="Artists list"] li button') !== null`);
    const artistTotal = Number(await page.locator('[aria-label="Artists list"] li').first().getAttribute('aria-setsize'));
    const artistEndStart = await page.evaluate(() => {
      const v = document.querySelector('[data-testid=virtual-grid]')!;
      v.scrollTop = v.scrollHeight;
      return performance.now();
    });
    const artistEndPainted = await paintedWhen(
      page,
      `document.querySelector('[aria-label="Artists list"] li[aria-posinset="${artistTotal}"] button') !== null`,
    );
    const artistRows = await page.evaluate(() => document.querySelectorAll('[aria-label="Artists list"] li').length);
    const oldListMs = await paintEveryItem(page, artistTotal, 'row', '.browse');
    results.artists = {
      artists: artistTotal,
      firstRowsMs: artistsPainted - artistsStart,
      endMs: artistEndPainted - artistEndStart,
      rowsInDom: artistRows,
      oldListMs,
    };
    log(
      `artist list (${artistTotal} artists): tab → first rows ${ms(artistsPainted - artistsStart)}, jump to the end → last row ${ms(artistEndPainted - artistEndStart)}; ` +
        `${artistRows} rows in the DOM; baseline, every artist's row in the DOM: ${ms(oldListMs)} to paint, ${(oldListMs / (artistEndPainted - artistEndStart)).toFixed(1)}× the list's jump to the end`,
    );

    if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
    await page.close();
  } finally {
    await browser.close();
    await stopServe(server);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }

  if (values.jobs) {
    await apiDuringAnalysis();
    await apiDuringJobs();
  }
  if (values.json) console.log(JSON.stringify(results, null, 2));
}

/** API latency from the page while a training job runs in its worker (the same server, a real library). */
/** API calls the UI makes (`tracks.list`, `library.summary`, `jobs.status`) from the page, one every 20 ms, for `seconds`: their times. */
async function sampleApi(page: Page, seconds: number): Promise<number[]> {
  const times: number[] = [];
  const end = performance.now() + seconds * 1000;
  const methods: [string, unknown][] = [
    ['tracks.list', { offset: 0, limit: 100, sort: { key: 'artist', dir: 'asc' } }],
    ['library.summary', null],
    ['jobs.status', null],
  ];
  for (let i = 0; performance.now() < end; i++) {
    const [m, r] = methods[i % methods.length]!;
    times.push((await apiCall(page, m, r)).ms);
    await new Promise((res) => setTimeout(res, 20));
  }
  return times;
}

/**
 * API latency while the analysis job runs: `--analysis-tracks` real audio files (90-s tones and noise as
 * MP3, FLAC and Ogg Vorbis, made by ffmpeg) scanned by the CLI, then analysed through the API from the
 * page while the UI's calls are sampled (both cores busy: the analysis pool takes them).
 */
async function apiDuringAnalysis(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cadenza-bench-ui-analysis-'));
  const music = path.join(dir, 'music');
  const dataDir = path.join(dir, 'data');
  fs.mkdirSync(music);
  const n = Number(values['analysis-tracks']);
  const formats = [
    ['mp3', ['-c:a', 'libmp3lame', '-b:a', '192k']],
    ['flac', ['-c:a', 'flac']],
    ['ogg', ['-c:a', 'libvorbis', '-q:a', '5']],
  ] as const;
  for (let i = 0; i < n; i++) {
    const [ext, codec] = formats[i % formats.length]!;
    const source = `sine=f=${110 + i * 17}:d=90,volume=0.5[a];anoisesrc=d=90:c=pink:a=0.05[b];[a][b]amix`;
    const made = spawnSync(requireFfmpeg(), [
      '-v',
      'error',
      '-y',
      '-filter_complex',
      source,
      '-ac',
      '2',
      ...codec,
      path.join(music, `t${i}.${ext}`),
    ]);
    if (made.status !== 0) throw new Error(`ffmpeg: ${made.stderr}`);
  }
  const scanned = spawnSync(process.execPath, [BIN, 'scan', music, '--data-dir', dataDir], {
    encoding: 'utf8',
    env: { ...process.env, CADENZA_DATA_DIR: '' },
  });
  if (scanned.status !== 0) throw new Error(`scan: ${scanned.stderr}`);
  const server = await startServe(dataDir);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.waitForSelector('[role=row][aria-rowindex="2"] .cell.title', { timeout: 60_000 });
    const idle = await sampleApi(page, 3);
    const t0 = performance.now();
    const analysis = page.evaluate(() =>
      fetch('/api/call', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ method: 'analysis.start', request: null }),
      }).then((r) => r.json()),
    );
    let done = false;
    void analysis.then(() => (done = true));
    const during: number[] = [];
    while (!done) during.push(...(await sampleApi(page, 1)));
    const wallS = (performance.now() - t0) / 1000;
    const summary = (await analysis) as { ok: boolean; error?: string; value?: { analysed: number } };
    if (!summary.ok) throw new Error(`analysis failed: ${summary.error}`);
    results.apiDuringAnalysis = {
      tracks: n,
      analysed: summary.value?.analysed,
      wallS,
      idle: { calls: idle.length, p50: pct(idle, 50), p99: pct(idle, 99) },
      analysis: { calls: during.length, p50: pct(during, 50), p99: pct(during, 99), max: Math.max(...during) },
    };
    log(
      `API while analysing ${n} full-length tracks (${summary.value?.analysed} analysed in ${wallS.toFixed(1)} s): ${during.length} calls, p50 ${ms(pct(during, 50))}, p99 ${ms(pct(during, 99))}, max ${ms(Math.max(...during))} (target p99 ≤ 100 ms); idle p99 ${ms(pct(idle, 99))}`,
    );
  } finally {
    await browser.close();
    await stopServe(server);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function apiDuringJobs(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cadenza-bench-ui-jobs-'));
  const songs = Number(values['train-songs']);
  const db = openLibraryDatabase(dataDir);
  writeSyntheticLibrary(db, syntheticDataset({ songs, seed: 3, signal: 1 }));
  db.close();
  const server = await startServe(dataDir);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.waitForSelector('[role=row][aria-rowindex="2"] .cell.title', { timeout: 60_000 });
    const idle = await sampleApi(page, 3);
    const training = page.evaluate(() =>
      fetch('/api/call', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ method: 'model.train', request: { epochs: 3, seed: 1 } }),
      }).then((r) => r.json()),
    );
    await new Promise((r) => setTimeout(r, 1000));
    const during: number[] = [];
    let done = false;
    void training.then(() => (done = true));
    while (!done) during.push(...(await sampleApi(page, 1)));
    const summary = (await training) as { ok: boolean; error?: string };
    if (!summary.ok) throw new Error(`training failed: ${summary.error}`);
    results.apiDuringTraining = {
      songs,
      idle: { calls: idle.length, p50: pct(idle, 50), p99: pct(idle, 99) },
      training: { calls: during.length, p50: pct(during, 50), p99: pct(during, 99), max: Math.max(...during) },
    };
    log(
      `API while training ${songs} songs: ${during.length} calls, p50 ${ms(pct(during, 50))}, p99 ${ms(pct(during, 99))}, max ${ms(Math.max(...during))} (target p99 ≤ 100 ms); idle p99 ${ms(pct(idle, 99))}`,
    );
  } finally {
    await browser.close();
    await stopServe(server);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
