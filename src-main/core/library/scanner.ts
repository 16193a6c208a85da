import type { Database } from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { RateMeter, throttle, type Progress } from '../jobs/progress.ts';
import { LibraryStore, type KnownFile } from './library-store.ts';
import { NotAudioError, readTrackMetadata, type TrackMetadata } from './read-metadata.ts';
import { errorReason, walkAudioFiles, type FoundFile, type WalkStats } from './walk.ts';

export interface ScanOptions {
  /** Folders to add as roots before scanning. */
  addRoots?: string[];
  /** Scan only these roots (default: every root in the library). */
  onlyRoots?: string[];
  signal?: AbortSignal;
  onProgress?: (progress: ScanProgress) => void;
  /** A parser that takes longer than this on one file is given up on (default 20 s). */
  parseTimeoutMs?: number;
  /** Files parsed at once; parsing is mostly waiting on the disk (default 8). */
  concurrency?: number;
  now?: () => number;
}

export interface ScanProgress extends Progress {
  phase: 'listing' | 'reading' | 'finishing';
  found: number;
  parsed: number;
  failed: number;
  unchanged: number;
}

export interface ScanFailure {
  path: string;
  reason: string;
}

export interface ScanResult {
  indexed: number;
  unchanged: number;
  moved: number;
  removed: number;
  /** Every file under the scanned roots that could not be indexed, with its reason. */
  failed: ScanFailure[];
  unavailableRoots: string[];
  roots: string[];
  cancelled: boolean;
  durationMs: number;
  filesPerSecond: number;
}

const WRITE_BATCH = 200;

/** Scans the library's roots: new and changed files are read, moves followed, deletions removed. */
export async function scanLibrary(db: Database, options: ScanOptions = {}): Promise<ScanResult> {
  const store = new LibraryStore(db);
  const now = options.now ?? Date.now;
  const started = performance.now();
  for (const root of options.addRoots ?? []) store.addRoot(root, now());
  const wanted = options.onlyRoots?.map((r) => path.resolve(r).normalize('NFC'));
  const roots = store.roots().filter((r) => !wanted || wanted.includes(r.path));
  const result: ScanResult = {
    indexed: 0,
    unchanged: 0,
    moved: 0,
    removed: 0,
    failed: [],
    unavailableRoots: [],
    roots: roots.map((r) => r.path),
    cancelled: false,
    durationMs: 0,
    filesPerSecond: 0,
  };
  const counters = { found: 0, parsed: 0, failed: 0, unchanged: 0 };
  const meter = new RateMeter();
  let phase: ScanProgress['phase'] = 'listing';
  let total: number | null = null;
  const report = throttle<void>(() => {
    const done = counters.parsed + counters.failed + counters.unchanged;
    options.onProgress?.({ phase, ...counters, ...meter.measure(done, total) });
  }, 100);

  try {
    for (const root of roots) {
      if (!(await isDirectory(root.path))) {
        store.setRootAvailability(root.id, false, now());
        result.unavailableRoots.push(root.path);
        continue;
      }
      const known = store.knownFiles(root.id);
      const knownFailures = store.knownFailures(root.id);
      const walkStats: WalkStats = { directories: 0, skippedLoops: 0, unreadable: [] };
      const toRead: FoundFile[] = [];
      const seen = new Set<string>();
      phase = 'listing';
      for await (const file of walkAudioFiles(root.path, walkStats, options.signal)) {
        counters.found++;
        seen.add(file.path);
        const track = known.get(file.path);
        const failure = knownFailures.get(file.path);
        if (track && sameStat(track, file)) {
          if (!track.available) store.markAvailable(track.id);
          counters.unchanged++;
          result.unchanged++;
        } else if (!track && failure && failure.size === file.size && failure.mtimeMs === file.mtimeMs) {
          counters.unchanged++; // still the same broken file: its recorded reason stands
        } else {
          toRead.push(file);
        }
        report();
      }
      const missing = [...known.entries()].filter(([p]) => !seen.has(p));
      if (counters.found === 0 && known.size > 0) {
        // An empty root that had tracks is an unplugged drive or an empty mount point, not a mass deletion.
        store.setRootAvailability(root.id, false, now());
        result.unavailableRoots.push(root.path);
        continue;
      }
      result.moved += followMoves(store, missing, toRead, now());
      phase = 'reading';
      total = counters.unchanged + toRead.length;
      await readAndStore(store, root.id, toRead, options, now, counters, report);
      phase = 'finishing';
      db.transaction(() => {
        const gone = missing.filter(([p]) => !seen.has(p)).map(([, t]) => t.id);
        store.deleteTracks(gone);
        result.removed += gone.length;
        store.deleteFailures([...knownFailures.keys()].filter((p) => !seen.has(p)));
        for (const u of walkStats.unreadable) store.recordFailure(root.id, { path: u.path, pathBytes: null, size: 0, mtimeMs: 0 }, u.reason, now());
        store.setRootAvailability(root.id, true, now());
      })();
    }
  } catch (error) {
    if (!options.signal?.aborted) throw error;
    result.cancelled = true;
  }
  result.indexed = counters.parsed;
  const scanned = new Set(roots.map((r) => r.id));
  result.failed = db
    .prepare('SELECT path, reason, root_id FROM scan_failures ORDER BY path')
    .all()
    .filter((row) => scanned.has((row as { root_id: number }).root_id))
    .map((row) => ({ path: (row as ScanFailure).path, reason: (row as ScanFailure).reason }));
  result.durationMs = performance.now() - started;
  result.filesPerSecond = (counters.found * 1000) / Math.max(1, result.durationMs);
  phase = 'finishing';
  report(undefined, true);
  return result;
}

