// The app's training runs its worker thread at nice 10 (issue 12: the API's thread comes first while it
// trains), and only that thread: read from the kernel's per-thread nice values (/proc/self/task).
import fs from 'node:fs';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/helpers/temp-dir.ts';
import { openLibraryDatabase } from '../db/open.ts';
import { syntheticDataset, writeSyntheticLibrary } from './synthetic.ts';
import { startTrainJob } from './train-job.ts';

/** Each thread of this process with its nice value (field 19 of its stat line). */
function threadNice(): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of fs.readdirSync('/proc/self/task')) {
    try {
      const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(tid), Number(fields[16])); // fields from the 3rd on: nice is the 19th
    } catch {
      // the thread ended
    }
  }
  return out;
}

describe.runIf(process.platform === 'linux')('training priority', () => {
  it('with lowPriority the train worker lowers its own thread to nice 10 and leaves the process as it was', async () => {
    const base = os.getPriority();
    expect(threadNice().get(process.pid)).toBe(base);
    const dataDir = tempDir();
    const db = openLibraryDatabase(dataDir);
    writeSyntheticLibrary(db, syntheticDataset({ songs: 120, seed: 4, signal: 1 }));
    db.close();
    const before = new Set([...threadNice()].filter(([, nice]) => nice === 10).map(([tid]) => tid));
    const job = startTrainJob({ dataDir, epochs: 50, lowPriority: true });
    let lowered: number[] = [];
    const firstBatch = new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        lowered = [...threadNice()].filter(([tid, nice]) => nice === 10 && !before.has(tid)).map(([tid]) => tid);
        if (lowered.length > 0) {
          clearInterval(poll);
          resolve();
        }
      }, 20);
      void job.result.finally(() => {
        clearInterval(poll);
        resolve();
      });
    });
    await firstBatch;
    job.cancel();
    await job.result;
    // Lowering to 10 is refused to a process already above it (raising priority needs privilege).
    if (base < 10) expect(lowered.length).toBeGreaterThan(0);
    expect(os.getPriority()).toBe(base);
    expect(threadNice().get(process.pid)).toBe(base);
  }, 180_000);
});
