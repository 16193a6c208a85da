import type { Worker } from 'node:worker_threads';
import { startWorker } from '../jobs/worker-entry.ts';
import { THUMB_SIZE, type ThumbnailOutcome, type ThumbnailReply, type ThumbnailRequest } from './thumbnail-messages.ts';

/**
 * The host's side of the thumbnail worker: started on the first cover that needs one, holding the
 * process open only while a thumbnail is being made; a worker that dies fails the calls in flight
 * (the caller serves the original picture) and the next call starts a fresh one.
 */
export class ThumbnailClient {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(outcome: ThumbnailOutcome): void; reject(error: Error): void }>();
  private closed = false;

  make(bytes: Uint8Array, mime: string, size = THUMB_SIZE): Promise<ThumbnailOutcome> {
    if (this.closed) return Promise.reject(new Error('the app is closing'));
    const worker = this.ensureWorker();
    const id = this.nextId++;
    const copy = Uint8Array.from(bytes); // transferred: the caller keeps its own
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ type: 'thumbnail', id, bytes: copy, mime, size } satisfies ThumbnailRequest, [copy.buffer]);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    if (!worker) return;
    this.worker = undefined;
    await worker.terminate();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = startWorker('thumbnail');
    worker.unref();
    worker.on('message', (reply: ThumbnailReply) => {
      const waiter = this.pending.get(reply.id);
      if (!waiter) return;
      this.pending.delete(reply.id);
      if (this.pending.size === 0) worker.unref();
      if (reply.type === 'done') waiter.resolve(reply.outcome);
      else waiter.reject(new Error(reply.error));
    });
    const fail = (error: Error) => {
      if (this.worker === worker) this.worker = undefined;
      for (const waiter of this.pending.values()) waiter.reject(error);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the thumbnail worker stopped (exit code ${code})`)));
    this.worker = worker;
    return worker;
  }
}
