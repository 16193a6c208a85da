import { describe, expect, it } from 'vitest';
import type { ApiEvent, ApiEvents } from '../../api/contract.ts';
import { JobBoard, JobBusyError } from './jobs.ts';

const progress = (done: number, total: number) => ({
  done,
  total,
  rate: 1,
  etaSec: total - done,
  elapsedMs: done * 1000,
  phase: 'x',
  failed: 0,
});

describe('JobBoard', () => {
  it('throttles progress events (always sending the last), reports the outcome, and refuses a second run of a kind', async () => {
    const events: [ApiEvent, unknown][] = [];
    let clock = 0;
    const board = new JobBoard(
      <E extends ApiEvent>(e: E, p: ApiEvents[E]) => void events.push([e, p]),
      100,
      () => clock,
    );
    let finish!: (n: number) => void;
    const run = board.run(
      'analysis',
      (report) => {
        report(progress(1, 3)); // sent
        clock += 10;
        report(progress(2, 3)); // within 100 ms: dropped
        clock += 10;
        report(progress(3, 3)); // the last: sent
        return { result: new Promise<number>((r) => (finish = r)), cancel: () => finish(-1) };
      },
      (n) => ({ status: n < 0 ? 'cancelled' : 'done', message: `${n}` }),
    );
    expect(board.isRunning('analysis')).toBe(true);
    await expect(
      board.run(
        'analysis',
        () => ({ result: Promise.resolve(0), cancel() {} }),
        () => ({ status: 'done', message: '' }),
      ),
    ).rejects.toThrow(JobBusyError);
    expect(board.cancel('analysis')).toBe(true);
    expect(await run).toBe(-1);
    expect(events.filter(([e]) => e === 'job.progress').map(([, p]) => (p as { done: number }).done)).toEqual([1, 3]);
    expect(events.at(-1)).toEqual(['job.finished', { job: 'analysis', status: 'cancelled', message: '-1', finishedAt: 20 }]);
    expect(board.status().find((s) => s.job === 'analysis')).toMatchObject({ running: false, last: { status: 'cancelled' } });
    expect(board.cancel('analysis')).toBe(false);
  });

  it('reports a failed job and rethrows its error', async () => {
    const events: unknown[] = [];
    const board = new JobBoard((_e, p) => void events.push(p));
    await expect(
      board.run(
        'scan',
        () => ({ result: Promise.reject(new Error('disk gone')), cancel() {} }),
        () => ({ status: 'done', message: '' }),
      ),
    ).rejects.toThrow('disk gone');
    expect(events.at(-1)).toMatchObject({ job: 'scan', status: 'failed', message: 'disk gone' });
    expect(board.isRunning('scan')).toBe(false);
  });
});
