import type { Worker } from 'node:worker_threads';
import { startWorker } from '../jobs/worker-entry.ts';
import type { ReaderCalls, ReaderMethod, ReaderReply, ReaderRequest, ReaderWorkerData } from './reader-messages.ts';

/** How long close() waits for the worker to leave by itself before it is terminated. */
const CLOSE_GRACE_MS = 2000;

/**
 * The app service's side of the reader worker (reader.worker.ts): one worker per service, started on
 * first use; a call is a promise of its answer, a failure rejects with the worker's reason. A worker that
 * dies fails only the calls in flight; the next call starts a fresh one. It keeps the process alive only
 * while calls are in flight.
 */
export class ReaderClient {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  private closed = false;

  constructor(private readonly dataDir: string) {}

  call<M extends ReaderMethod>(method: M, request: ReaderCalls[M]['request']): Promise<ReaderCalls[M]['answer']> {
    if (this.closed) return Promise.reject(new Error('the app is closing'));
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      worker.ref();
      worker.postMessage({ type: 'call', id, method, request } as ReaderRequest);
    });
  }

  /** The library or the model changed: the worker's index is rebuilt before its next answer (nothing to do before it started). */
  invalidate(): void {
    this.worker?.postMessage({ type: 'invalidate' } satisfies ReaderRequest);
  }

  /** Starts the worker and its index build now (app start), so the first map or queue finds it built. */
  warm(): void {
    if (!this.closed) this.ensureWorker().postMessage({ type: 'warm' } satisfies ReaderRequest);
  }

  /** Abandons any build, fails the calls in flight, and waits for the worker to exit. */
  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ type: 'close' } satisfies ReaderRequest);
    const grace = setTimeout(() => void worker.terminate(), CLOSE_GRACE_MS);
    await exited;
    clearTimeout(grace);
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = startWorker('reader', { workerData: { dataDir: this.dataDir } satisfies ReaderWorkerData });
    worker.unref();
    worker.on('message', (reply: ReaderReply) => {
      const waiter = this.pending.get(reply.id);
      if (!waiter) return;
      this.pending.delete(reply.id);
      if (this.pending.size === 0) worker.unref();
      if (reply.type === 'answer') waiter.resolve(reply.value);
      else waiter.reject(new Error(reply.error));
    });
    const fail = (error: Error) => {
      if (this.worker === worker) this.worker = undefined;
      for (const waiter of this.pending.values()) waiter.reject(error);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) =>
      fail(new Error(this.closed ? 'the app is closing' : `the reader worker stopped unexpectedly (exit code ${code})`)),
    );
    this.worker = worker;
    return worker;
  }
}
