import type { Database } from 'better-sqlite3';
import type { LibraryRoot } from '../../api/types.ts';
import path from 'node:path';
import type { TrackMetadata } from './read-metadata.ts';
import type { FoundFile } from './walk.ts';
import { saveGainTags } from '../loudness/loudness-store.ts';

export type { LibraryRoot };

/** The stat fields a rescan compares, keyed by path. */
export interface KnownFile {
  id: number;
  size: number;
  mtimeMs: number;
  dev: number | null;
  ino: number | null;
  available: boolean;
  /** Indexed before the gain tags were read (migration 0007): read once more although unchanged. */
  tagsOutdated: boolean;
}

interface RootRow {
  id: number;
  path: string;
  available: number;
  last_scan_at: number | null;
}

export class RootOverlapError extends Error {}

/** Roots, tracks and failures: every SQL statement of the library lives here. */
export class LibraryStore {
  constructor(readonly db: Database) {}

  roots(): LibraryRoot[] {
    const rows = this.db.prepare('SELECT id, path, available, last_scan_at FROM library_roots ORDER BY path').all() as RootRow[];
    return rows.map((r) => ({ id: r.id, path: r.path, available: r.available === 1, lastScanAt: r.last_scan_at }));
  }

  /**
   * Adds a root (absolute, NFC). A folder inside an existing root is already covered; a folder that
   * contains existing roots absorbs them, keeping their tracks.
   */
  addRoot(rootPath: string, now = Date.now()): LibraryRoot {
    const normalised = path.resolve(rootPath).normalize('NFC');
    const existing = this.roots();
    const same = existing.find((r) => r.path === normalised);
    if (same) return same;
    const parent = existing.find((r) => isInside(normalised, r.path));
    if (parent) throw new RootOverlapError(`${normalised} is already inside the library folder ${parent.path}`);
    return this.db.transaction(() => {
      const id = Number(this.db.prepare('INSERT INTO library_roots (path, added_at) VALUES (?, ?)').run(normalised, now).lastInsertRowid);
      for (const child of existing.filter((r) => isInside(r.path, normalised))) {
        this.db.prepare('UPDATE tracks SET root_id = ? WHERE root_id = ?').run(id, child.id);
        this.db.prepare('UPDATE scan_failures SET root_id = ? WHERE root_id = ?').run(id, child.id);
        this.db.prepare('DELETE FROM library_roots WHERE id = ?').run(child.id);
      }
      return { id, path: normalised, available: true, lastScanAt: null };
    })();
  }

  /** Forgets a root and everything indexed under it (the files on disk are untouched). */
  removeRoot(rootPath: string): boolean {
    const normalised = path.resolve(rootPath).normalize('NFC');
    return this.db.prepare('DELETE FROM library_roots WHERE path = ?').run(normalised).changes > 0;
  }

  knownFiles(rootId: number): Map<string, KnownFile> {
    const rows = this.db
      .prepare('SELECT id, path, size, mtime_ms, dev, ino, available, gain_tags_read FROM tracks WHERE root_id = ?')
      .all(rootId) as { id: number; path: string; size: number; mtime_ms: number; dev: number | null; ino: number | null; available: number; gain_tags_read: number }[];
    return new Map(
      rows.map((r) => [
        r.path,
        { id: r.id, size: r.size, mtimeMs: r.mtime_ms, dev: r.dev, ino: r.ino, available: r.available === 1, tagsOutdated: r.gain_tags_read === 0 },
      ]),
    );
  }

  knownFailures(rootId: number): Map<string, { size: number | null; mtimeMs: number | null; reason: string }> {
    const rows = this.db.prepare('SELECT path, size, mtime_ms, reason FROM scan_failures WHERE root_id = ?').all(rootId) as {
      path: string;
      size: number | null;
      mtime_ms: number | null;
      reason: string;
    }[];
    return new Map(rows.map((r) => [r.path, { size: r.size, mtimeMs: r.mtime_ms, reason: r.reason }]));
  }

  upsertTrack(rootId: number, file: FoundFile, meta: TrackMetadata, now: number): void {
    this.statements.upsertTrack.run({
      root_id: rootId,
      path: file.path,
      path_bytes: file.pathBytes,
      size: file.size,
      mtime_ms: file.mtimeMs,
      dev: file.dev,
      ino: file.ino,
      duration: meta.duration,
      codec: meta.codec,
      container: meta.container,
      sample_rate: meta.sampleRate,
      channels: meta.channels,
      bitrate: meta.bitrate,
      title: meta.title,
      artist: meta.artist,
      album: meta.album,
      album_artist: meta.albumArtist,
      track_no: meta.trackNo,
      disc_no: meta.discNo,
      year: meta.year,
      genres: JSON.stringify(meta.genres),
      moods: JSON.stringify(meta.moods),
      tags: JSON.stringify(meta.otherTags),
      now,
    });
    saveGainTags(this.db, file.path, meta.gainTags);
    this.statements.deleteFailure.run(file.path);
  }

