/**
 * Audio for the UI: serves only files the library indexed, by track id, with HTTP Range support so the
 * player can seek. One function backs Electron's media:// protocol and browser mode's /media/<id> route.
 */
import type { Database } from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { formatName } from '../library/formats.ts';
import { browserPlays } from '../playback/browser-codecs.ts';
import { playbackTranscoder, TranscodeError, type VirtualWav } from '../playback/transcoder.ts';

const CONTENT_TYPES: Record<string, string> = {
  mp3: 'audio/mpeg',
  flac: 'audio/flac',
  ogg: 'audio/ogg',
  opus: 'audio/ogg; codecs=opus',
  m4a: 'audio/mp4',
  alac: 'audio/mp4',
  wav: 'audio/wav',
  aiff: 'audio/aiff',
  wma: 'audio/x-ms-wma',
};

export type ByteRange = { start: number; end: number };

/**
 * Parses a Range header against a file size: null when absent or not a single bytes range we serve
 * (the whole file is sent then), 'unsatisfiable' for a range outside the file.
 */
export function parseRange(header: string | null | undefined, size: number): ByteRange | 'unsatisfiable' | null {
  if (!header) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return null; // several ranges or another unit: answer with the whole file (allowed by RFC 9110)
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return null;
  let start: number;
  let end: number;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0) return 'unsatisfiable';
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(first);
    end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
    if (last !== '' && Number(last) < start) return null; // invalid range: ignore it
  }
  if (start >= size || size === 0) return 'unsatisfiable';
  return { start, end };
}

/** The track id of a media URL path ('/123'), or null for anything else. */
export function mediaTrackId(idText: string): number | null {
  if (!/^[1-9]\d{0,15}$/.test(idText)) return null;
  const id = Number(idText);
  return Number.isSafeInteger(id) ? id : null;
}

function plain(status: number, text: string): Response {
  return new Response(text, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' } });
}

/**
 * The file's real path (every symlink resolved) when it lies inside the real path of `root`, else
 * 'outside'; null when either cannot be resolved (gone). The scanner follows symlinks, so a link placed
 * in a library folder can point anywhere: only what really lies under a library folder is served.
 */
export async function realPathInside(file: string | Buffer, root: string | Buffer): Promise<Buffer | 'outside' | null> {
  let real: Buffer;
  let realRoot: Buffer;
  try {
    real = await fs.promises.realpath(file, { encoding: 'buffer' });
    realRoot = await fs.promises.realpath(root, { encoding: 'buffer' });
  } catch {
    return null;
  }
  const sep = Buffer.from(path.sep);
  const prefix = realRoot.subarray(realRoot.length - sep.length).equals(sep) ? realRoot : Buffer.concat([realRoot, sep]);
  return real.length > prefix.length && real.subarray(0, prefix.length).equals(prefix) ? real : 'outside';
}

/**
 * The library folder as it is named on disk: the stored root path is NFC text (lossy for a name that is
 * not valid UTF-8), so where the track keeps its raw path bytes, the root is the same number of leading
 * path segments of those bytes.
 */
export function rootOnDisk(root: string, trackPathBytes: Buffer | null): string | Buffer {
  if (!trackPathBytes || path.sep !== '/') return root;
  const depth = root.split('/').filter(Boolean).length;
  if (depth === 0) return root;
  let at = 0;
  for (let seen = 0; seen < depth; seen++) {
    at = trackPathBytes.indexOf(0x2f, at + 1);
    if (at < 0) return root;
  }
  return trackPathBytes.subarray(0, at);
}

/**
 * The response for GET/HEAD of one track: 200 with the whole file, 206 with a Content-Range, 416 for a
 * range outside the file, 404 for an unknown track or a file that is gone, 403 for a file whose real
 * path lies outside its library folder (a symlink out), 405 for other methods.
 * The file is opened by its raw on-disk path bytes where they differ from the stored NFC path.
 * A track Chromium cannot decode (see playback/browser-codecs.ts) is served as a transcoded WAV with the same
 * ranges; one that cannot be decoded at all gets 415.
 */
export async function mediaResponse(
  db: Database,
  trackId: number | null,
  request: { method?: string; range?: string | null } = {},
): Promise<Response> {
  const method = (request.method ?? 'GET').toUpperCase();
  if (method !== 'GET' && method !== 'HEAD') return plain(405, 'method not allowed');
  if (trackId === null) return plain(404, 'not a track');
  const row = db
    .prepare(
      `SELECT t.path, t.path_bytes, t.container, t.codec, r.path AS root
         FROM tracks t JOIN library_roots r ON r.id = t.root_id WHERE t.id = ?`,
    )
    .get(trackId) as
    { path: string; path_bytes: Buffer | null; container: string | null; codec: string | null; root: string } | undefined;
  if (!row) return plain(404, 'no such track');
  const real = await realPathInside(row.path_bytes ?? row.path, rootOnDisk(row.root, row.path_bytes));
  if (real === 'outside') return plain(403, 'this file lies outside the library folders (a link out of the library)');
  let handle: fs.promises.FileHandle;
  try {
    if (real === null) throw new Error('gone');
    handle = await fs.promises.open(real, fs.constants.O_RDONLY);
  } catch {
    return plain(404, 'the file of this track is missing (moved, deleted or on an unplugged drive)');
  }
  let size: number;
  let transcoded: VirtualWav | undefined;
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) {
      await handle.close();
      return plain(404, 'not a file');
    }
    size = stat.size;
    if (!browserPlays(row.container, row.codec)) {
      await handle.close();
      transcoded = await playbackTranscoder().open({ path: row.path_bytes ?? row.path, size, mtimeMs: stat.mtimeMs });
      size = transcoded.size;
    }
  } catch (error) {
    await handle.close().catch(() => undefined);
    if (error instanceof TranscodeError) return plain(415, `this track cannot be decoded for playback: ${error.message}`);
    return plain(404, 'the file of this track cannot be read');
  }
  const headers = new Headers({
    'Content-Type':
      transcoded?.contentType ?? CONTENT_TYPES[formatName(row.container ?? '', row.codec ?? '')] ?? 'application/octet-stream',
    'Accept-Ranges': 'bytes',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  const range = parseRange(request.range, size);
  if (range === 'unsatisfiable') {
    await handle.close().catch(() => undefined);
    headers.set('Content-Range', `bytes */${size}`);
    return new Response(null, { status: 416, headers });
  }
  const start = range?.start ?? 0;
  const end = range?.end ?? size - 1;
  headers.set('Content-Length', String(Math.max(0, end - start + 1)));
  if (range) headers.set('Content-Range', `bytes ${start}-${end}/${size}`);
  const status = range ? 206 : 200;
  if (method === 'HEAD' || size === 0) {
    await handle.close().catch(() => undefined);
    return new Response(null, { status, headers });
  }
  if (transcoded) return new Response(transcoded.body(start, end), { status, headers });
  const stream = handle.createReadStream({ start, end, autoClose: true });
  return new Response(Readable.toWeb(stream) as ReadableStream<Uint8Array>, { status, headers });
}
