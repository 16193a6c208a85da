/**
 * One kernel pass over both cores: the scorers' WebAssembly memory is shared with a helper thread
 * (kernel-helper.worker.ts) that runs the same module on the second half of the items while this thread
 * runs the first half, then this thread waits (Atomics) for it. A pass over 100,000 songs (the learned
 * D, the descriptors) is the whole cost of "more like this"; halving it is what lets a query meet its
 * latency target on a 2-core machine.
 *
 * Safe by construction: the helper writes its half into its own spare output region, copied in only
 * once it reports done; a helper that is not ready yet, or does not answer within HELPER_TIMEOUT_MS, is
 * not used (the pass runs here alone, and a late helper's writes land in the spare region nobody reads).
 * Without shared memory (no threads in this runtime) every pass runs here, as before.
 */
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../jobs/worker-entry.ts';
import { wasmApi, type WasmMemory } from './encoding.ts';

/** Passes over fewer items than this run on this thread alone (the hand-off costs ~0.1 ms). */
export const SPLIT_MIN_ITEMS = 16_384;
/** How long a pass waits for the helper's half before giving up on the helper for good. */
export const HELPER_TIMEOUT_MS = 2000;
/** Most pages a shared kernel memory may grow to (2 GiB: virtual address space, reserved not used). */
export const SHARED_MAX_PAGES = 32_768;
const MAX_KERNELS = 256;

/**
 * Control block (Int32 slots): the job posted, the job done, the job's kernel (id and registration),
 * its arguments, whether the helper ran it (1) or did not have that registration (0), and the bell the
 * helper sleeps on (rung for every job and every message).
 */
export const SLOT = { seq: 0, done: 1, kernel: 2, generation: 3, x: 4, y: 5, n: 6, ran: 7, bell: 8 } as const;

/** Helper ← host messages. */
export type KernelHelperMessage =
  | { type: 'init'; control: SharedArrayBuffer; ready: SharedArrayBuffer }
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

  /**
   * run(x, y, n) over both cores: items [0, m) here, [m, n) on the helper into `spare` (bytes for
   * ⌈n / 2⌉ floats, 4-aligned, that nothing else uses), copied to y + 4m once it is done.
   */
  pass(x: number, y: number, n: number, itemBytes: number, spare: number): void {
    const h = splitting && this.shared && n >= SPLIT_MIN_ITEMS ? threadHelper() : null;
    if (h && this.kernel === null) this.kernel = h.register(this, this.module, this.memory);
    if (!h || this.kernel === null || !h.isReady(this.kernel)) return this.run(x, y, n);
    const m = n >> 1;
    const c = h.control;
    c[SLOT.kernel] = this.kernel.id;
    c[SLOT.generation] = this.kernel.generation;
    c[SLOT.x] = x + m * itemBytes;
    c[SLOT.y] = spare;
    c[SLOT.n] = n - m;
    const seq = Atomics.add(c, SLOT.seq, 1) + 1;
    h.ring();
    this.run(x, y, m);
    const deadline = performance.now() + HELPER_TIMEOUT_MS;
    for (;;) {
      const done = Atomics.load(c, SLOT.done);
      if (done >= seq) break;
      const left = deadline - performance.now();
      if (left <= 0 || Atomics.wait(c, SLOT.done, done, left) === 'timed-out') {
        // The helper is gone or starved: never used again; its half is done here (it writes only to `spare`).
        h.broken = true;
        this.run(x + m * itemBytes, y + m * 4, n - m);
        return;
      }
    }
    if (Atomics.load(c, SLOT.ran) !== 1) return this.run(x + m * itemBytes, y + m * 4, n - m);
    const f = new Float32Array(this.memory.buffer);
    f.copyWithin((y >> 2) + m, spare >> 2, (spare >> 2) + (n - m));
    splitCount++;
  }
}
