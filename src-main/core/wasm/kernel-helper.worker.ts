import { parentPort } from 'node:worker_threads';
import { wasmApi } from './encoding.ts';
import { SLOT, waitAsync, type KernelHelperMessage } from './kernel-split.ts';

// The second core's half of the scorers' kernel passes (kernel-split.ts): each registered kernel is the
// same module instantiated on the same shared memory; a job is posted in the control block, run, and
// reported done there. Messages (new kernels) are taken between jobs: the wait is asynchronous.
const port = parentPort;
if (!port) throw new Error('kernel-helper.worker must run as a worker thread');

/** By id: the registration held (its generation) and its entry point. */
const kernels = new Map<number, { generation: number; run: (x: number, y: number, n: number) => void }>();
let control: Int32Array | null = null;
let ready: Int32Array | null = null;

port.on('message', (message: KernelHelperMessage) => {
  if (message.type === 'init') {
    control = new Int32Array(message.control);
    ready = new Int32Array(message.ready);
    void serve();
    return;
  }
  if (message.type === 'drop') {
    // Only the registration it names: the id may hold a newer one already.
    if (kernels.get(message.id)?.generation === message.generation) kernels.delete(message.id);
    return;
  }
  const instance = new wasmApi!.Instance(message.module, { e: { m: message.memory } });
  kernels.set(message.id, {
    generation: message.generation,
    run: instance.exports['score'] as (x: number, y: number, n: number) => void,
  });
  Atomics.store(ready!, message.id, message.generation);
});

async function serve(): Promise<void> {
  const c = control!;
  let seen = Atomics.load(c, SLOT.seq);
  for (;;) {
    const waited = waitAsync!(c, SLOT.seq, seen);
    if (waited.async) await waited.value;
    const seq = Atomics.load(c, SLOT.seq);
    if (seq === seen) continue;
    seen = seq;
    const kernel = kernels.get(c[SLOT.kernel]!);
    const ran = kernel?.generation === c[SLOT.generation];
    if (ran) kernel!.run(c[SLOT.x]!, c[SLOT.y]!, c[SLOT.n]!);
    Atomics.store(c, SLOT.ran, ran ? 1 : 0);
    Atomics.store(c, SLOT.done, seq);
    Atomics.notify(c, SLOT.done);
  }
}