function sameStat(track: KnownFile, file: FoundFile): boolean {
  return track.size === file.size && track.mtimeMs === file.mtimeMs;
}

/** A file that disappeared from one path and appeared at another with the same inode and size has moved. */
function followMoves(store: LibraryStore, missing: [string, KnownFile][], toRead: FoundFile[], now: number): number {
  if (missing.length === 0 || toRead.length === 0) return 0;
  const byInode = new Map<string, [string, KnownFile]>();
  for (const entry of missing) if (entry[1].ino !== null) byInode.set(`${entry[1].dev}:${entry[1].ino}:${entry[1].size}`, entry);
  let moved = 0;
  store.db.transaction(() => {
    for (let i = toRead.length - 1; i >= 0; i--) {
      const file = toRead[i]!;
      const match = byInode.get(`${file.dev}:${file.ino}:${file.size}`);
      if (!match || match[1].mtimeMs !== file.mtimeMs) continue;
      store.moveTrack(match[1].id, file, now);
      byInode.delete(`${file.dev}:${file.ino}:${file.size}`);
      missing.splice(missing.indexOf(match), 1);
      toRead.splice(i, 1);
      moved++;
    }
  })();
  return moved;
}

async function readAndStore(
  store: LibraryStore,
  rootId: number,
  files: FoundFile[],
  options: ScanOptions,
  now: () => number,
  counters: { parsed: number; failed: number },
  report: () => void,
): Promise<void> {
  const timeoutMs = options.parseTimeoutMs ?? 20_000;
  const pending: ({ file: FoundFile; meta: TrackMetadata } | { file: FoundFile; reason: string } | null)[] = [];
  const flush = () => {
    if (pending.length === 0) return;
    const batch = pending.splice(0);
    store.db.transaction(() => {
      for (const item of batch) {
        if (!item) continue;
        if ('meta' in item) store.upsertTrack(rootId, item.file, item.meta, now());
        else store.recordFailure(rootId, item.file, item.reason, now());
      }
    })();
  };
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      options.signal?.throwIfAborted();
      const file = files[next++]!;
      const outcome = await readOne(file, timeoutMs, options.signal);
      if (outcome === 'vanished') {
        pending.push(null);
      } else if ('reason' in outcome) {
        counters.failed++;
        pending.push({ file, reason: outcome.reason });
      } else {
        counters.parsed++;
        pending.push({ file, meta: outcome.meta });
      }
      if (pending.length >= WRITE_BATCH) flush();
      report();
    }
  };
  const concurrency = Math.max(1, Math.min(options.concurrency ?? 8, files.length));
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    flush(); // whatever was read before a cancel or an error is kept
  }
}

async function readOne(
  file: FoundFile,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<{ meta: TrackMetadata } | { reason: string } | 'vanished'> {
  const controller = new AbortController();
  const onAbort = () => controller.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new ParserTimeoutError(`the metadata parser gave up after ${timeoutMs / 1000} s (file too slow to read or malformed)`));
    }, timeoutMs);
  });
  try {
    const meta = await Promise.race([readTrackMetadata(file.fsPath, controller.signal), timeout]);
    return { meta };
  } catch (error) {
    signal?.throwIfAborted();
    if ((error as { code?: string }).code === 'ENOENT') return 'vanished';
    return { reason: failureReason(error) };
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

class ParserTimeoutError extends Error {}

/** Turns a parser error into a reason a listener can act on. */
export function failureReason(error: unknown): string {
  if (error instanceof NotAudioError || error instanceof ParserTimeoutError) return error.message;
  const name = (error as { name?: string } | null)?.name ?? '';
  const message = error instanceof Error ? error.message : String(error);
  if (name === 'CouldNotDetermineFileTypeError') return 'not an audio file: its content matches no known audio format';
  if (name === 'UnsupportedFileTypeError') return `unsupported format: ${message.replace(/:.*$/, '')}`;
  if (/end-of-stream|EndOfStreamError/i.test(`${name} ${message}`)) return 'the file is truncated or damaged (it ends too early)';
  if ((error as { code?: string }).code) return errorReason(error);
  return `could not read the file's tags: ${message}`;
}

async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await fs.promises.stat(p)).isDirectory();
  } catch {
    return false;
  }
}
