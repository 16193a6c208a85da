/**
 * Tag files: CSV or TSV tables of tags per song, as exported from Last.fm, MusicBrainz, a spreadsheet,
 * or the MTG-Jamendo `tracks.tsv`. Pure: parses text, touches no database. See docs/topics.md.
 *
 * - Delimiter: a tab in the header line → TSV; else `;` when the header has `;` but no `,`; else CSV.
 *   CSV follows RFC 4180 (quoted fields, doubled quotes, newlines inside quotes); TSV has no quoting,
 *   and extra fields on a row are joined into the last column (MTG-Jamendo's raw files put one tag per
 *   column).
 * - Columns (header names case-insensitive, spaces and `_` ignored): the song is keyed by `path` (or
 *   `file`, `filename`, `location`), else by `artist` + `title` (`artistname` / `track`, `trackname`,
 *   `song`, `name`), else by an id (`trackid`, `id`; only used by `--tags-file`). Tags come from every
 *   column named `tags`, `tag`, `tagname`, `toptags`, `genre(s)`, `mood(s)`, `style(s)`.
 * - A tag cell may hold a list (`;`, `,`, `|`); Jamendo's `genre---rock` loses its `category---` prefix.
 *   A Last.fm-style file with one row per (artist, title, tag[, count]) simply repeats the key; `count`
 *   is ignored.
 */
import { normalizeTag, splitTagList } from './normalize.ts';

export type TagFileFormat = 'csv' | 'tsv' | 'ssv';

export interface TagFileRow {
  /** 1-based line number of the row's first line in the file (the header is line 1). */
  line: number;
  path?: string;
  artist?: string;
  title?: string;
  id?: string;
  /** The tags of the row as written (list cells split, Jamendo prefixes removed); not yet normalised. */
  rawTags: string[];
}

export interface TagFile {
  format: TagFileFormat;
  /** How rows name their song. */
  keyedBy: 'path' | 'artist+title' | 'id' | 'none';
  /** The header names that held tags. */
  tagColumns: string[];
  rows: TagFileRow[];
}

export class TagFileError extends Error {}

const PATH_COLUMNS = ['path', 'file', 'filename', 'filepath', 'location'];
const ARTIST_COLUMNS = ['artist', 'artistname'];
const TITLE_COLUMNS = ['title', 'track', 'trackname', 'song', 'songtitle', 'name', 'recording'];
const ID_COLUMNS = ['trackid', 'id', 'songid', 'recordingid', 'mbid'];
const TAG_COLUMNS = new Set(['tags', 'tag', 'tagname', 'toptags', 'genre', 'genres', 'mood', 'moods', 'style', 'styles']);

function columnKey(name: string): string {
  return name
    .replace(/^\uFEFF/, '')
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '');
}

/** Splits delimited text into rows of fields, with the line number where each row starts. */
export function parseDelimited(text: string, delimiter: string, quoting: boolean): { line: number; fields: string[] }[] {
  const rows: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  const endRow = () => {
    fields.push(field);
    if (fields.length > 1 || fields[0]!.trim() !== '') rows.push({ line: rowLine, fields });
    fields = [];
    field = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (quoting && c === '"' && field.trim() === '') {
      field = '';
      quoted = true;
    } else if (c === delimiter) {
      fields.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRow();
      line++;
      rowLine = line;
    } else field += c;
  }
  if (field !== '' || fields.length > 0) endRow();
  return rows;
}

