import type { Database } from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeFixtureLibrary, type FixtureLibrary, type FixtureTrack } from '../../../test/fixtures/library/make-library.ts';
import { tempDir } from '../../../test/helpers/temp-dir.ts';
import { formatName } from './formats.ts';
import { startScanJob } from './scan-job.ts';
import { LibraryStore } from './library-store.ts';
import { scanChangedPaths, scanLibrary } from './scanner.ts';
import { LibraryWatcher } from './watcher.ts';
import { databaseOpener } from '../../../test/helpers/open-db.ts';

interface TrackRow {
  id: number;
  path: string;
  path_bytes: Buffer | null;
  container: string;
  codec: string;
  duration: number | null;
  sample_rate: number | null;
  channels: number | null;
  title: string | null;
  artist: string | null;
  album: string | null;
  album_artist: string | null;
  track_no: number | null;
  disc_no: number | null;
  year: number | null;
  genres: string;
  moods: string;
  tags: string;
  available: number;
}

const db = databaseOpener();

function tracks(d: Database): TrackRow[] {
  return d.prepare('SELECT * FROM tracks ORDER BY path').all() as TrackRow[];
}

function storedPath(lib: FixtureLibrary, t: FixtureTrack): string {
  return path.join(lib.root, t.relPathNfc ?? t.relPath).normalize('NFC');
}

const FORMAT_OF: Record<FixtureTrack['codec'], string> = {
  mp3: 'mp3', flac: 'flac', vorbis: 'ogg', opus: 'opus', aac: 'm4a', alac: 'alac', pcm: '', wmav2: 'wma',
};

