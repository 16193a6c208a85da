// A library damaged outside SQLite and found by the start check that follows an unclean exit (issue 12:
// that check runs after the start, in a worker): the real UI in Chromium says so at once and what
// happens next, writes are refused, and the next start moves the file aside without overwriting it.
import fs from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { seedUiLibrary } from '../../bench/ui-library.ts';
import { databasePath, openLibraryDatabase } from '../../src-main/core/db/open.ts';
import { CHECK_STATE_FILE } from '../../src-main/core/db/start-check.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { apiCall, launchChromium, recordPageErrors, startServe, stopServe } from './harness.ts';

describe('a damaged library found after an unclean exit, in Chromium', () => {
  let server: Awaited<ReturnType<typeof startServe>> | undefined;
  let browser: Browser | undefined;

  afterAll(async () => {
    await browser?.close();
    await stopServe(server);
  });

  it('shows the finding, refuses writes, and the next start moves the file aside', async () => {
    const dataDir = tempDir();
    const db = openLibraryDatabase(dataDir);
    seedUiLibrary(db, dataDir, 3000);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    // The last session was killed; then a disk fault scribbled over the second half of the file.
    fs.writeFileSync(`${dataDir}/${CHECK_STATE_FILE}`, JSON.stringify({ cleanClose: false, size: 0, mtimeMs: 0, checkedAt: 0 }));
    const file = databasePath(dataDir);
    const bytes = fs.readFileSync(file);
    for (let i = Math.floor(bytes.length / 2); i < bytes.length - 4096; i += 7) bytes[i] = 0xa5;
    fs.writeFileSync(file, bytes);

    server = await startServe(dataDir); // the start itself is not held by the check
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    const errors: string[] = [];
    recordPageErrors(page, errors);
    await page.goto(server.url);
    const alert = page.getByTestId('database-damaged');
    await expect.poll(() => alert.count(), { timeout: 20_000 }).toBe(1);
    expect(await alert.getAttribute('role')).toBe('alert');
    expect(await alert.textContent()).toMatch(/library database is damaged .*Nothing more is written.*moves the file aside/s);
    await expect(apiCall(page, 'playlists.save', { name: 'Evening', trackIds: [1] })).rejects.toThrow(/damaged/);
    await stopServe(server);
    expect(fs.readFileSync(file).equals(bytes)).toBe(true); // nothing written into it

    // The next start checks first: it refuses to open, says where the file went, and keeps it whole.
    await expect(startServe(dataDir)).rejects.toThrow(/damaged.*moved aside to .*library\.db\.corrupt-/s);
    const aside = fs.readdirSync(dataDir).find((f) => f.startsWith('library.db.corrupt-') && !/-(wal|shm)$/.test(f));
    expect(aside).toBeDefined();
    expect(fs.readFileSync(`${dataDir}/${aside}`).equals(bytes)).toBe(true);
    expect(errors).toEqual([]);
  }, 120_000);
});
