import fs from 'node:fs';
import path from 'node:path';
import type { ScanResult } from './scanner.ts';

export interface WatcherOptions {
  /** Quiet time after the last change before the changed paths are scanned (default 1 s). */
  debounceMs?: number;
  onScanned?: (result: ScanResult) => void;
  onError?: (error: unknown) => void;
}

/**
 * Watches the library's roots while the app runs and re-reads only what changed, debounced, so a
 * copy of an album becomes one small scan rather than a full rescan per file.
 */
export class LibraryWatcher {
  private readonly watchers: fs.FSWatcher[] = [];
  private readonly pending = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private closed = false;

  /**
   * @param roots the library's available roots
   * @param scanPaths reconciles a batch of changed paths: in-thread (`scanChangedPaths`) or, in the app,
   *   a scan job in a worker
   */
  constructor(
    private readonly roots: { path: string }[],
    private readonly scanPaths: (paths: string[]) => Promise<ScanResult>,
    private readonly options: WatcherOptions = {},
  ) {}

  start(): void {
    for (const root of this.roots) {
      try {
        const watcher = fs.watch(root.path, { recursive: true }, (_event, name) => {
          if (name) this.enqueue(path.join(root.path, name.toString()));
        });
        watcher.on('error', (error) => this.options.onError?.(error));
        this.watchers.push(watcher);
      } catch (error) {
        this.options.onError?.(error);
      }
    }
  }

  private enqueue(changed: string): void {
    if (this.closed) return;
    this.pending.add(changed);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), this.options.debounceMs ?? 1000);
  }

  private flush(): void {
    const batch = collapseToAncestors([...this.pending]);
    this.pending.clear();
    this.running = this.running.then(async () => {
      if (this.closed) return;
      try {
        // Not `onScanned?.(await scanPaths())`: optional chaining would skip the scan itself without a listener.
        const result = await this.scanPaths(batch);
        this.options.onScanned?.(result);
      } catch (error) {
        this.options.onError?.(error);
      }
    });
  }

  /** Resolves when every change seen so far has been scanned. */
  async idle(): Promise<void> {
    await this.running;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    for (const watcher of this.watchers.splice(0)) watcher.close();
    await this.running;
  }
}

/** Drops paths inside other changed paths: scanning a folder covers what is under it. */
export function collapseToAncestors(paths: string[]): string[] {
  const sorted = [...new Set(paths)].sort();
  const out: string[] = [];
  for (const p of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && p.startsWith(last + path.sep)) continue;
    out.push(p);
  }
  return out;
}
