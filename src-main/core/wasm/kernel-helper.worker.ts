import { parentPort, receiveMessageOnPort } from 'node:worker_threads';
import { wasmApi } from './encoding.ts';
import { claimChunk, passTag, SLOT, type KernelHelperMessage } from './kernel-split.ts';

// The second core's share of the scorers' kernel passes (kernel-split.ts): each registered kernel is the
// same module instantiated on the same shared memory; a pass is posted in the control block, and this
// thread claims chunks of it as the host does, marking each one finished there. After `init` the thread
// blocks in Atomics.wait on the bell (rung for every pass and every message) and takes messages synchronously: its steady state allocates nothing, so it never pauses
// for garbage collection mid-pass (an asynchronous wait allocated per job, and the collector's idle-time
// compaction then held a pass for up to ~37 ms at 100,000 songs).
const port = parentPort;
if (!port) throw new Error('kernel-helper.worker must run as a worker thread');

/** By id: the registration held (its generation) and its entry point. */
const kernels = new Map<number, { generation: number; run: (x: number, y: number, n: number) => void }>();

function take(message: KernelHelperMessage, ready: Int32Array): void {
  if (message.type === 'drop') {
    // Only the registration it names: the id may hold a newer one already.
    if (kernels.get(message.id)?.generation === message.generation) kernels.delete(message.id);
    return;
  }
  if (message.type !== 'register') return;
  const instance = new wasmApi!.Instance(message.module, { e: { m: message.memory } });
  kernels.set(message.id, {
    generation: message.generation,
    run: instance.exports['score'] as (x: number, y: number, n: number) => void,
  });
  Atomics.store(ready, message.id, message.generation);
}

function serve(c: Int32Array, ready: Int32Array, finished: Int32Array): never {
  let seen = Atomics.load(c, SLOT.seq);
  for (;;) {
    // Read the bell before looking for work, and wait only if it has not rung since: no lost wake-up.
    const bell = Atomics.load(c, SLOT.bell);
    for (let m = receiveMessageOnPort(port!); m; m = receiveMessageOnPort(port!)) take(m.message as KernelHelperMessage, ready);
    const seq = Atomics.load(c, SLOT.seq);
    if (seq === seen) {
      // The timeout only bounds how late a message could be seen if a ring ever went unheard.
      Atomics.wait(c, SLOT.bell, bell, 1000);
      continue;
    }
    seen = seq;
    const kernel = kernels.get(c[SLOT.kernel]!);
    // Without that registration it claims nothing: the host runs every chunk.
    if (!kernel || kernel.generation !== c[SLOT.generation]) continue;
    const x = c[SLOT.x]!;
    const y = c[SLOT.y]!;
    const n = c[SLOT.n]!;
    const chunk = c[SLOT.chunk]!;
    const chunks = c[SLOT.chunks]!;
    const stride = c[SLOT.stride]!;
    const tag = passTag(seq);
    for (let k = claimChunk(c, tag, chunks); k >= 0; k = claimChunk(c, tag, chunks)) {
      const from = k * chunk;
      kernel.run(x + from * stride, y + from * 4, Math.min(chunk, n - from));
      Atomics.store(finished, k, seq);
    }
  }
}

port.once('message', (message: KernelHelperMessage) => {
  if (message.type !== 'init') throw new Error(`kernel-helper.worker: expected init first, got ${message.type}`);
  serve(new Int32Array(message.control), new Int32Array(message.ready), new Int32Array(message.finished));
});
