// What both end-to-end suites share: where things are, Chromium with this machine's flags, and
// `cadenza serve` started on a data folder.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const BIN = path.join(ROOT, 'bin/cadenza.js');
export const SHOTS = path.join(ROOT, 'test-results/e2e');
/** The renderer build the e2e serves (rebuilt by `cadenza serve` only when its sources change). */
export const RENDERER = path.join(ROOT, 'test/.cache/e2e-renderer');
const CHROMIUM = process.env.CADENZA_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--autoplay-policy=no-user-gesture-required',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** `cadenza serve` as the build bundles it alone (`npm run build`): what the built app runs, without the TypeScript loader. */
export const BUILT_SERVE = path.join(ROOT, 'out/main/serve.js');

/** Starts `cadenza serve` on the data folder: from source (bin/cadenza.js through tsx), or the built bundle. */
export function startServe(dataDir: string, from: 'source' | 'built' = 'source'): Promise<{ child: ChildProcess; url: string }> {
  const options = ['--data-dir', dataDir, '--renderer-dir', RENDERER, '--workers', '1', '--json'];
  const child = spawn(process.execPath, from === 'built' ? [BUILT_SERVE, ...options] : [BIN, 'serve', ...options], {
    env: { ...process.env, CADENZA_DATA_DIR: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve({ child, url: (JSON.parse(line) as { url: string }).url });
    });
    child.on('exit', (code) => reject(new Error(`cadenza serve exited with ${code}: ${stderr}`)));
  });
}

/** Stops a server from `startServe` (if it is still running) and waits for it to exit. */
export async function stopServe(server: { child: ChildProcess } | undefined): Promise<void> {
  if (server?.child.exitCode !== null) return;
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  await exited;
}

/**
 * Collects a page's uncaught errors and its Content-Security-Policy violations (Chromium reports a
 * refused script, style or connection on the console), so a suite fails on either.
 */
export function recordPageErrors(page: Page, errors: string[]): void {
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) errors.push(`CSP: ${m.text()}`);
  });
}

export const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`) });

/** A call from the page (it carries the session cookie), for reading what the test compares. */
export async function apiCall<T>(page: Page, method: string, request: unknown): Promise<T> {
  const result = await page.evaluate(
    async ([m, r]) => {
      const response = await fetch('/api/call', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ method: m, request: r }),
      });
      return (await response.json()) as { ok: boolean; value?: unknown; error?: string };
    },
    [method, request] as const,
  );
  if (!result.ok) throw new Error(result.error);
  return result.value as T;
}

/** A canvas as the page sees it (the node tsconfig has no DOM lib). */
export interface PageCanvas {
  width: number;
  height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
}

/** Runs `cadenza ARGS --data-dir DATA_DIR` to its end (5 min at most) and gives its stdout; a failure fails the test with its stderr. */
export function cli(dataDir: string, ...args: string[]): string {
  const run = spawnSync(process.execPath, [BIN, ...args, '--data-dir', dataDir], {
    encoding: 'utf8',
    timeout: 300_000,
    env: { ...process.env, CADENZA_DATA_DIR: '' },
  });
  expect(run.status, `cadenza ${args.join(' ')}: ${run.stderr}`).toBe(0);
  return run.stdout;
}
