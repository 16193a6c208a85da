// The built app's main-process bundle runs its workers: `npm run build`, then the bundled `cadenza serve`
// (out/main/serve.js, the same code and chunk layout the Electron main uses) scans a folder (the scan
// worker) and answers the library summary (the reader worker). The chunks once sat in out/main/chunks/,
// where startWorker looked for `<name>.worker.js` beside itself and found nothing: every worker of the
// built app failed ("Cannot find module …/chunks/reader.worker.js") while every source run worked.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
    const scanned = await call('library.scan', { folders: [music] });
    expect(scanned.error).toBeUndefined();
    expect(scanned.ok).toBe(true);
    const summary = await call('library.summary', null);
    expect(summary.error).toBeUndefined();
    expect(summary.value).toMatchObject({ tracks: 2 });
  }, 120_000);
});
