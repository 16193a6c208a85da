import { WorkerCalls } from '../jobs/worker-calls.ts';
import type { ReaderCalls, ReaderMethod, ReaderRequest, ReaderWorkerData } from './reader-messages.ts';

/** How long close() waits for the worker to leave by itself before it is terminated. */
const CLOSE_GRACE_MS = 2000;

/**
 * The app service's side of the reader worker (reader.worker.ts): one worker per service, started on
 * first use (see WorkerCalls for how calls, failures and restarts behave).
 */
export class ReaderClient {
  private readonly calls: WorkerCalls<ReaderRequest>;

  constructor(dataDir: string) {
    this.calls = new WorkerCalls<ReaderRequest>('reader', {
      workerOptions: { workerData: { dataDir } satisfies ReaderWorkerData },
      stoppedReason: (code) => `the reader worker stopped unexpectedly (exit code ${code})`,
    });
  }

  call<M extends ReaderMethod>(method: M, request: ReaderCalls[M]['request']): Promise<ReaderCalls[M]['answer']> {
    return this.calls.call((id) => ({ type: 'call', id, method, request }) as ReaderRequest);
  }

  /** The library or the model changed: the worker's index is rebuilt before its next answer (nothing to do before it started). */
  invalidate(): void {
    this.calls.post({ type: 'invalidate' });
  }

  /** Starts the worker and its index build now (app start), so the first map or queue finds it built. */
  warm(): void {
    this.calls.post({ type: 'warm' }, { start: true });
  }

  /** Abandons any build, fails the calls in flight, and waits for the worker to exit. */
  close(): Promise<void> {
    return this.calls.close({ type: 'close' }, CLOSE_GRACE_MS);
  }
}
