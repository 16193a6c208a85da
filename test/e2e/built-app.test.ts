// The built app's main-process bundle runs its workers: `npm run build`, then the bundled `cadenza serve`
// (out/main/serve.js, the same code and chunk layout the Electron main uses) scans a folder (the scan
// worker), answers the library summary (the reader worker) and a cover thumbnail (the thumbnail worker,
// with its pure-JS image decoders bundled). The chunks once sat in out/main/chunks/,
// where startWorker looked for `<name>.worker.js` beside itself and found nothing: every worker of the
// built app failed ("Cannot find module …/chunks/reader.worker.js") while every source run worked.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import jpeg from 'jpeg-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { THUMB_SIZE } from '../../src-main/core/app/thumbnail-messages.ts';
import { WORKER_SOURCES } from '../../src-main/core/jobs/worker-entry.ts';
import { requireFfmpeg } from '../fixtures/library/make-library.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { BUILT_SERVE, ROOT, startServe, stopServe } from './harness.ts';

describe('the built main-process bundle', () => {
  let server: Awaited<ReturnType<typeof startServe>> | undefined;
  const music = path.join(tempDir(), 'music');

  beforeAll(async () => {
    const build = spawnSync(
      process.execPath,
      [path.join(ROOT, 'node_modules/electron-vite/bin/electron-vite.js'), 'build', '--config', 'electron.config.ts'],
      {
        cwd: ROOT,
        encoding: 'utf8',
      },
    );
    expect(build.status, build.stderr).toBe(0);
    fs.mkdirSync(music, { recursive: true });
    for (const i of [1, 2]) {
      const made = spawnSync(requireFfmpeg(), [
        '-v',
        'error',
        '-f',
        'lavfi',
        '-i',
        `sine=frequency=${300 * i}:duration=2`,
        '-metadata',
        `title=Built ${i}`,
        path.join(music, `built-${i}.flac`),
      ]);
      expect(made.status, String(made.stderr)).toBe(0);
    }
    const cover = spawnSync(requireFfmpeg(), [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=s=1000x1000',
      '-frames:v',
      '1',
      path.join(music, 'cover.jpg'),
    ]);
    expect(cover.status, String(cover.stderr)).toBe(0);
    server = await startServe(path.join(tempDir(), 'data'), 'built');
  }, 180_000);

  afterAll(() => stopServe(server));

  const call = async (method: string, request: unknown) => {
    const url = new URL(server!.url);
    const answer = await fetch(`${url.origin}/api/call`, {
      method: 'POST',
      headers: { 'x-cadenza-token': url.searchParams.get('token')!, Origin: url.origin, 'Content-Type': 'application/json' },
      body: JSON.stringify({ method, request }),
    });
    expect(answer.status).toBe(200);
    return (await answer.json()) as { ok: boolean; value?: unknown; error?: string };
  };

  it('scans through its scan worker and answers the summary from its reader worker', async () => {
    expect(fs.existsSync(BUILT_SERVE)).toBe(true);
    // Every named worker is bundled beside the main bundle (a name missing from electron.config.ts's inputs is not).
    for (const name of Object.keys(WORKER_SOURCES))
      expect(fs.existsSync(path.join(ROOT, 'out/main', `${name}.worker.js`)), name).toBe(true);
    const scanned = await call('library.scan', { folders: [music] });
    expect(scanned.error).toBeUndefined();
    expect(scanned.ok).toBe(true);
    const summary = await call('library.summary', null);
    expect(summary.error).toBeUndefined();
    expect(summary.value).toMatchObject({ tracks: 2 });
    const page = (await call('tracks.list', { offset: 0, limit: 10 })) as { value: { tracks: { id: number }[] } };
    const url = new URL(server!.url);
    const art = (size: string) =>
      fetch(`${url.origin}/art/${page.value.tracks[0]!.id}${size}`, {
        headers: { 'x-cadenza-token': url.searchParams.get('token')! },
      });
    const full = await art('');
    const thumb = await art('?size=thumb');
    expect([full.status, thumb.status]).toEqual([200, 200]);
    expect(thumb.headers.get('content-type')).toBe('image/jpeg');
    const decoded = jpeg.decode(new Uint8Array(await thumb.arrayBuffer()), { useTArray: true });
    expect([decoded.width, decoded.height]).toEqual([THUMB_SIZE, THUMB_SIZE]); // from 1000 × 1000
    expect((await full.arrayBuffer()).byteLength).toBeGreaterThan(0);
  }, 120_000);
});