  /** Records why a file could not be indexed; a null size/mtime means "try again on the next scan". */
  recordFailure(
    rootId: number,
    file: Pick<FoundFile, 'path' | 'pathBytes'> & { size: number | null; mtimeMs: number | null },
    reason: string,
    now: number,
  ): void {
    this.statements.upsertFailure.run({
      root_id: rootId,
      path: file.path,
      path_bytes: file.pathBytes,
      size: file.size,
      mtime_ms: file.mtimeMs,
      reason,
      now,
    });
    // A file that used to parse and now fails is no longer a playable track.
    this.statements.deleteTrackByPath.run(file.path);
  }

  /** A file found again unchanged: make sure it is marked available. */
  markAvailable(trackId: number): void {
    this.statements.markAvailable.run(trackId);
  }

  moveTrack(trackId: number, file: FoundFile, now: number): void {
    this.db
      .prepare('UPDATE tracks SET path = ?, path_bytes = ?, mtime_ms = ?, dev = ?, ino = ?, available = 1, updated_at = ? WHERE id = ?')
      .run(file.path, file.pathBytes, file.mtimeMs, file.dev, file.ino, now, trackId);
  }

  deleteTracks(ids: number[]): void {
    const del = this.db.prepare('DELETE FROM tracks WHERE id = ?');
    for (const id of ids) del.run(id);
  }

  deleteFailures(paths: string[]): void {
    for (const p of paths) this.statements.deleteFailure.run(p);
  }

  setRootAvailability(rootId: number, available: boolean, now: number): void {
    this.db.prepare('UPDATE library_roots SET available = ?, last_scan_at = ? WHERE id = ?').run(available ? 1 : 0, now, rootId);
    if (!available) this.db.prepare('UPDATE tracks SET available = 0 WHERE root_id = ?').run(rootId);
  }

  failuresWithRoot(): { path: string; reason: string; rootId: number }[] {
    return this.db.prepare('SELECT path, reason, root_id AS rootId FROM scan_failures ORDER BY path').all() as {
      path: string;
      reason: string;
      rootId: number;
    }[];
  }

  failures(): { path: string; reason: string }[] {
    return this.db.prepare('SELECT path, reason FROM scan_failures ORDER BY path').all() as { path: string; reason: string }[];
  }

  private cachedStatements: ReturnType<LibraryStore['prepareStatements']> | undefined;

  private get statements(): ReturnType<LibraryStore['prepareStatements']> {
    this.cachedStatements ??= this.prepareStatements();
    return this.cachedStatements;
  }

  private prepareStatements() {
    return {
      upsertTrack: this.db.prepare(`
        INSERT INTO tracks (root_id, path, path_bytes, size, mtime_ms, dev, ino, duration, codec, container, sample_rate,
          channels, bitrate, title, artist, album, album_artist, track_no, disc_no, year, genres, moods, tags, available,
          added_at, updated_at)
        VALUES (@root_id, @path, @path_bytes, @size, @mtime_ms, @dev, @ino, @duration, @codec, @container, @sample_rate,
          @channels, @bitrate, @title, @artist, @album, @album_artist, @track_no, @disc_no, @year, @genres, @moods, @tags, 1,
          @now, @now)
        ON CONFLICT(path) DO UPDATE SET root_id = excluded.root_id, path_bytes = excluded.path_bytes, size = excluded.size,
          mtime_ms = excluded.mtime_ms, dev = excluded.dev, ino = excluded.ino, duration = excluded.duration,
          codec = excluded.codec, container = excluded.container, sample_rate = excluded.sample_rate,
          channels = excluded.channels, bitrate = excluded.bitrate, title = excluded.title, artist = excluded.artist,
          album = excluded.album, album_artist = excluded.album_artist, track_no = excluded.track_no,
          disc_no = excluded.disc_no, year = excluded.year, genres = excluded.genres, moods = excluded.moods,
          tags = excluded.tags, available = 1, updated_at = excluded.updated_at`),
      upsertFailure: this.db.prepare(`
        INSERT INTO scan_failures (root_id, path, path_bytes, size, mtime_ms, reason, failed_at)
        VALUES (@root_id, @path, @path_bytes, @size, @mtime_ms, @reason, @now)
        ON CONFLICT(path) DO UPDATE SET root_id = excluded.root_id, path_bytes = excluded.path_bytes, size = excluded.size,
          mtime_ms = excluded.mtime_ms, reason = excluded.reason, failed_at = excluded.failed_at`),
      deleteFailure: this.db.prepare('DELETE FROM scan_failures WHERE path = ?'),
      deleteTrackByPath: this.db.prepare('DELETE FROM tracks WHERE path = ?'),
      markAvailable: this.db.prepare('UPDATE tracks SET available = 1 WHERE id = ? AND available = 0'),
    };
  }
}

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}