/** Parses a tag file; throws TagFileError when it has no tag column. */
export function parseTagFile(file: string): TagFile {
  const text = file.replace(/^\uFEFF/, '');
  const firstLine = text.split(/\r?\n/, 1)[0] ?? '';
  const format: TagFileFormat = firstLine.includes('\t')
    ? 'tsv'
    : firstLine.includes(';') && !firstLine.includes(',')
      ? 'ssv'
      : 'csv';
  const delimiter = format === 'tsv' ? '\t' : format === 'ssv' ? ';' : ',';
  const table = parseDelimited(text, delimiter, format !== 'tsv');
  const header = table[0];
  if (!header) throw new TagFileError('the file is empty');
  const keys = header.fields.map(columnKey);
  const find = (names: readonly string[]): number => {
    for (const n of names) {
      const i = keys.indexOf(n);
      if (i >= 0) return i;
    }
    return -1;
  };
  const tagCols = keys.flatMap((k, i) => (TAG_COLUMNS.has(k) ? [i] : []));
  if (tagCols.length === 0) {
    throw new TagFileError(
      `no tag column: the header needs one of ${[...TAG_COLUMNS].join(', ')} (found: ${header.fields.join(', ')})`,
    );
  }
  const pathCol = find(PATH_COLUMNS);
  const artistCol = find(ARTIST_COLUMNS);
  const titleCol = find(TITLE_COLUMNS);
  const idCol = find(ID_COLUMNS);
  const keyedBy: TagFile['keyedBy'] =
    pathCol >= 0 ? 'path' : artistCol >= 0 && titleCol >= 0 ? 'artist+title' : idCol >= 0 ? 'id' : 'none';
  const lastCol = keys.length - 1;
  const rows: TagFileRow[] = [];
  for (const { line, fields } of table.slice(1)) {
    // TSV rows with more fields than columns: the overflow belongs to the last column (one tag per field).
    if (format === 'tsv' && fields.length > keys.length && tagCols.includes(lastCol)) {
      fields.splice(lastCol, fields.length - lastCol, fields.slice(lastCol).join(','));
    }
    const cell = (i: number): string | undefined => {
      const v = i >= 0 ? fields[i]?.trim() : undefined;
      return v ? v : undefined;
    };
    const rawTags = tagCols.flatMap((i) => splitTagCell(fields[i] ?? ''));
    const row: TagFileRow = { line, rawTags };
    const p = cell(pathCol);
    const artist = cell(artistCol);
    const title = cell(titleCol);
    const id = cell(idCol);
    if (p !== undefined) row.path = p;
    if (artist !== undefined) row.artist = artist;
    if (title !== undefined) row.title = title;
    if (id !== undefined) row.id = id;
    rows.push(row);
  }
  return { format, keyedBy, tagColumns: tagCols.map((i) => header.fields[i]!.trim()), rows };
}

/** One cell's tags: a list split on `;`, `,`, `|`, with Jamendo's `category---` prefixes removed. */
export function splitTagCell(cell: string): string[] {
  return splitTagList(cell)
    .map((t) => {
      const sep = t.indexOf('---');
      return (sep >= 0 ? t.slice(sep + 3) : t).trim();
    })
    .filter((t) => t.length > 0);
}

/** The row's key for grouping rows into songs (Last.fm files have one row per tag). */
export function rowKey(row: TagFileRow, keyedBy: TagFile['keyedBy']): string | null {
  switch (keyedBy) {
    case 'path':
      return row.path ?? null;
    case 'artist+title':
      return row.artist !== undefined && row.title !== undefined ? songKey(row.artist, row.title) : null;
    case 'id':
      return row.id ?? null;
    case 'none':
      return null;
  }
}

/** Case-, width- and space-insensitive artist + title key. */
export function songKey(artist: string, title: string): string {
  const clean = (s: string) => s.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
  return `${clean(artist)}\u0000${clean(title)}`;
}

/**
 * The songs of a tag file as documents of canonical tags, for fitting without a library
 * (`cadenza topics fit --tags-file`). Rows with the same key are one song; rows without a key are
 * one song each. Songs whose tags are all dropped by normalisation are kept as empty documents.
 */
export function tagDocuments(file: TagFile): { keys: string[]; docs: string[][] } {
  const byKey = new Map<string, string[]>();
  const keys: string[] = [];
  const docs: string[][] = [];
  for (const row of file.rows) {
    const tags = row.rawTags.map(normalizeTag).filter((t): t is string => t !== null);
    const key = rowKey(row, file.keyedBy);
    const existing = key === null ? undefined : byKey.get(key);
    if (existing) {
      for (const t of tags) if (!existing.includes(t)) existing.push(t);
      continue;
    }
    const doc = [...new Set(tags)];
    keys.push(key ?? `line ${row.line}`);
    docs.push(doc);
    if (key !== null) byKey.set(key, doc);
  }
  return { keys, docs };
}
