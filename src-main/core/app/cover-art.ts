/**
 * Cover art for the UI, by track id (Electron's media://art/<id>, browser mode's /art/<id>): the
 * track's embedded front picture, else an image beside it (cover.jpg, folder.jpg, front.png …). Only
 * indexed tracks, only files under their library folder (real paths), only real images (sniffed by
 * content: JPEG, PNG, WebP, GIF), at most ART_MAX_BYTES. Extracted lazily on first request and kept in
 * the data folder's covers/ (keyed by the track file's size and mtime), so later requests read no audio.
 * `size: 'thumb'` asks for a small JPEG of it (cover-thumbnail.ts, made in the thumbnail worker and kept
 * beside the picture); a picture that is small already, or of a type not decoded there, is served as stored.
 */
import type { Database } from 'better-sqlite3';
import { fileTypeFromBuffer } from 'file-type';
import { parseFromTokenizer, type IPicture } from 'music-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { fromFile } from 'strtok3';
import type { ArtSize } from '../../api/contract.ts';
import { pictureSize, THUMB_SIZE, type ThumbnailOutcome } from './thumbnail-messages.ts';
import { realPathInside, rootOnDisk } from './media.ts';

/** Makes thumbnails (the app's ThumbnailClient: a worker). */
export interface ThumbnailMaker {
  make(bytes: Uint8Array, mime: string): Promise<ThumbnailOutcome>;
}

export const ART_MAX_BYTES = 8 * 1024 * 1024;
export const COVERS_DIR = 'covers';
/** Folder images tried in order (any case), after the embedded picture. */
const FOLDER_NAMES = ['cover', 'folder', 'front', 'album', 'albumart'];
const FOLDER_EXTENSIONS = ['jpg', 'jpeg', 'png', 'webp'];
const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/gif']);

interface Art {
  bytes: Buffer;
  type: string;
}

