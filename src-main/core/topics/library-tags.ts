/**
 * The library's song tags: harvested from the scanned metadata (genres, moods and the other descriptive
 * fields in `tracks.tags`), plus tags the user added (`cadenza tag add`) or imported (`cadenza tags
 * import`), minus the ones the user removed. User and import tags live in `track_tags`, which a rescan
 * never touches. See docs/topics.md.
 */
import type { Database } from 'better-sqlite3';
import path from 'node:path';
import { normalizeTag, splitTagList } from './normalize.ts';
import { parseTagFile, songKey, TagFileError, type TagFile } from './tag-file.ts';

export type StoredTagSource = 'user' | 'import' | 'user-removed';

/** One track's tags, by where they come from; `tags` is what the topic model sees. */
export interface TrackTagInfo {
  trackId: number;
  /** Canonical tags from the file's metadata, in field order (genres, moods, then the other fields). */
  file: string[];
  import: string[];
  user: string[];
  /** Tags the user removed; hidden even though the file or an import carries them. */
  removed: string[];
  /** The effective tags: file, import, user (first occurrence wins), minus `removed`. */
  tags: string[];
}

interface TrackTagRow {
  id: number;
  genres: string;
  moods: string;
  tags: string;
}

/** The raw descriptive values of a track row: genres, moods, then every list in the `tags` object. */
export function fileTagValues(row: { genres: string; moods: string; tags: string }): string[] {
  const out: string[] = [];
  const pushList = (value: unknown) => {
    if (!Array.isArray(value)) return;
    for (const v of value) if (typeof v === 'string') out.push(...splitTagList(v));
  };
  pushList(parseJson(row.genres));
  pushList(parseJson(row.moods));
  const other = parseJson(row.tags);
  if (other && typeof other === 'object' && !Array.isArray(other)) {
    for (const key of Object.keys(other).sort()) pushList((other as Record<string, unknown>)[key]);
  }
  return out;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

function canonical(raws: Iterable<string>): string[] {
  const out: string[] = [];
  for (const raw of raws) {
    const tag = normalizeTag(raw);
    if (tag !== null && !out.includes(tag)) out.push(tag);
  }
  return out;
}

function combine(info: Omit<TrackTagInfo, 'tags'>): TrackTagInfo {
  const removed = new Set(info.removed);
  const tags: string[] = [];
  for (const t of [...info.file, ...info.import, ...info.user]) if (!removed.has(t) && !tags.includes(t)) tags.push(t);
  return { ...info, tags };
}

/**
 * Every track's tags (tracks without any tag included, with `tags: []`), ordered by path, so the topic
 * model does not depend on the order in which a scan happened to number the tracks.
 */
export function harvestLibraryTags(db: Database): TrackTagInfo[] {
  const rows = db.prepare('SELECT id, genres, moods, tags FROM tracks ORDER BY path').all() as TrackTagRow[];
  const stored = db.prepare('SELECT track_id, tag, source FROM track_tags ORDER BY id').all() as {
    track_id: number;
    tag: string;
    source: StoredTagSource;
  }[];
  const extra = new Map<number, { import: string[]; user: string[]; removed: string[] }>();
  for (const s of stored) {
    let e = extra.get(s.track_id);
    if (!e) extra.set(s.track_id, (e = { import: [], user: [], removed: [] }));
    const list = s.source === 'import' ? e.import : s.source === 'user' ? e.user : e.removed;
    if (!list.includes(s.tag)) list.push(s.tag);
  }
  return rows.map((r) => {
    const e = extra.get(r.id) ?? { import: [], user: [], removed: [] };
    return combine({ trackId: r.id, file: canonical(fileTagValues(r)), ...e });
  });
}

/** One track's tags, or null when there is no such track. */
export function trackTagInfo(db: Database, trackId: number): TrackTagInfo | null {
  const row = db.prepare('SELECT id, genres, moods, tags FROM tracks WHERE id = ?').get(trackId) as TrackTagRow | undefined;
  if (!row) return null;
  const stored = db.prepare('SELECT tag, source FROM track_tags WHERE track_id = ? ORDER BY id').all(trackId) as {
    tag: string;
    source: StoredTagSource;
  }[];
  const of = (source: StoredTagSource) => [...new Set(stored.filter((s) => s.source === source).map((s) => s.tag))];
  return combine({
    trackId,
    file: canonical(fileTagValues(row)),
    import: of('import'),
    user: of('user'),
    removed: of('user-removed'),
  });
}

/**
 * Finds a track by id (all digits, when such a track exists) or by path (resolved against `cwd`,
 * NFC-normalised, as the scanner stores it). Returns null when neither matches.
 */
export function resolveTrack(db: Database, ref: string, cwd: string = process.cwd()): number | null {
  if (/^\d+$/.test(ref)) {
    const byId = db.prepare('SELECT id FROM tracks WHERE id = ?').get(Number(ref)) as { id: number } | undefined;
    if (byId) return byId.id;
  }
  const abs = path.resolve(cwd, ref).normalize('NFC');
  const byPath = db.prepare('SELECT id FROM tracks WHERE path = ?').get(abs) as { id: number } | undefined;
  return byPath?.id ?? null;
}

export class NoSuchTrackError extends Error {}

export interface TagEditResult {
  trackId: number;
  /** Canonical tags that changed (added, or removed). */
  changed: string[];
  /** Canonical tags that were already there (add) or not there (remove). */
  unchanged: string[];
  /** Raw tags that normalise to nothing (stop list, numbers, too short/long). */
  ignored: string[];
  /** The track's effective tags afterwards. */
  tags: string[];
}

function splitRaw(raws: readonly string[]): { tag: string; raw: string }[] {
  const out: { tag: string; raw: string }[] = [];
  for (const raw of raws) {
    const tag = normalizeTag(raw);
    if (tag !== null && !out.some((o) => o.tag === tag)) out.push({ tag, raw: raw.trim() });
  }
  return out;
}

/** Adds user tags to a track (and lifts an earlier `removeUserTags` of the same tag). */
export function addUserTags(db: Database, trackId: number, raws: readonly string[], now: number = Date.now()): TagEditResult {
  return db
    .transaction(() => {
      const before = trackTagInfo(db, trackId);
      if (!before) throw new NoSuchTrackError(`no track with id ${trackId}`);
      const wanted = splitRaw(raws);
      const insert = db.prepare(
        "INSERT OR IGNORE INTO track_tags (track_id, tag, raw, source, added_at) VALUES (?, ?, ?, 'user', ?)",
      );
      const unhide = db.prepare("DELETE FROM track_tags WHERE track_id = ? AND tag = ? AND source = 'user-removed'");
      for (const { tag, raw } of wanted) {
        unhide.run(trackId, tag);
        insert.run(trackId, tag, raw, now);
      }
      const after = trackTagInfo(db, trackId)!;
      return {
        trackId,
        changed: wanted.filter((w) => !before.tags.includes(w.tag)).map((w) => w.tag),
        unchanged: wanted.filter((w) => before.tags.includes(w.tag)).map((w) => w.tag),
        ignored: raws.filter((r) => normalizeTag(r) === null),
        tags: after.tags,
      };
    })
    .immediate();
}

/**
 * Removes tags from a track: a user tag is deleted; a tag that the file or an import carries is hidden
 * by a 'user-removed' marker, which survives rescans and re-imports until the user adds the tag again.
 */
export function removeUserTags(db: Database, trackId: number, raws: readonly string[], now: number = Date.now()): TagEditResult {
  return db
    .transaction(() => {
      const before = trackTagInfo(db, trackId);
      if (!before) throw new NoSuchTrackError(`no track with id ${trackId}`);
      const wanted = splitRaw(raws);
      const delUser = db.prepare("DELETE FROM track_tags WHERE track_id = ? AND tag = ? AND source = 'user'");
      const hide = db.prepare(
        "INSERT OR IGNORE INTO track_tags (track_id, tag, raw, source, added_at) VALUES (?, ?, ?, 'user-removed', ?)",
      );
      for (const { tag, raw } of wanted) {
        delUser.run(trackId, tag);
        if (before.file.includes(tag) || before.import.includes(tag)) hide.run(trackId, tag, raw, now);
      }
      const after = trackTagInfo(db, trackId)!;
      return {
        trackId,
        changed: wanted.filter((w) => before.tags.includes(w.tag)).map((w) => w.tag),
        unchanged: wanted.filter((w) => !before.tags.includes(w.tag)).map((w) => w.tag),
        ignored: raws.filter((r) => normalizeTag(r) === null),
        tags: after.tags,
      };
    })
    .immediate();
}

export interface TagImportResult {
  format: TagFile['format'];
  keyedBy: 'path' | 'artist+title';
  /** Data rows in the file. */
  rows: number;
  /** Rows that named a track of the library. */
  matchedRows: number;
  /** Distinct tracks that got at least one tag from the file. */
  tracks: number;
  /** New (track, tag) pairs stored; pairs already imported before are not counted. */
  added: number;
  /** Raw tags dropped by normalisation (stop list, numbers, too short or long). */
  ignoredTags: number;
  /** Rows whose song is not in the library (line numbers are 1-based; the header is line 1). */
  unmatched: { line: number; key: string }[];
}

export interface TagImportOptions {
  /** Relative paths in the file are resolved against this folder (default: the current folder). */
  baseDir?: string;
  now?: number;
}

/**
 * Imports a CSV/TSV tag file (see tag-file.ts): rows keyed by `path`, or by `artist` + `title`
 * (case-insensitive; a song that is in the library several times gets the tags on every copy).
 * Imported tags are kept as source 'import', apart from file tags, and survive rescans.
 */
export function importTags(db: Database, text: string, options: TagImportOptions = {}): TagImportResult {
  const file = parseTagFile(text);
  if (file.keyedBy !== 'path' && file.keyedBy !== 'artist+title') {
    throw new TagFileError('a tag file for import needs a "path" column, or "artist" and "title" columns');
  }
  const keyedBy = file.keyedBy;
  const baseDir = options.baseDir ?? process.cwd();
  const now = options.now ?? Date.now();
  const byPath = db.prepare('SELECT id FROM tracks WHERE path = ?');
  const bySong = new Map<string, number[]>();
  if (keyedBy === 'artist+title') {
    const all = db.prepare('SELECT id, artist, album_artist, title FROM tracks WHERE title IS NOT NULL ORDER BY id').all() as {
      id: number;
      artist: string | null;
      album_artist: string | null;
      title: string;
    }[];
    for (const t of all) {
      for (const artist of new Set([t.artist, t.album_artist])) {
        if (artist === null) continue;
        const key = songKey(artist, t.title);
        const ids = bySong.get(key) ?? [];
        if (!ids.includes(t.id)) ids.push(t.id);
        bySong.set(key, ids);
      }
    }
  }
  const insert = db.prepare(
    "INSERT OR IGNORE INTO track_tags (track_id, tag, raw, source, added_at) VALUES (?, ?, ?, 'import', ?)",
  );
  const result: TagImportResult = {
    format: file.format,
    keyedBy,
    rows: file.rows.length,
    matchedRows: 0,
    tracks: 0,
    added: 0,
    ignoredTags: 0,
    unmatched: [],
  };
  const tagged = new Set<number>();
  db.transaction(() => {
    for (const row of file.rows) {
      let ids: number[] = [];
      let key: string;
      if (keyedBy === 'path') {
        key = row.path ?? '';
        const hit =
          row.path === undefined
            ? undefined
            : (byPath.get(path.resolve(baseDir, row.path).normalize('NFC')) as { id: number } | undefined);
        if (hit) ids = [hit.id];
      } else {
        key = `${row.artist ?? ''} – ${row.title ?? ''}`;
        if (row.artist !== undefined && row.title !== undefined) ids = bySong.get(songKey(row.artist, row.title)) ?? [];
      }
      if (ids.length === 0) {
        result.unmatched.push({ line: row.line, key });
        continue;
      }
      result.matchedRows++;
      for (const raw of row.rawTags) {
        const tag = normalizeTag(raw);
        if (tag === null) {
          result.ignoredTags++;
          continue;
        }
        for (const id of ids) {
          result.added += insert.run(id, tag, raw, now).changes;
          tagged.add(id);
        }
      }
    }
  }).immediate();
  result.tracks = tagged.size;
  return result;
}
