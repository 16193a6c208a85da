/**
 * One kernel pass over both cores: the scorers' WebAssembly memory is shared with a helper thread
 * (kernel-helper.worker.ts) that runs the same module on the same items. A pass is cut into chunks that
 * either thread claims (one atomic word: the pass's tag and the next chunk), so a helper that starts
 * late or is descheduled leaves more chunks to this thread instead of a wait. A pass over 100,000 songs
 * (the learned D, the descriptors) is most of the cost of "more like this"; halving it is what lets a
 * query meet its latency target on a 2-core machine.
 *
 * Safe by construction: the helper writes its chunks into its own spare output region and marks each
 * one finished (with the pass's number); this thread copies in the finished ones and computes any chunk
 * the helper claimed but has not finished (so it never waits for the helper; a late helper's writes land
 * in the spare region, for a pass nobody reads any more). Without shared memory (no threads in this
 * runtime) every pass runs here, as before.
 */
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../jobs/worker-entry.ts';
import { wasmApi, type WasmMemory } from './encoding.ts';

/** Passes over fewer items than this run on this thread alone (the hand-off costs ~0.1 ms). */
export const SPLIT_MIN_ITEMS = 16_384;
/** A pass is cut into at most this many chunks, each of at least CHUNK_MIN_ITEMS items. */
export const MAX_CHUNKS = 64;
export const CHUNK_MIN_ITEMS = 2048;
/** Most pages a shared kernel memory may grow to (2 GiB: virtual address space, reserved not used). */
export const SHARED_MAX_PAGES = 32_768;
const MAX_KERNELS = 256;

/**
 * Control block (Int32 slots): the pass posted (its number), the pass's kernel (id and registration),
 * its arguments (items from byte x, `stride` bytes each; the helper's scores to byte y; n items in chunks
 * of `chunk`),
 * the claim word (the pass's tag in the high 16 bits, the next unclaimed chunk in the low 16), and the
 * bell the helper sleeps on (rung for every pass and every message). Beside it, `finished[k]` is the
 * number of the pass whose chunk k the helper last finished.
 */
export const SLOT = {
  seq: 0,
  kernel: 2,
  generation: 3,
  x: 4,
  y: 5,
  n: 6,
  chunk: 7,
  bell: 8,
  next: 9,
  chunks: 10,
  stride: 11,
} as const;

/** The claim word's tag of pass `seq`. */
export function passTag(seq: number): number {
  return (seq & 0x7fff) << 16;
}

/** Claims the next chunk of the pass tagged `tag` (of `chunks`): its number, or −1 when none is left or the pass is over. */
export function claimChunk(control: Int32Array, tag: number, chunks: number): number {
  for (;;) {
    const word = Atomics.load(control, SLOT.next);
    if ((word & ~0xffff) !== tag) return -1;
    const k = word & 0xffff;
    if (k >= chunks) return -1;
    if (Atomics.compareExchange(control, SLOT.next, word, word + 1) === word) return k;
  }
}

/** Helper ← host messages. */
export type KernelHelperMessage =
  | { type: 'init'; control: SharedArrayBuffer; ready: SharedArrayBuffer; finished: SharedArrayBuffer }
  | { type: 'register'; id: number; generation: number; module: object; memory: WasmMemory }
  /** The kernel's scorer is gone (an index rebuilt): the helper lets go of its instance and memory. */
  | { type: 'drop'; id: number; generation: number };

/** A memory the helper can share: shared when this runtime has threads, else a plain one. */
export function kernelMemory(): { memory: WasmMemory; shared: boolean } {
  if (sharedSupported()) {
    try {
      return { memory: new wasmApi!.Memory({ initial: 1, maximum: SHARED_MAX_PAGES, shared: true }), shared: true };
    } catch {
      // fall through: no shared memory here
    }
  }
  return { memory: new wasmApi!.Memory({ initial: 1 }), shared: false };
}

let supported: boolean | undefined;
function sharedSupported(): boolean {
  if (supported !== undefined) return supported;
  supported = false;
  if (!wasmApi || typeof SharedArrayBuffer === 'undefined') return supported;
  if (process.env.CADENZA_KERNEL_THREADS === '0') return supported;
  try {
    const m = new wasmApi.Memory({ initial: 1, maximum: 1, shared: true });
    supported = m.buffer instanceof SharedArrayBuffer;
  } catch {
    supported = false;
  }
  return supported;
}

/** This thread's helper (one per thread that runs kernels), started on the first large pass. */
class KernelHelper {
  private readonly worker: Worker;
  readonly control = new Int32Array(new SharedArrayBuffer(16 * 4));
  private readonly ready = new Int32Array(new SharedArrayBuffer(MAX_KERNELS * 4));
  readonly finished = new Int32Array(new SharedArrayBuffer(MAX_CHUNKS * 4));
  private nextId = 0;
  private readonly freeIds: number[] = [];
  private generations = 0;
  /** A scorer collected (its index dropped) frees its kernel in the helper, which held its memory. */
  private readonly drops = new FinalizationRegistry<{ id: number; generation: number }>((k) => this.drop(k));
  broken = false;

