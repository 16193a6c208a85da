import type { Database } from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import type { ScanFailure, ScanProgress, ScanResult } from '../../api/types.ts';
import { RateMeter, throttle } from '../jobs/progress.ts';
import { LibraryStore, type KnownFile } from './library-store.ts';
import { NotAudioError, readTrackMetadata, type TrackMetadata } from './read-metadata.ts';
import { isAudioCandidate } from './formats.ts';
import { describePath, errorReason, walkAudioFiles, type FoundFile, type WalkStats } from './walk.ts';

export interface ScanOptions {
  /** Folders to add as roots before scanning. */
  addRoots?: string[];
  /** Scan only these roots (default: every root in the library). */
  onlyRoots?: string[];
  signal?: AbortSignal;
  onProgress?: (progress: ScanProgress) => void;
  /** At most one progress report per this many milliseconds (default 100). */
  progressIntervalMs?: number;
  /** A parser that takes longer than this on one file is given up on (default 20 s). */
  parseTimeoutMs?: number;
  /** Files parsed at once; parsing is mostly waiting on the disk (default 8). */
  concurrency?: number;
  now?: () => number;
}

export type { ScanFailure, ScanProgress, ScanResult };

const WRITE_BATCH = 200;

/** Scans the library's roots: new and changed files are read, moves followed, deletions removed. */
export async function scanLibrary(db: Database, options: ScanOptions = {}): Promise<ScanResult> {
  const store = new LibraryStore(db);
  const now = options.now ?? Date.now;
  for (const root of options.addRoots ?? []) store.addRoot(root, now());
  const wanted = options.onlyRoots?.map((r) => path.resolve(r).normalize('NFC'));
  const roots = store.roots().filter((r) => !wanted || wanted.includes(r.path));
  const run = new ScanRun(store, options, roots.map((r) => r.path));
  try {
    for (const root of roots) {
      if (!(await isDirectory(root.path))) {
        store.setRootAvailability(root.id, false, now());
        run.result.unavailableRoots.push(root.path);
        continue;
      }
      const known = store.knownFiles(root.id);
      const walkStats: WalkStats = { directories: 0, skippedLoops: 0, unreadable: [] };
      const found: FoundFile[] = [];
      run.phase = 'listing';
      for await (const file of walkAudioFiles(root.path, walkStats, options.signal)) {
        found.push(file);
        run.counters.found++;
        run.report();
      }
      if (found.length === 0 && known.size > 0) {
        // An empty root that had tracks is an unplugged drive or an empty mount point, not a mass deletion.
        store.setRootAvailability(root.id, false, now());
        run.result.unavailableRoots.push(root.path);
        continue;
      }
      await run.reconcile(root.id, found, known, store.knownFailures(root.id));
      db.transaction(() => {
        for (const u of walkStats.unreadable) {
          store.recordFailure(root.id, { path: u.path, pathBytes: null, size: 0, mtimeMs: 0 }, u.reason, now());
        }
        store.setRootAvailability(root.id, true, now());
      })();
    }
  } catch (error) {
    if (!options.signal?.aborted) throw error;
    run.result.cancelled = true;
  }
  return run.finish(roots.map((r) => r.id));
}

/**
 * Brings the library up to date for a few changed paths (files or folders, as a file watcher reports
 * them) without walking the whole root.
 */
export async function scanChangedPaths(db: Database, changed: string[], options: ScanOptions = {}): Promise<ScanResult> {
  const store = new LibraryStore(db);
  const roots = store.roots();
  const run = new ScanRun(store, options, []);
  const touchedRoots = new Set<number>();
  try {
    // All changes under one root are reconciled together, so a folder renamed from A to B is a move.
    const byRoot = new Map<number, string[]>();
    for (const raw of new Set(changed.map((c) => path.resolve(c)))) {
      const root = roots.find((r) => raw === r.path || raw.startsWith(r.path + path.sep));
      if (root) byRoot.set(root.id, [...(byRoot.get(root.id) ?? []), raw]);
    }
    for (const [rootId, targets] of byRoot) {
      touchedRoots.add(rootId);
      const inScope = (p: string) => targets.some((t) => p === t.normalize('NFC') || p.startsWith(t.normalize('NFC') + path.sep));
      const known = new Map([...store.knownFiles(rootId)].filter(([p]) => inScope(p)));
      const failures = new Map([...store.knownFailures(rootId)].filter(([p]) => inScope(p)));
      const found = new Map<string, FoundFile>();
      for (const target of targets) {
        const st = await fs.promises.stat(target).catch(() => null);
        if (st?.isDirectory()) {
          const stats: WalkStats = { directories: 0, skippedLoops: 0, unreadable: [] };
          for await (const file of walkAudioFiles(target, stats, options.signal)) found.set(file.path, file);
        } else if (st?.isFile() && isAudioCandidate(path.basename(target))) {
          const described = describePath(Buffer.from(target));
          found.set(described.path, { fsPath: target, ...described, size: st.size, mtimeMs: Math.trunc(st.mtimeMs), dev: st.dev, ino: st.ino });
        }
      }
      run.counters.found += found.size;
      await run.reconcile(rootId, [...found.values()], known, failures);
    }
  } catch (error) {
    if (!options.signal?.aborted) throw error;
    run.result.cancelled = true;
  }
  run.result.roots = roots.filter((r) => touchedRoots.has(r.id)).map((r) => r.path);
  return run.finish([...touchedRoots]);
}

