// Calls to a long-lived worker (the reader's and the thumbnail maker's one mechanism), on the real
// thumbnail worker: answers come back by id, a worker that stops fails only the calls in flight and the
// next call starts a fresh one, and close refuses what follows.
import { afterEach, describe, expect, it } from 'vitest';
import type { ThumbnailOutcome, ThumbnailRequest } from '../app/thumbnail-messages.ts';
import { WorkerCalls } from './worker-calls.ts';

const clients: WorkerCalls<ThumbnailRequest>[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
});
function thumbnailCalls(): WorkerCalls<ThumbnailRequest> {
  const calls = new WorkerCalls<ThumbnailRequest>('thumbnail', { stoppedReason: (code) => `stopped with ${code}` });
  clients.push(calls);
  return calls;
}
const ask = (calls: WorkerCalls<ThumbnailRequest>, mime: string) =>
  calls.call<ThumbnailOutcome>((id) => ({ type: 'thumbnail', id, bytes: new Uint8Array(8), mime, size: 32 }));

describe('WorkerCalls', () => {
  it('answers each call by its id, concurrently', async () => {
    const calls = thumbnailCalls();
    const answers = await Promise.all([ask(calls, 'image/gif'), ask(calls, 'image/png'), ask(calls, 'image/webp')]);
    expect(answers.map((a) => a.kind)).toEqual(['unsupported', 'unreadable', 'unsupported']);
  });

  it('a worker that stops fails the calls in flight with the reason; the next call starts a fresh one', async () => {
    const calls = thumbnailCalls();
    expect((await ask(calls, 'image/gif')).kind).toBe('unsupported');
    // The worker leaves on 'close' before it reads the call behind it.
    calls.post({ type: 'close' });
    await expect(ask(calls, 'image/gif')).rejects.toThrow('stopped with 0');
    expect((await ask(calls, 'image/gif')).kind).toBe('unsupported');
  });

  it('close fails the calls in flight and refuses later ones; post does nothing then', async () => {
    const calls = thumbnailCalls();
    const inFlight = ask(calls, 'image/png');
    await calls.close();
    await expect(inFlight).rejects.toThrow('the app is closing');
    await expect(ask(calls, 'image/gif')).rejects.toThrow('the app is closing');
    expect(() => calls.post({ type: 'close' }, { start: true })).not.toThrow();
    expect(calls.closed).toBe(true);
  });
});
