/**
 * Keeps the cover cache (covers/ in the data folder) to what the library still has: a cached picture
 * is named by its track's id, size and mtime (cover-art.ts), so a track whose file changed leaves the old
 * picture and its thumbnails behind, and a removed track leaves all of its own. This removes those, and
 * thumbnails of another size, and temporary files a killed write left. It streams the folder and asks
 * the database in batches, handing the thread back between them, so it costs no pause at 100,000 covers.
 */
import type { Database } from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { COVERS_DIR } from './cover-art.ts';
import { THUMB_SIZE } from './thumbnail-messages.ts';

/** A temporary file older than this is a killed write's, not one being written. */
const TMP_MAX_AGE_MS = 10 * 60 * 1000;
const BATCH = 256;
const ENTRY = /^(\d+)-(\d+)-(\d+)(?:\.t(\d+))?$/;

export interface CoverPruneResult {
  kept: number;
  removed: number;
  /** Stopped by the signal before the whole folder was read. */
  stopped: boolean;
}

interface Entry {
  name: string;
  trackId: number;
  size: number;
  mtimeMs: number;
  thumbSize: number | null;
}

export async function pruneCoverCache(
  db: Database,
  dataDir: string,
  { signal, now = Date.now() }: { signal?: AbortSignal; now?: number } = {},
): Promise<CoverPruneResult> {
  const dir = path.join(dataDir, COVERS_DIR);
  const result: CoverPruneResult = { kept: 0, removed: 0, stopped: false };
  let listing: fs.Dir;
  try {
    listing = await fs.promises.opendir(dir, { bufferSize: BATCH });
  } catch {
    return result; // no cache yet
  }
  const remove = async (name: string) => {
    try {
      await fs.promises.unlink(path.join(dir, name));
      result.removed++;
    } catch {
      // gone already, or not ours to remove: the next prune tries again
    }
  };
  let batch: Entry[] = [];
  const settle = async () => {
    const stale = staleEntries(db, batch);
    for (const entry of batch) if (!stale.has(entry)) result.kept++;
    for (const entry of stale) await remove(entry.name);
    batch = [];
    await new Promise((resolve) => setImmediate(resolve));
  };
  try {
    for await (const dirent of listing) {
      if (signal?.aborted) {
        result.stopped = true;
        break;
      }
      if (!dirent.isFile()) continue;
      const name = dirent.name;
      if (name.endsWith('.tmp')) {
        const stat = await fs.promises.stat(path.join(dir, name)).catch(() => null);
        if (stat && now - stat.mtimeMs > TMP_MAX_AGE_MS) await remove(name);
        continue;
      }
      const m = ENTRY.exec(name);
      if (!m) continue; // not a name the cache writes: left alone
      batch.push({
        name,
        trackId: Number(m[1]),
        size: Number(m[2]),
        mtimeMs: Number(m[3]),
        thumbSize: m[4] === undefined ? null : Number(m[4]),
      });
      if (batch.length === BATCH) await settle();
    }
    if (batch.length && !result.stopped) await settle();
  } finally {
    // A loop left early (the signal, an error) leaves the directory open: close it.
    await listing.close().catch(() => {});
  }
  return result;
}

/** The entries of the batch whose track is gone or whose file has changed since, and thumbnails of another size. */
function staleEntries(db: Database, batch: readonly Entry[]): Set<Entry> {
  const ids = [...new Set(batch.map((e) => e.trackId))];
  const rows = db
    .prepare(`SELECT id, size, mtime_ms AS mtimeMs FROM tracks WHERE id IN (${ids.map(() => '?').join(', ')})`)
    .all(...ids) as { id: number; size: number; mtimeMs: number }[];
  const byId = new Map(rows.map((r) => [r.id, r]));
  const stale = new Set<Entry>();
  for (const entry of batch) {
    const track = byId.get(entry.trackId);
    const current = track !== undefined && track.size === entry.size && track.mtimeMs === entry.mtimeMs;
    if (!current || (entry.thumbSize !== null && entry.thumbSize !== THUMB_SIZE)) stale.add(entry);
  }
  return stale;
}

/**
 * The app's upkeep of the cover cache: a prune in the background after each scan (and once a while
 * after start), one at a time; asked again while one runs, it runs once more after it. Close stops it
 * at its next entry and waits. A failure only leaves entries for the next prune.
 */
export class CoverCachePruner {
  private running: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly stop = new AbortController();
  /** The last prune's result (for the tests and the log). */
  last: CoverPruneResult | null = null;

  constructor(
    private readonly db: () => Database,
    private readonly dataDir: string,
  ) {}

  /** Prunes now (or after `delayMs`, a timer that does not hold the process open). */
  request(delayMs = 0): void {
    if (this.stop.signal.aborted) return;
    if (delayMs > 0) {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.request(), delayMs).unref();
      return;
    }
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          this.last = await pruneCoverCache(this.db(), this.dataDir, { signal: this.stop.signal });
        } catch {
          // the database closed under it, or the folder went: the next prune tries again
        }
      } while (this.again && !this.stop.signal.aborted);
    })().finally(() => (this.running = null));
  }

  /** Resolves when no prune runs. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  async close(): Promise<void> {
    this.stop.abort();
    clearTimeout(this.timer);
    await this.idle();
  }
}
