// Issue 15.7: the library watcher's scans go through the job board (one scan at a time, visible in
// jobs.status), and the watcher's own errors are shown as failed scan outcomes, not swallowed.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeAnalysisLibrary } from '../../../test/fixtures/analysis/make-analysis-library.ts';
import { tempDir } from '../../../test/helpers/temp-dir.ts';
import type { ApiEvent, ApiEvents } from '../../api/contract.ts';
import { AppService } from './app-service.ts';

function service(dataDir: string) {
  const finished: ApiEvents['job.finished'][] = [];
  const waiters: { match: RegExp; resolve: () => void }[] = [];
  const app = new AppService(
    dataDir,
    (event: ApiEvent, payload: unknown) => {
      if (event !== 'job.finished') return;
      const outcome = payload as ApiEvents['job.finished'];
      finished.push(outcome);
      for (const w of waiters.filter((x) => x.match.test(outcome.message))) w.resolve();
    },
    { mode: 'browser', version: 'test' },
  );
  const outcome = (match: RegExp) => new Promise<void>((resolve) => waiters.push({ match, resolve }));
  return { app, finished, outcome };
}

describe('the library watcher in the app', () => {
  it('scans a change as a scan job on the board, shown in jobs.status', async () => {
    const lib = await makeAnalysisLibrary(path.join(tempDir(), 'src'));
    const root = path.join(tempDir(), 'music');
    fs.mkdirSync(root);
    fs.copyFileSync(lib.files.find((f) => f.name === 'piece.wav')!.path, path.join(root, 'a.wav'));
    const { app, finished, outcome } = service(path.join(tempDir(), 'data'));
    try {
      app.open();
      await app.handle('library.scan', { folders: [root] }); // also starts watching
      const watched = outcome(/changes in the music folders/);
      let seen = false;
      void watched.then(() => (seen = true));
      // The recursive watch is set up asynchronously: copy again until the watcher has seen a change.
      for (let n = 0; !seen && n < 40; n++) {
        fs.copyFileSync(path.join(root, 'a.wav'), path.join(root, `b${n}.wav`));
        await new Promise((resolve) => setTimeout(resolve, 1_500));
      }
      await watched;
      const last = app.jobs.status().find((j) => j.job === 'scan')!.last!;
      expect(last).toMatchObject({
        status: 'done',
        message: expect.stringMatching(/^changes in the music folders: \d+ tracks? indexed/),
      });
      expect(finished.filter((f) => f.job === 'scan').length).toBeGreaterThanOrEqual(2);
      expect((await app.handle('library.summary', null)).tracks).toBeGreaterThanOrEqual(2);
    } finally {
      await app.close();
    }
  }, 120_000);

  it('shows an error of the watcher itself as a failed scan outcome', async () => {
    const root = path.join(tempDir(), 'music');
    fs.mkdirSync(root);
    const { app, finished } = service(path.join(tempDir(), 'data'));
    try {
      app.open();
      await app.handle('library.scan', { folders: [root] });
      fs.rmSync(root, { recursive: true }); // still a library folder (marked available) but gone: fs.watch fails
      app.watch();
      expect(finished.at(-1)).toMatchObject({
        job: 'scan',
        status: 'failed',
        message: expect.stringMatching(/watching the music folders failed: .*ENOENT/),
      });
    } finally {
      await app.close();
    }
  }, 120_000);
});