  constructor() {
    this.worker = startWorker('kernelHelper');
    this.worker.unref();
    this.worker.on('error', () => (this.broken = true));
    this.worker.on('exit', () => (this.broken = true));
    this.worker.postMessage({
      type: 'init',
      control: this.control.buffer as SharedArrayBuffer,
      ready: this.ready.buffer as SharedArrayBuffer,
      finished: this.finished.buffer as SharedArrayBuffer,
    } satisfies KernelHelperMessage);
  }

  /** Gives the helper a kernel (its module and shared memory) for as long as `owner` lives; null when all ids are taken. */
  register(owner: object, module: object, memory: WasmMemory): { id: number; generation: number } | null {
    const id = this.freeIds.pop() ?? (this.nextId < MAX_KERNELS ? this.nextId++ : null);
    if (id === null) return null;
    const generation = ++this.generations;
    this.worker.postMessage({ type: 'register', id, generation, module, memory } satisfies KernelHelperMessage);
    this.ring();
    this.drops.register(owner, { id, generation });
    return { id, generation };
  }

  private drop(kernel: { id: number; generation: number }): void {
    this.freeIds.push(kernel.id);
    if (this.broken) return;
    this.worker.postMessage({ type: 'drop', ...kernel } satisfies KernelHelperMessage);
    this.ring();
  }

  /** Wakes the helper (a job or a message is waiting). */
  ring(): void {
    Atomics.add(this.control, SLOT.bell, 1);
    Atomics.notify(this.control, SLOT.bell);
  }

  /** The helper holds this registration (ready[id] is the generation it instantiated last). */
  isReady(kernel: { id: number; generation: number }): boolean {
    return !this.broken && Atomics.load(this.ready, kernel.id) === kernel.generation;
  }
}

let helper: KernelHelper | null | undefined;
function threadHelper(): KernelHelper | null {
  if (helper === undefined) {
    try {
      helper = new KernelHelper();
    } catch {
      helper = null;
    }
  }
  return helper && !helper.broken ? helper : null;
}

let splitting = true;
/** Turns splitting off (or on again) for this thread: the benchmark's one-core baseline in the same run. */
export function setKernelSplitting(on: boolean): void {
  splitting = on;
}

let splitCount = 0;
/** How many passes this thread has split with its helper (benchmarks and tests read it). */
export function splitPasses(): number {
  return splitCount;
}

/**
 * A kernel whose passes may be split with the helper. `run(x, y, n)` scores n items stored from byte x,
 * writing n floats from byte y; the module must take `memory` (shared) as its import.
 */
export class SplitKernel {
  private kernel: { id: number; generation: number } | null = null;

  constructor(
    private readonly module: object,
    private readonly memory: WasmMemory,
    private readonly shared: boolean,
    private readonly run: (x: number, y: number, n: number) => void,
  ) {}

  /** Which chunks of the current pass this thread ran (reused). */
  private mine = new Uint8Array(MAX_CHUNKS);

  /**
   * run(x, y, n) over both cores: chunks claimed by either thread; the helper's go to `spare` (bytes for
   * n floats, 4-aligned, that nothing else uses) and are copied to y once finished.
   */
  pass(x: number, y: number, n: number, itemBytes: number, spare: number): void {
    const h = splitting && this.shared && n >= SPLIT_MIN_ITEMS ? threadHelper() : null;
    if (h && this.kernel === null) this.kernel = h.register(this, this.module, this.memory);
    if (!h || this.kernel === null || !h.isReady(this.kernel)) return this.run(x, y, n);
    const chunk = Math.max(CHUNK_MIN_ITEMS, Math.ceil(n / MAX_CHUNKS));
    const chunks = Math.ceil(n / chunk);
    const c = h.control;
    const seq = (c[SLOT.seq]! + 1) | 0;
    const tag = passTag(seq);
    // Closed under the new tag first: a helper still reading the last pass's arguments while these are
    // written claims nothing with them (its claims carry the last pass's tag).
    Atomics.store(c, SLOT.next, tag | 0xffff);
    c[SLOT.kernel] = this.kernel.id;
    c[SLOT.generation] = this.kernel.generation;
    c[SLOT.x] = x;
    c[SLOT.y] = spare;
    c[SLOT.n] = n;
    c[SLOT.chunk] = chunk;
    c[SLOT.chunks] = chunks;
    c[SLOT.stride] = itemBytes;
    Atomics.store(c, SLOT.next, tag); // open
    Atomics.store(c, SLOT.seq, seq); // publishes the arguments above
    h.ring();
    const mine = this.mine.fill(0, 0, chunks);
    const runChunk = (k: number, to: number) => {
      const from = k * chunk;
      this.run(x + from * itemBytes, to + from * 4, Math.min(chunk, n - from));
    };
    for (let k = claimChunk(c, tag, chunks); k >= 0; k = claimChunk(c, tag, chunks)) {
      runChunk(k, y);
      mine[k] = 1;
    }
    // Every chunk is claimed now: copy in what the helper finished, run here what it has not.
    const f = new Float32Array(this.memory.buffer);
    let helped = false;
    for (let k = 0; k < chunks; k++) {
      if (mine[k]) continue;
      if (Atomics.load(h.finished, k) === seq) {
        const from = k * chunk;
        f.copyWithin((y >> 2) + from, (spare >> 2) + from, (spare >> 2) + Math.min(n, from + chunk));
        helped = true;
      } else runChunk(k, y);
    }
    if (helped) splitCount++;
  }
}
