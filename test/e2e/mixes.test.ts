// End to end (issue 16): a song path and a smooth order in browser mode. A real analysed library
// (makeAnalysisLibrary's pieces and five noise tracks), tags imported and a model trained through the
// CLI; then, in real Chromium against `cadenza serve`: "Path to…" on one row (nothing playing: it
// becomes the start) and on another fills the queue with the path, and "Smooth order" reorders it,
// keeping the first song and the songs; "Radio" queues songs like the first one.
import { spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeAnalysisLibrary } from '../fixtures/analysis/make-analysis-library.ts';
import { requireFfmpeg } from '../fixtures/library/make-library.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { BIN, launchChromium, recordPageErrors, SHOTS, shot, startServe, stopServe } from './harness.ts';

function cli(dataDir: string, ...args: string[]): string {
  const run = spawnSync(process.execPath, [BIN, ...args, '--data-dir', dataDir], {
    encoding: 'utf8',
    timeout: 300_000,
    env: { ...process.env, CADENZA_DATA_DIR: '' },
  });
  expect(run.status, `cadenza ${args.join(' ')}: ${run.stderr}`).toBe(0);
  return run.stdout;
}

describe('song path and smooth order in browser mode, end to end', () => {
  let server: { child: ChildProcess; url: string };
  let browser: Browser;

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    const lib = await makeAnalysisLibrary(path.join(tempDir(), 'music'));
    const dataDir = path.join(tempDir(), 'data');
    const noises = ['white', 'pink', 'brown', 'blue', 'violet'].map((colour, i) => {
      const file = path.join(lib.root, `noise-${colour}.mp3`);
      const made = spawnSync(requireFfmpeg(), [
        ...['-v', 'error', '-y', '-f', 'lavfi', '-i', `anoisesrc=c=${colour}:d=40:a=0.4:r=44100`],
        ...['-metadata', `title=Noise ${colour}`, '-metadata', `artist=Noise Band ${i}`, '-b:a', '96k', file],
      ]);
      expect(made.status, String(made.stderr)).toBe(0);
      return file;
    });
    cli(dataDir, 'scan', lib.root);
    cli(dataDir, 'analyze', '--workers', '1');
    const analysed = lib.files.filter((f) => f.expect === 'features');
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
    const [fromName, toName] = [await rowId(0), await rowId(count - 1)];

    // Nothing plays: the first "Path to…" picks the start, the second the end.
    await pathButtons.nth(0).click();
    await expect.poll(() => page.getByTestId('path-start').textContent()).toContain(fromName);
    await pathButtons.nth(count - 1).click();
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
});
