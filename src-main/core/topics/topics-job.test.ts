import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeFixtureLibrary } from '../../../test/fixtures/library/make-library.ts';
import { tempDir } from '../../../test/helpers/temp-dir.ts';
import { openLibraryDatabase } from '../db/open.ts';
import { scanLibrary } from '../library/scanner.ts';
import { showTopics } from './library-topics.ts';
import { startTopicsJob } from './topics-job.ts';

describe('topic fit job (worker)', () => {
  it('fits in a worker with progress, and a cancelled fit keeps the previous topics', async () => {
    const lib = await makeFixtureLibrary(path.join(tempDir(), 'music'));
    const dataDir = path.join(tempDir(), 'data');
    const db = openLibraryDatabase(dataDir);
    try {
      await scanLibrary(db, { addRoots: [lib.root] });
      const progress: number[] = [];
      const fitted = await startTopicsJob(dataDir, { k: 3, seed: 5, sweeps: 200, onProgress: (p) => progress.push(p.done) }).result;
      expect(fitted).not.toBeNull();
      expect(fitted!.k).toBe(3);
      expect(progress.at(-1)).toBe(200);
      const before = showTopics(db);
      expect(before.map((t) => t.id)).toEqual([1, 2, 3]);

      const job = startTopicsJob(dataDir, { k: 4, seed: 6, sweeps: 100_000, progressIntervalMs: 0, onProgress: () => job.cancel() });
      expect(await job.result).toBeNull();
      expect(showTopics(db)).toEqual(before);
    } finally {
      db.close();
    }
  });
});
