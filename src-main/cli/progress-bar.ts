import type { Progress } from '../core/jobs/progress.ts';

/** A one-line progress bar on stderr, drawn only on a terminal. */
export class ProgressBar {
  private lastLength = 0;

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly enabled = Boolean(process.stderr.isTTY),
  ) {}

  update(label: string, progress: Progress, detail = ''): void {
    if (!this.enabled) return;
    const width = 24;
    const fraction = progress.total ? Math.min(1, progress.done / progress.total) : 0;
    const filled = Math.round(fraction * width);
    const bar = progress.total ? `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]` : '[…]';
    const count = progress.total ? `${progress.done}/${progress.total}` : `${progress.done}`;
    const eta = progress.etaSec === null ? '' : ` ETA ${formatDuration(progress.etaSec)}`;
    const line = `${label} ${bar} ${count} ${progress.rate.toFixed(1)}/s${eta}${detail ? ` ${detail}` : ''}`;
    this.stream.write(`\r${line}${' '.repeat(Math.max(0, this.lastLength - line.length))}`);
    this.lastLength = line.length;
  }

  done(): void {
    if (this.enabled && this.lastLength > 0) this.stream.write('\n');
    this.lastLength = 0;
  }
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