function plain(status: number, text: string): Response {
  return new Response(text, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' } });
}

/** The image type of these bytes by content, or null for anything that is not an allowed image. */
async function imageType(bytes: Uint8Array): Promise<string | null> {
  if (bytes.length === 0 || bytes.length > ART_MAX_BYTES) return null;
  const sniffed = await fileTypeFromBuffer(bytes);
  return sniffed && IMAGE_TYPES.has(sniffed.mime) ? sniffed.mime : null;
}

async function embeddedArt(file: Buffer): Promise<Art | null> {
  let pictures: IPicture[] | undefined;
  try {
    // strtok3 opens the raw path bytes (a name that is not UTF-8 still works); the parser is chosen by content.
    const tokenizer = await fromFile(file as unknown as string);
    try {
      const head = new Uint8Array(4100);
      const got = await tokenizer.peekBuffer(head, { mayBeLess: true });
      tokenizer.fileInfo.mimeType = (await fileTypeFromBuffer(head.subarray(0, got)))?.mime;
      pictures = (await parseFromTokenizer(tokenizer, { skipCovers: false, duration: false })).common.picture;
    } finally {
      await tokenizer.close();
    }
  } catch {
    return null;
  }
  if (!pictures?.length) return null;
  const front = pictures.find((p) => /front/i.test(p.type ?? '')) ?? pictures[0]!;
  const bytes = Buffer.from(front.data);
  const type = await imageType(bytes);
  return type ? { bytes, type } : null;
}

async function folderArt(file: Buffer, realRoot: Buffer): Promise<Art | null> {
  const dir = path.dirname(file.toString('latin1'));
  const dirBytes = Buffer.from(dir, 'latin1');
  let names: Buffer[];
  try {
    names = await fs.promises.readdir(dirBytes, { encoding: 'buffer' });
  } catch {
    return null;
  }
  const byName = new Map(names.map((n) => [n.toString('utf8').toLowerCase(), n]));
  for (const base of FOLDER_NAMES) {
    for (const ext of FOLDER_EXTENSIONS) {
      const found = byName.get(`${base}.${ext}`);
      if (!found) continue;
      const candidate = Buffer.concat([dirBytes, Buffer.from(path.sep), found]);
      // A cover.jpg that is a link out of the library folder is not served.
      const real = await realPathInside(candidate, realRoot);
      if (!Buffer.isBuffer(real)) continue;
      let bytes: Buffer;
      try {
        const stat = await fs.promises.stat(real);
        if (!stat.isFile() || stat.size > ART_MAX_BYTES) continue;
        bytes = await fs.promises.readFile(real);
      } catch {
        continue;
      }
      const type = await imageType(bytes);
      if (type) return { bytes, type };
    }
  }
  return null;
}

/**
 * covers/<id>-<size>-<mtime>: the image, or an empty file meaning "this track has none". The mtime is
 * whole milliseconds as the scan stores it (tracks.mtime_ms), so cover-cache-prune.ts can tell a
 * current entry from the database alone.
 */
function cachePath(dataDir: string, trackId: number, stat: fs.Stats): string {
  return path.join(dataDir, COVERS_DIR, `${trackId}-${stat.size}-${Math.trunc(stat.mtimeMs)}`);
}

function artResponse(art: Art, method: string): Response {
  return new Response(method === 'HEAD' ? null : new Uint8Array(art.bytes), {
    status: 200,
    headers: {
      'Content-Type': art.type,
      'Content-Length': String(art.bytes.length),
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'private, max-age=3600',
    },
  });
}

/** The response for GET/HEAD of a track's cover: 200 with the image, 404 without one, 403 for a file outside its folder. */
export async function coverArtResponse(
  db: Database,
  dataDir: string,
  trackId: number | null,
  request: { method?: string; size?: ArtSize } = {},
  thumbnails?: ThumbnailMaker,
): Promise<Response> {
  const method = (request.method ?? 'GET').toUpperCase();
  if (method !== 'GET' && method !== 'HEAD') return plain(405, 'method not allowed');
  if (trackId === null) return plain(404, 'not a track');
  const row = db
    .prepare('SELECT t.path, t.path_bytes, r.path AS root FROM tracks t JOIN library_roots r ON r.id = t.root_id WHERE t.id = ?')
    .get(trackId) as { path: string; path_bytes: Buffer | null; root: string } | undefined;
  if (!row) return plain(404, 'no such track');
  const root = rootOnDisk(row.root, row.path_bytes);
  const real = await realPathInside(row.path_bytes ?? row.path, root);
  if (real === 'outside') return plain(403, 'this file lies outside the library folders (a link out of the library)');
  if (real === null) return plain(404, 'the file of this track is missing');
  let stat: fs.Stats;
  let realRoot: Buffer;
  try {
    stat = await fs.promises.stat(real);
    realRoot = await fs.promises.realpath(root, { encoding: 'buffer' });
  } catch {
    return plain(404, 'the file of this track is missing');
  }
  const cached = cachePath(dataDir, trackId, stat);
  const art = await storedArt(cached, real, realRoot);
  if (!art) return plain(404, 'no cover art for this track');
  if (request.size !== 'thumb' || !thumbnails) return artResponse(art, method);
  return artResponse((await thumbnailOf(art, `${cached}.t${THUMB_SIZE}`, thumbnails)) ?? art, method);
}

/** The picture from the cache, else extracted (embedded, then beside the track) and cached; null: none. */
async function storedArt(cached: string, real: Buffer, realRoot: Buffer): Promise<Art | null> {
  try {
    const bytes = await fs.promises.readFile(cached);
    if (bytes.length === 0) return null;
    const type = await imageType(bytes);
    if (type) return { bytes, type };
  } catch {
    // not cached yet
  }
  const art = (await embeddedArt(real)) ?? (await folderArt(real, realRoot));
  await writeCache(cached, art ? art.bytes : Buffer.alloc(0));
  return art;
}

/**
 * The picture's thumbnail from the cache, else made and cached (an empty file: serve the picture itself,
 * as it is small already or not decodable here); null: serve the picture. A worker failure is not cached.
 */
async function thumbnailOf(art: Art, cached: string, thumbnails: ThumbnailMaker): Promise<Art | null> {
  try {
    const bytes = await fs.promises.readFile(cached);
    return bytes.length === 0 ? null : { bytes, type: 'image/jpeg' };
  } catch {
    // not made yet
  }
  // Only JPEG and PNG are shrunk; one that is small already needs no worker (its header says so).
  if (art.type !== 'image/jpeg' && art.type !== 'image/png') return null;
  const size = pictureSize(art.bytes, art.type);
  let outcome: ThumbnailOutcome;
  if (size && Math.max(size.width, size.height) <= THUMB_SIZE) outcome = { kind: 'small' };
  else
    try {
      outcome = await thumbnails.make(art.bytes, art.type);
    } catch {
      return null;
    }
  const bytes = outcome.kind === 'thumbnail' ? Buffer.from(outcome.bytes) : Buffer.alloc(0);
  await writeCache(cached, bytes);
  return bytes.length > 0 ? { bytes, type: 'image/jpeg' } : null;
}

let writes = 0;

/** Writes a cache file whole (a temporary name, then a rename); a folder that cannot be written only costs a redo. */
async function writeCache(file: string, bytes: Buffer): Promise<void> {
  try {
    await fs.promises.mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.${++writes}.tmp`; // two requests for one cover write apart
    await fs.promises.writeFile(tmp, bytes);
    await fs.promises.rename(tmp, file);
  } catch {
    // A data folder that cannot be written only costs the next request another extraction.
  }
}
