import type { Transferable, Worker, WorkerOptions } from 'node:worker_threads';
import { startWorker, type WorkerName } from './worker-entry.ts';

/** A worker's answer to one call, or the error that stopped it (as a value). */
export type CallReply<T = unknown> = { type: 'answer'; id: number; value: T } | { type: 'failed'; id: number; error: string };

export interface WorkerCallsOptions {
  workerOptions?: WorkerOptions;
  /** The reason given to the calls in flight when the worker stops without being closed. */
  stoppedReason(exitCode: number): string;
}

/**
 * Request/answer calls to one long-lived worker, started on the first call (the reader and the thumbnail
 * clients are this plus their messages). A call is a promise of its answer; a failure rejects with the
 * worker's reason. The worker holds the process open only while calls are in flight. A worker that dies
 * fails only the calls in flight, and the next call starts a fresh one.
 */
export class WorkerCalls<Request> {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  private closing = false;

  constructor(
    private readonly name: WorkerName,
    private readonly options: WorkerCallsOptions,
  ) {}

  get closed(): boolean {
    return this.closing;
  }

  /** Posts the request `build(id)` makes and resolves with the worker's answer to that id. */
  call<T>(build: (id: number) => Request, transfer: readonly Transferable[] = []): Promise<T> {
    if (this.closing) return Promise.reject(new Error('the app is closing'));
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      worker.ref();
      worker.postMessage(build(id), transfer);
    });
  }

  /** A message that expects no answer, sent to the worker if it runs (`start` sends it to a fresh one). */
  post(message: Request, { start = false } = {}): void {
    if (this.closing) return;
    const worker = start ? this.ensureWorker() : this.worker;
    worker?.postMessage(message);
  }

  /**
   * Fails the calls in flight and stops the worker: `farewell` (if given) asks it to leave by itself,
   * and it is terminated after `graceMs` or at once without one.
   */
  async close(farewell?: Request, graceMs = 2000): Promise<void> {
    this.closing = true;
    const worker = this.worker;
    if (!worker) return;
    this.worker = undefined;
    if (farewell === undefined) return void (await worker.terminate());
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage(farewell);
    const grace = setTimeout(() => void worker.terminate(), graceMs);
    await exited;
    clearTimeout(grace);
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = startWorker(this.name, this.options.workerOptions);
    worker.unref();
    worker.on('message', (reply: CallReply) => {
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
    worker.on('exit', (code) => fail(new Error(this.closing ? 'the app is closing' : this.options.stoppedReason(code))));
    this.worker = worker;
    return worker;
  }
}
