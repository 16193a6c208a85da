/**
 * Collects decoded chunks that carry their absolute position (in samples of the track's
 * timeline) and keeps only the part inside the wanted window.
 */
export class ClipAssembler {
  readonly out: Float32Array[];
  /** Highest filled index + 1 inside the window. */
  filled = 0;
  /** Lowest filled index (to detect a window whose start was never reached). */
  firstFilled = Number.POSITIVE_INFINITY;

  constructor(
    readonly channelCount: number,
    readonly start: number,
    readonly length: number,
  ) {
    this.out = Array.from({ length: channelCount }, () => new Float32Array(Math.max(0, length)));
  }

  /** `absStart`: track sample index of chunk[ch][0]. Returns true once the window's end is reached. */
  push(chunk: Float32Array[], absStart: number): boolean {
    const n = chunk[0]?.length ?? 0;
    const from = Math.max(absStart, this.start);
    const to = Math.min(absStart + n, this.start + this.length);
    if (to > from) {
      for (let c = 0; c < this.channelCount; c++) {
        const src = chunk[Math.min(c, chunk.length - 1)];
        const dst = this.out[c];
        if (!src || !dst) continue;
        dst.set(src.subarray(from - absStart, to - absStart), from - this.start);
      }
      this.filled = Math.max(this.filled, to - this.start);
      this.firstFilled = Math.min(this.firstFilled, from - this.start);
    }
    return this.done;
  }

  get done(): boolean {
    return this.filled >= this.length;
  }

  /** The window as filled so far (starting at the window's start; a gap at the front stays silent). */
  result(): Float32Array[] {
    return this.out.map((a) => (this.filled >= a.length ? a : a.slice(0, this.filled)));
  }
}

/** Clamps a requested window to a track; returns [startSec, durationSec]. */
export function clampWindow(startSec: number, durationSec: number, trackSec: number): [number, number] {
  const dur = Math.max(0, Math.min(Number.isFinite(durationSec) ? durationSec : trackSec, trackSec));
  let start = Number.isFinite(startSec) ? Math.max(0, startSec) : 0;
  if (start + dur > trackSec) start = Math.max(0, trackSec - dur);
  return [start, dur];
}

export function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const r = new Uint8Array(a.length + b.length);
  r.set(a, 0);
  r.set(b, a.length);
  return r;
}