/** The state of one scan: counters, progress reporting, and the reconcile step shared by both entry points. */
class ScanRun {
  readonly counters = { found: 0, parsed: 0, failed: 0, unchanged: 0 };
  readonly result: ScanResult;
  phase: ScanProgress['phase'] = 'listing';
  private total: number | null = null;
  private readonly meter = new RateMeter();
  private readonly started = performance.now();
  private readonly now: () => number;
  readonly report: (value?: void, force?: boolean) => void;

  constructor(
    private readonly store: LibraryStore,
    private readonly options: ScanOptions,
    roots: string[],
  ) {
    this.now = options.now ?? Date.now;
    this.result = { indexed: 0, unchanged: 0, moved: 0, removed: 0, failed: [], unavailableRoots: [], roots, cancelled: false, durationMs: 0, filesPerSecond: 0 };
    this.report = throttle<void>(() => {
      const done = this.counters.parsed + this.counters.failed + this.counters.unchanged;
      options.onProgress?.({ phase: this.phase, ...this.counters, ...this.meter.measure(done, this.total) });
    }, options.progressIntervalMs ?? 100);
  }

  /**
   * Compares what is on disk (`found`) with what the library knows for the same scope, then reads new
   * and changed files, follows moves and removes what is gone. Deletions happen only after every
   * file was read, so an interrupted scan never loses indexed tracks.
   */
  async reconcile(
    rootId: number,
    found: FoundFile[],
    known: Map<string, KnownFile>,
    knownFailures: Map<string, { size: number | null; mtimeMs: number | null }>,
  ): Promise<void> {
    const seen = new Set<string>();
    const toRead: FoundFile[] = [];
    for (const file of found) {
      seen.add(file.path);
      const track = known.get(file.path);
      const failure = knownFailures.get(file.path);
      if (track && sameStat(track, file)) {
        if (!track.available) this.store.markAvailable(track.id);
        this.counters.unchanged++;
        this.result.unchanged++;
      } else if (!track && failure && failure.size === file.size && failure.mtimeMs === file.mtimeMs) {
        this.counters.unchanged++; // still the same broken file: its recorded reason stands
      } else {
        toRead.push(file);
      }
    }
    const missing = [...known.entries()].filter(([p]) => !seen.has(p));
    const moved = followMoves(this.store, missing, toRead, this.now());
    this.result.moved += moved;
    this.counters.unchanged += moved; // a moved file is not read again
    this.phase = 'reading';
    this.total = (this.total ?? 0) + found.length;
    // In path order, whatever order the folders listed them in: new tracks get their ids in that order, so
    // the same files give the same library (and a seeded training the same model) on every machine.
    toRead.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    await readAndStore(this.store, rootId, toRead, this.options, this.now, this.counters, this.report);
    this.phase = 'finishing';
    this.store.db.transaction(() => {
      const gone = missing.map(([, t]) => t.id);
      this.store.deleteTracks(gone);
      this.result.removed += gone.length;
      this.store.deleteFailures([...knownFailures.keys()].filter((p) => !seen.has(p)));
    })();
  }

  finish(rootIds: number[]): ScanResult {
    const scanned = new Set(rootIds);
    this.result.indexed = this.counters.parsed;
    this.result.failed = this.store
      .failuresWithRoot()
      .filter((row) => scanned.has(row.rootId))
      .map(({ path: p, reason }) => ({ path: p, reason }));
    this.result.durationMs = performance.now() - this.started;
    this.result.filesPerSecond = (this.counters.found * 1000) / Math.max(1, this.result.durationMs);
    this.phase = 'finishing';
    this.report(undefined, true);
    return this.result;
  }
}

function sameStat(track: KnownFile, file: FoundFile): boolean {
  return track.size === file.size && track.mtimeMs === file.mtimeMs && !track.tagsOutdated;
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
  type Failed = { file: Omit<FoundFile, 'size' | 'mtimeMs'> & { size: number | null; mtimeMs: number | null }; reason: string };
  type Outcome = { file: FoundFile; meta: TrackMetadata } | Failed | null;
  // Outcomes arrive in the order the reads finish; they are written in the files' order (the completed
  // prefix), so ids do not depend on which read finished first.
  const arrived = new Map<number, Outcome>();
  let written = 0;
  const pending: Outcome[] = [];
  const settle = (at: number, outcome: Outcome) => {
    arrived.set(at, outcome);
    while (arrived.has(written)) {
      pending.push(arrived.get(written)!);
      arrived.delete(written++);
    }
  };
  const flush = (all = false) => {
    if (all) {
      // A cancel or an error: what was read is kept, in the files' order.
      for (const at of [...arrived.keys()].sort((a, b) => a - b)) pending.push(arrived.get(at)!);
      arrived.clear();
    }
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
      const at = next++;
      const file = files[at]!;
      const outcome = await readOne(file, timeoutMs, options.signal);
      if (outcome === 'vanished') {
        settle(at, null);
      } else if ('reason' in outcome) {
        counters.failed++;
        // A timeout may pass next time (a slow disk): no stat is kept, so the next scan reads the file again.
        settle(at, { file: outcome.retry ? { ...file, size: null, mtimeMs: null } : file, reason: outcome.reason });
      } else {
        counters.parsed++;
        settle(at, { file, meta: outcome.meta });
      }
      if (pending.length >= WRITE_BATCH) flush();
      report();
    }
  };
  const concurrency = Math.max(1, Math.min(options.concurrency ?? 8, files.length));
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    flush(true); // whatever was read before a cancel or an error is kept
  }
}

async function readOne(
  file: FoundFile,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<{ meta: TrackMetadata } | { reason: string; retry: boolean } | 'vanished'> {
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
    return { reason: failureReason(error), retry: error instanceof ParserTimeoutError };
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
  if (/exceeds remaining file size|truncated/i.test(message)) return `the file is truncated or damaged (${message})`;
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
