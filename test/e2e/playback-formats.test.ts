// End to end: one track of every format the scanner indexes, scanned by the CLI, then played in real
// Chromium through the app's player against `cadenza serve`: each plays (its position advances), seeks to
// 80 % and plays on, decoded ahead (gapless) and streamed through the audio element. The ones Chromium cannot decode itself arrive as the transcoded WAV stream.
import { spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireFfmpeg } from '../fixtures/library/make-library.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { BIN, launchChromium, SHOTS, shot, startServe, stopServe } from './harness.ts';

const SECONDS = 8;
/** Every format the scanner indexes, encoded the way test/fixtures/library/make-library.ts does; `transcoded`: Chromium cannot play it. */
const FORMATS: { title: string; file: string; codec: string[]; transcoded: boolean }[] = [
  { title: 'Format mp3', file: 'f.mp3', codec: ['-c:a', 'libmp3lame', '-b:a', '96k'], transcoded: false },
  { title: 'Format flac', file: 'f.flac', codec: ['-c:a', 'flac'], transcoded: false },
  { title: 'Format vorbis', file: 'f.ogg', codec: ['-c:a', 'libvorbis', '-q:a', '2'], transcoded: false },
  { title: 'Format opus', file: 'f.opus', codec: ['-c:a', 'libopus', '-b:a', '48k'], transcoded: false },
  { title: 'Format aac', file: 'f-aac.m4a', codec: ['-c:a', 'aac', '-b:a', '96k', '-f', 'ipod'], transcoded: false },
  { title: 'Format alac', file: 'f-alac.m4a', codec: ['-c:a', 'alac', '-f', 'mp4'], transcoded: true },
  { title: 'Format wav', file: 'f.wav', codec: ['-c:a', 'pcm_s16le'], transcoded: false },
  { title: 'Format aiff', file: 'f.aiff', codec: ['-c:a', 'pcm_s16be', '-write_id3v2', '1'], transcoded: true },
  { title: 'Format wma', file: 'f.wma', codec: ['-c:a', 'wmav2', '-b:a', '64k'], transcoded: true },
];

describe('every indexed format plays in Chromium', () => {
  let server: { child: ChildProcess; url: string } | undefined;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const media = new Map<string, string>(); // path → content type of its last response

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    const music = path.join(tempDir(), 'music');
    fs.mkdirSync(music);
    for (const f of FORMATS) {
      const made = spawnSync(requireFfmpeg(), [
        '-v',
        'error',
        '-f',
        'lavfi',
        '-i',
        `sine=frequency=330:duration=${SECONDS}`,
        '-ac',
        '2',
        '-metadata',
        `title=${f.title}`,
        '-metadata',
        'artist=Format Test',
        ...f.codec,
        path.join(music, f.file),
      ]);
      expect(made.status, String(made.stderr)).toBe(0);
    }
    const dataDir = path.join(tempDir(), 'data');
    const scan = spawnSync(process.execPath, [BIN, 'scan', music, '--data-dir', dataDir, '--json'], { encoding: 'utf8' });
    expect(scan.status, scan.stderr).toBe(0);
    expect(JSON.parse(scan.stdout)).toMatchObject({ indexed: FORMATS.length, failed: [] });
    server = await startServe(dataDir);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('response', (r) => {
      const url = new URL(r.url());
      if (url.pathname.startsWith('/media/')) media.set(url.pathname, r.headers()['content-type'] ?? '');
    });
    await page.goto(server.url);
  });

  afterAll(async () => {
    await browser?.close();
    await stopServe(server);
  });

  it('plays each one, seeks to 80 % and plays on: decoded ahead (gapless, the default) and streamed', async () => {
    // The player's position as the seek slider shows it (the element's clock when streamed, the audio
    // clock when decoded).
    const seek = page.getByRole('slider', { name: 'Seek' });
    const currentTime = async () => Number(await seek.inputValue());
    const duration = async () => Number(await seek.getAttribute('max'));
    const grid = page.getByRole('grid', { name: 'Library' });
    await expect.poll(() => grid.getAttribute('aria-rowcount'), { timeout: 30_000 }).toBe(String(FORMATS.length + 1));
    const gapless = page.getByRole('checkbox', { name: /Gapless/ });
    for (const decoded of [true, false]) {
      if ((await gapless.isChecked()) !== decoded) await gapless.click();
      for (const f of FORMATS) {
        const mode = `${f.title} (${decoded ? 'decoded' : 'streamed'})`;
        await page.getByRole('button', { name: `Play ${f.title}`, exact: true }).click();
        const nowPlaying = page.getByRole('contentinfo', { name: 'Now playing' }).locator('.track strong');
        await expect.poll(() => nowPlaying.textContent(), { message: `${mode} is the current track` }).toBe(f.title);
        await expect.poll(currentTime, { timeout: 15_000, message: `${mode} starts` }).toBeGreaterThan(0.3);
        await expect
          .poll(async () => (await page.getByTestId('level').textContent())?.includes('gapless'), { message: mode })
          .toBe(decoded);
        const length = await duration();
        expect(Math.abs(length - SECONDS), `${mode} duration ${length}`).toBeLessThan(0.2);
        const target = 0.8 * length;
        await seek.fill(target.toFixed(1));
        const state = async () =>
          `${mode} seeks: slider ${await seek.inputValue()} of ${await seek.getAttribute('max')}, ` +
          `"${await page.getByTestId('level').textContent()}", ${await page
            .getByRole('button', { name: /^(Play|Pause)$/ })
            .first()
            .getAttribute('aria-label')}`;
        await expect
          .poll(currentTime)
          .toBeGreaterThanOrEqual(target - 0.15)
          .catch(async (error: unknown) => {
            throw new Error(`${await state()}: ${String(error)}`);
          });
        await expect
          .poll(currentTime, { timeout: 10_000, message: `${mode} plays on after the seek` })
          .toBeGreaterThan(target + 0.4);
        expect(await page.getByRole('button', { name: 'Pause', exact: true }).count(), mode).toBe(1);
        expect(await page.locator('[role="alert"]').count(), `${mode}: no player error`).toBe(0);
      }
    }
    await shot(page, 'formats-playing');
    // The ones Chromium cannot decode came as the transcoded WAV; the others as their own files.
    const rows = (await page.evaluate(`fetch('/api/call', { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ method: 'tracks.list', request: { offset: 0, limit: 100 } }) }).then((r) => r.json())`)) as {
      ok: boolean;
      value: { tracks: { id: number; title: string }[] };
    };
    for (const f of FORMATS) {
      const id = rows.value.tracks.find((r) => r.title === f.title)?.id;
      const type = media.get(`/media/${id}`);
      expect(type, f.title).toBeDefined();
      expect(type === 'audio/wav', `${f.title}: ${type}`).toBe(f.transcoded || f.file.endsWith('.wav'));
    }
    expect(errors).toEqual([]);
  }, 480_000);
});