describe('library scanner on the fixture library', () => {
  let lib: FixtureLibrary;
  let dataDir: string;
  let scanResult: Awaited<ReturnType<typeof scanLibrary>>;

  beforeAll(async () => {
    lib = await makeFixtureLibrary(path.join(tempDir(), 'music'));
    dataDir = path.join(tempDir(), 'data');
    // The real job: a worker thread with its own connection, progress streamed back.
    const progress: number[] = [];
    const job = startScanJob({ dataDir, addRoots: [lib.root], onProgress: (p) => progress.push(p.found) });
    scanResult = await job.result;
    expect(progress.length).toBeGreaterThan(0);
  });

  it('indexes every good file with the right tags and technical data', () => {
    const rows = tracks(db(dataDir));
    expect(rows).toHaveLength(lib.tracks.length);
    for (const t of lib.tracks) {
      const row = rows.find((r) => r.path === storedPath(lib, t));
      expect(row, `${t.id} indexed as ${storedPath(lib, t)}`).toBeDefined();
      if (!row) continue;
      const where = `${t.id} (${t.relPath})`;
      expect(row.title, where).toBe(t.title);
      expect(row.artist, where).toBe(t.artist);
      expect(row.album, where).toBe(t.album ?? null);
      expect(row.album_artist, where).toBe(t.albumArtist ?? null);
      expect(row.track_no, where).toBe(t.trackNo ?? null);
      expect(row.disc_no, where).toBe(t.discNo ?? null);
      expect(row.year, where).toBe(t.year ?? null);
      expect(JSON.parse(row.genres), `${where} genres`).toEqual(t.genres);
      expect(JSON.parse(row.moods), `${where} moods`).toEqual(t.moods);
      expect(JSON.parse(row.tags).style ?? [], `${where} styles`).toEqual(t.styles);
      const format = formatName(row.container, row.codec);
      if (t.codec === 'pcm') expect(format, where).toBe(t.container);
      else expect(format, where).toBe(FORMAT_OF[t.codec]);
      expect(row.duration, where).not.toBeNull();
      expect(Math.abs((row.duration ?? 0) - t.durationSec), `${where} duration ${row.duration}`).toBeLessThanOrEqual(0.1);
      if (t.container !== 'wma') {
        expect(row.sample_rate, where).toBe(t.sampleRate);
        expect(row.channels, where).toBe(t.channels);
      }
      expect(row.available, where).toBe(1);
    }
  });

  it('gives new tracks their ids in path order, whatever order the folders listed them or the reads finished', () => {
    const byId = (db(dataDir).prepare('SELECT path FROM tracks ORDER BY id').all() as { path: string }[]).map((r) => r.path);
    expect(byId.length).toBeGreaterThan(5);
    expect(byId).toEqual([...byId].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  });

  it('decides the format by content: an Ogg file named .mp3 is an Ogg track', () => {
    const misnamed = lib.tracks.find((t) => t.relPath.endsWith('.mp3') && t.container === 'ogg');
    expect(misnamed).toBeDefined();
    const row = tracks(db(dataDir)).find((r) => r.path === storedPath(lib, misnamed!));
    expect(row?.container).toMatch(/ogg/i);
    expect(row?.codec).toMatch(/vorbis/i);
  });

  it('stores NFC paths, with the raw bytes where the on-disk name differs', () => {
    const rows = tracks(db(dataDir));
    for (const row of rows) expect(row.path).toBe(row.path.normalize('NFC'));
    const latin1 = lib.tracks.find((t) => t.relPathBytes);
    const latin1Row = rows.find((r) => r.path === storedPath(lib, latin1!));
    expect(latin1Row?.path_bytes).toEqual(Buffer.concat([Buffer.from(lib.root + path.sep), latin1!.relPathBytes!]));
    const nfd = lib.tracks.find((t) => t.relPathNfc);
    const nfdRow = rows.find((r) => r.path === storedPath(lib, nfd!));
    expect(nfdRow?.path_bytes?.toString('utf8')).toBe(path.join(lib.root, nfd!.relPath));
    expect(rows.filter((r) => r.path_bytes === null).length).toBe(rows.length - 2);
  });

  it('records every bad file with a clear reason and keeps the skipped files out', () => {
    const failures = db(dataDir).prepare('SELECT path, reason FROM scan_failures').all() as { path: string; reason: string }[];
    expect(failures.map((f) => f.path).sort()).toEqual(lib.bad.map((b) => path.join(lib.root, b.relPath)).sort());
    for (const f of failures) expect(f.reason).toMatch(/empty file|not an audio file|truncated|damaged|unsupported|no audio/);
    expect(failures.find((f) => f.path.endsWith('.m4a'))?.reason).toMatch(/image\/png|not an audio/);
    expect(scanResult.failed).toHaveLength(lib.bad.length);
    const everything = new Set([...tracks(db(dataDir)).map((r) => r.path), ...failures.map((f) => f.path)]);
    for (const ignored of lib.ignored) expect(everything.has(path.join(lib.root, ignored))).toBe(false);
    // The symlink loop is walked once: the track beside it is indexed once.
    expect(tracks(db(dataDir)).filter((r) => r.path.includes(`${path.sep}loops${path.sep}`))).toHaveLength(
      lib.tracks.filter((t) => t.relPath.startsWith('loops/')).length,
    );
    expect(tracks(db(dataDir)).some((r) => r.path.startsWith(path.join(lib.root, lib.deepDir)))).toBe(true);
  });

  it('reports counts in the result', () => {
    expect(scanResult).toMatchObject({ indexed: lib.tracks.length, unchanged: 0, removed: 0, cancelled: false });
  });
});

describe('rescans', () => {
  it('re-read only changed files, follow moves, remove deletions, and keep tracks of a missing root', async () => {
    const lib = await makeFixtureLibrary(path.join(tempDir(), 'music'));
    const d = db(path.join(tempDir(), 'data'));
    const first = await scanLibrary(d, { addRoots: [lib.root] });
    expect(first.indexed).toBe(lib.tracks.length);

    const unchanged = await scanLibrary(d);
    expect(unchanged).toMatchObject({ indexed: 0, unchanged: lib.tracks.length, removed: 0, moved: 0 });
    expect(unchanged.failed).toHaveLength(lib.bad.length); // still reported, not re-read

    const [touched, deleted, moved] = lib.tracks.filter((t) => !t.relPathBytes && !t.relPathNfc && !t.relPath.startsWith('loops/'));
    const touchedPath = path.join(lib.root, touched!.relPath);
    const future = new Date(Date.now() + 60_000);
    fs.utimesSync(touchedPath, future, future);
    fs.rmSync(path.join(lib.root, deleted!.relPath));
    const movedFrom = path.join(lib.root, moved!.relPath);
    const movedTo = path.join(lib.root, 'Moved Here', path.basename(moved!.relPath));
    const idBefore = (d.prepare('SELECT id FROM tracks WHERE path = ?').get(movedFrom) as { id: number }).id;
    fs.mkdirSync(path.dirname(movedTo), { recursive: true });
    fs.renameSync(movedFrom, movedTo);

    const second = await scanLibrary(d);
    expect(second).toMatchObject({ indexed: 1, moved: 1, removed: 1, unchanged: lib.tracks.length - 3 });
    expect(d.prepare('SELECT id FROM tracks WHERE path = ?').get(movedTo)).toEqual({ id: idBefore });
    expect(d.prepare('SELECT COUNT(*) AS n FROM tracks').get()).toEqual({ n: lib.tracks.length - 1 });

    // An unplugged drive: the root vanishes; nothing is deleted, everything is unavailable.
    const unplugged = `${lib.root}-unplugged`;
    fs.renameSync(lib.root, unplugged);
    const third = await scanLibrary(d);
    expect(third.unavailableRoots).toEqual([lib.root]);
    expect(third.removed).toBe(0);
    expect(d.prepare('SELECT COUNT(*) AS n, SUM(available) AS a FROM tracks').get()).toEqual({ n: lib.tracks.length - 1, a: 0 });

    fs.renameSync(unplugged, lib.root);
    const fourth = await scanLibrary(d);
    expect(fourth).toMatchObject({ indexed: 0, removed: 0, unavailableRoots: [] });
    expect(d.prepare('SELECT SUM(available) AS a FROM tracks').get()).toEqual({ a: lib.tracks.length - 1 });

    // An empty mount point where the drive was is also "unavailable", not a mass deletion.
    fs.renameSync(lib.root, unplugged);
    fs.mkdirSync(lib.root);
    const fifth = await scanLibrary(d);
    expect(fifth.unavailableRoots).toEqual([lib.root]);
    expect(d.prepare('SELECT COUNT(*) AS n FROM tracks').get()).toEqual({ n: lib.tracks.length - 1 });
  });

  it('a cancelled scan keeps what it read and the next scan completes the rest', async () => {
    const lib = await makeFixtureLibrary(path.join(tempDir(), 'music'));
    const dataDir = path.join(tempDir(), 'data');
    const controller = new AbortController();
    const d = db(dataDir);
    const partial = await scanLibrary(d, {
      addRoots: [lib.root],
      concurrency: 1,
      progressIntervalMs: 0,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.parsed >= 3) controller.abort();
      },
    });
    expect(partial.cancelled).toBe(true);
    const kept = (d.prepare('SELECT COUNT(*) AS n FROM tracks').get() as { n: number }).n;
    expect(kept).toBeGreaterThanOrEqual(3);
    expect(kept).toBeLessThan(lib.tracks.length);
    expect(d.pragma('integrity_check', { simple: true })).toBe('ok');
    const rest = await scanLibrary(d);
    expect(rest.cancelled).toBe(false);
    expect(rest.indexed + rest.unchanged).toBe(lib.tracks.length);
    expect(d.prepare('SELECT COUNT(*) AS n FROM tracks').get()).toEqual({ n: lib.tracks.length });
  });

  it('gives up on a file whose parser takes too long, records why, and retries it next time', async () => {
    const lib = await makeFixtureLibrary(path.join(tempDir(), 'music'));
    const d = db(path.join(tempDir(), 'data'));
    const hurried = await scanLibrary(d, { addRoots: [lib.root], parseTimeoutMs: 0.001 });
    const timedOut = hurried.failed.filter((f) => /gave up after/.test(f.reason));
    expect(timedOut.length).toBeGreaterThan(0);
    const patient = await scanLibrary(d);
    expect(patient.failed.filter((f) => /gave up after/.test(f.reason))).toHaveLength(0);
    expect(d.prepare('SELECT COUNT(*) AS n FROM tracks').get()).toEqual({ n: lib.tracks.length });
  });

  it('files that vanish between listing and reading are neither tracks nor failures, and the scan goes on', async () => {
    const lib = await makeFixtureLibrary(path.join(tempDir(), 'music'));
    const flacs = lib.tracks.filter((t) => t.container === 'flac' && !t.relPathNfc && !t.relPath.startsWith('loops/'));
    const dir = path.join(tempDir(), 'vanishing');
    fs.mkdirSync(dir);
    for (let i = 0; i < 6; i++) fs.copyFileSync(path.join(lib.root, flacs[i % flacs.length]!.relPath), path.join(dir, `${i}.flac`));
    fs.copyFileSync(path.join(lib.root, flacs[0]!.relPath), path.join(dir, 'keep.flac')); // the folder never empties
    const d = db(path.join(tempDir(), 'data'));
    let deleted = false;
    const result = await scanLibrary(d, {
      addRoots: [dir],
      concurrency: 1,
      progressIntervalMs: 0,
      onProgress: (p) => {
        // Every file is listed by now; remove the ones not read yet.
        if (p.phase === 'reading' && p.parsed === 1 && !deleted) {
          deleted = true;
          const stored = new Set((d.prepare('SELECT path FROM tracks').all() as { path: string }[]).map((r) => r.path));
          for (const f of fs.readdirSync(dir)) if (f !== 'keep.flac' && !stored.has(path.join(dir, f))) fs.rmSync(path.join(dir, f));
        }
      },
    });
    expect(deleted).toBe(true);
    expect(result.failed).toEqual([]);
    expect(result.cancelled).toBe(false);
    // The one read before the deletions may be kept (its file was deleted after reading); the rest are not tracks.
    expect(result.indexed).toBeLessThanOrEqual(2);
    expect(fs.readdirSync(dir)).toEqual(['keep.flac']);
    const rescan = await scanLibrary(d);
    expect(rescan.failed).toEqual([]);
    expect((d.prepare('SELECT path FROM tracks').all() as { path: string }[]).map((r) => path.basename(r.path))).toEqual(['keep.flac']);
  });

  it('the watcher picks up new, changed and deleted files without a full rescan', async () => {
    const lib = await makeFixtureLibrary(path.join(tempDir(), 'music'));
    const d = db(path.join(tempDir(), 'data'));
    await scanLibrary(d, { addRoots: [lib.root] });
    const results: { indexed: number; removed: number; unchanged: number }[] = [];
    const roots = new LibraryStore(d).roots();
    const watcher = new LibraryWatcher(roots, (paths) => scanChangedPaths(d, paths), { debounceMs: 150, onScanned: (r) => results.push(r) });
    watcher.start();
    try {
      const source = lib.tracks.find((t) => t.container === 'flac' && !t.relPathNfc)!;
      const copy = path.join(lib.root, 'New Album', 'copy.flac');
      fs.mkdirSync(path.dirname(copy));
      fs.copyFileSync(path.join(lib.root, source.relPath), copy);
      await waitFor(() => d.prepare('SELECT 1 FROM tracks WHERE path = ?').get(copy) !== undefined);
      expect(results.at(-1)?.unchanged).toBeLessThan(lib.tracks.length); // not a full rescan
      fs.rmSync(copy);
      await waitFor(() => d.prepare('SELECT 1 FROM tracks WHERE path = ?').get(copy) === undefined);
      expect(d.prepare('SELECT COUNT(*) AS n FROM tracks').get()).toEqual({ n: lib.tracks.length });
    } finally {
      await watcher.close();
    }
  });
});

describe('the scan worker', () => {
  it('reconciles only the changed paths it is given', async () => {
    const lib = await makeFixtureLibrary(path.join(tempDir(), 'music'));
    const dataDir = path.join(tempDir(), 'data');
    await startScanJob({ dataDir, addRoots: [lib.root] }).result;
    const source = lib.tracks.find((t) => t.container === 'opus')!;
    const copy = path.join(lib.root, 'Incoming', 'new.opus');
    fs.mkdirSync(path.dirname(copy));
    fs.copyFileSync(path.join(lib.root, source.relPath), copy);
    const result = await startScanJob({ dataDir, changedPaths: [path.dirname(copy)] }).result;
    expect(result).toMatchObject({ indexed: 1, unchanged: 0, removed: 0 });
    expect(result.roots).toEqual([lib.root]);
    expect(db(dataDir).prepare('SELECT COUNT(*) AS n FROM tracks').get()).toEqual({ n: lib.tracks.length + 1 });
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
