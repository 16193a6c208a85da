// Issue 12: after an unclean exit the app serves its first page at once; the start check (a quick_check,
// seconds at 100,000 songs) runs in a worker and every write waits for it. Damage found then stops the
// writes, tells the UI, and the next start moves the file aside (nothing overwritten).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/helpers/temp-dir.ts';
import type { ApiEvent } from '../../api/contract.ts';
import type { DatabaseHealth, JobProgress } from '../../api/types.ts';
import { CorruptDatabaseError, databasePath } from '../db/open.ts';
import { CHECK_STATE_FILE, checkLibraryDatabase } from '../db/start-check.ts';
import { AppService } from './app-service.ts';
import { insertTracks, openTestDb } from './test-db.ts';

/** A library of `n` tracks under a music folder of its own, whose last session was killed (never closed). */
function killedLibrary(n: number): { dir: string; ids: number[] } {
  const dir = tempDir();
  const db = openTestDb(dir);
  db.prepare('UPDATE library_roots SET path = ? WHERE id = 1').run(tempDir());
  const ids = insertTracks(
    db,
    Array.from({ length: n }, (_, i) => ({ path: `/m/${'x'.repeat(120)}/${i}.mp3`, title: `Song ${i}`, artist: `A${i % 9}` })),
  );
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  checkLibraryDatabase(dir); // the session starts, and is killed: no clean close
  return { dir, ids };
}

function service(dir: string) {
  const log: string[] = [];
  const health: DatabaseHealth[] = [];
  const progress: JobProgress[] = [];
  const app = new AppService(
    dir,
    (event: ApiEvent, payload: unknown) => {
      log.push(event);
      if (event === 'database.health') health.push(payload as DatabaseHealth);
      if (event === 'job.progress') progress.push(payload as JobProgress);
    },
    { mode: 'browser', version: 'test' },
  );
  return { app, log, health, progress };
}

const record = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, CHECK_STATE_FILE), 'utf8')) as Record<string, unknown>;

describe('the start check after an unclean exit', () => {
  it('serves reads at once; writes and jobs wait for the check, which runs in a worker', async () => {
    const { dir, ids } = killedLibrary(300);
    const music = tempDir();
    const { app, log, health, progress } = service(dir);
    try {
      app.open();
      expect(app.startCheck).toMatchObject({ checked: true, deferred: true });
      expect(app.startCheck?.reason).toMatch(/did not close cleanly/);
      expect((await app.handle('app.info', null)).database).toEqual({ state: 'checking', message: null });

      const page = await app.handle('tracks.list', { offset: 0, limit: 20 });
      expect(page.tracks).toHaveLength(20);
      expect(log).not.toContain('database.health'); // the page came before the check's answer

      const saved = app.handle('playlists.save', { name: 'Kept', trackIds: [ids[0]!, ids[1]!] }).then((r) => {
        log.push('saved');
        return r;
      });
      const scanned = app.handle('library.scan', { folders: [music] }); // a write job
      expect(await saved).toMatchObject({ status: 'saved', playlist: { name: 'Kept', tracks: 2 } });
      expect(log.indexOf('database.health')).toBeGreaterThanOrEqual(0);
      expect(log.indexOf('database.health')).toBeLessThan(log.indexOf('saved'));
      expect((await scanned).roots).toContain(music);
      expect(progress.find((p) => p.job === 'scan')?.phase).toBe('waiting for the library check');
      expect(health).toEqual([{ state: 'sound', message: null }]);
      expect(app.databaseHealth().state).toBe('sound');
      expect(app.deferredCheckMs).toBeGreaterThan(0);
    } finally {
      await app.close();
    }
    // The check passed and the session closed cleanly: the next start needs none.
    expect(record(dir)).toMatchObject({ cleanClose: true });
    const next = service(dir);
    next.app.open();
    expect(next.app.startCheck).toEqual({ checked: false, reason: 'closed cleanly and unchanged since a check this week' });
    expect((await next.app.handle('playlists.list', null)).playlists.map((p) => p.name)).toEqual(['Kept']);
    await next.app.close();
  });

  it('damage found by the check stops every write, tells the UI, and the next start moves the file aside', async () => {
    const { dir, ids } = killedLibrary(3000);
    const file = databasePath(dir);
    // Scribble over the second half of the pages (a disk fault: the mtime is kept as it was).
    const before = fs.statSync(file);
    const bytes = fs.readFileSync(file);
    for (let i = Math.floor(bytes.length / 2); i < bytes.length - 4096; i += 7) bytes[i] = 0xa5;
    fs.writeFileSync(file, bytes);
    fs.utimesSync(file, before.atime, before.mtime);

    const { app, health } = service(dir);
    try {
      app.open(); // the header and the first pages are sound: the start itself succeeds
      expect(app.startCheck?.deferred).toBe(true);
      const found = await app.databaseChecked();
      expect(found.state).toBe('damaged');
      expect(found.message).toMatch(
        /library database is damaged \(.+; \d+ more\)\. Nothing more is written.*moves the file aside/,
      );
      expect(found.message).not.toContain('\n');
      expect(health).toEqual([found]);
      expect((await app.handle('app.info', null)).database).toEqual(found);
      await expect(app.handle('playlists.save', { name: 'Lost?', trackIds: [ids[0]!] })).rejects.toThrow(/damaged/);
      await expect(app.handle('feedback.set', { trackId: ids[0]!, kind: 'like', topics: [] })).rejects.toThrow(/damaged/);
      await expect(app.handle('library.scan', { folders: [tempDir()] })).rejects.toThrow(/damaged/);
      const scan = (await app.handle('jobs.status', null)).jobs.find((j) => j.job === 'scan');
      expect(scan?.last).toMatchObject({ status: 'failed' });
      expect(scan?.last?.message).toMatch(/damaged/);
    } finally {
      await app.close();
    }
    expect(record(dir)).toMatchObject({ cleanClose: false });
    expect(record(dir).damaged).toEqual(expect.any(String));
    expect(fs.readFileSync(file).equals(bytes)).toBe(true); // nothing was written to it

    // The next start checks first, with nothing holding the file, and moves it aside whole.
    const next = service(dir);
    expect(() => next.app.open()).toThrow(CorruptDatabaseError);
    await next.app.close();
    const aside = fs.readdirSync(dir).find((f) => f.startsWith('library.db.corrupt-') && !/-(wal|shm)$/.test(f));
    expect(aside).toBeDefined();
    expect(fs.readFileSync(path.join(dir, aside!)).equals(bytes)).toBe(true);
  });
});
