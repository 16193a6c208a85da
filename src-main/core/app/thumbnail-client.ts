import { WorkerCalls } from '../jobs/worker-calls.ts';
import { THUMB_SIZE, type ThumbnailOutcome, type ThumbnailRequest } from './thumbnail-messages.ts';

/**
 * The host's side of the thumbnail worker: started on the first cover that needs one; a worker that
 * dies fails the calls in flight (the caller serves the original picture) and the next call starts a
 * fresh one.
 */
export class ThumbnailClient {
  private readonly calls = new WorkerCalls<ThumbnailRequest>('thumbnail', {
    stoppedReason: (code) => `the thumbnail worker stopped (exit code ${code})`,
  });

  make(bytes: Uint8Array, mime: string, size = THUMB_SIZE): Promise<ThumbnailOutcome> {
    const copy = Uint8Array.from(bytes); // transferred: the caller keeps its own
    return this.calls.call((id) => ({ type: 'thumbnail', id, bytes: copy, mime, size }), [copy.buffer]);
  }

  close(): Promise<void> {
    return this.calls.close();
  }
}
