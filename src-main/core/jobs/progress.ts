import type { Progress } from '../../api/types.ts';

export type { Progress };

export class RateMeter {
  private readonly startedAt: number;

  constructor(private readonly now: () => number = () => performance.now()) {
    this.startedAt = now();
  }

  measure(done: number, total: number | null): Progress {
    const elapsedMs = Math.max(1, this.now() - this.startedAt);
    const rate = (done * 1000) / elapsedMs;
    const left = total === null ? null : Math.max(0, total - done);
    return { done, total, rate, etaSec: left === null || rate <= 0 ? null : left / rate, elapsedMs };
  }
}

/** Calls `fn` at most once per `intervalMs`, plus whenever `force` is set. */
export function throttle<T>(fn: (value: T) => void, intervalMs: number): (value: T, force?: boolean) => void {
  let last = -Infinity;
  return (value, force = false) => {
    const now = performance.now();
    if (force || now - last >= intervalMs) {
      last = now;
      fn(value);
    }
  };
}
