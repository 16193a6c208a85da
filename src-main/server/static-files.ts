import fs from 'node:fs';
import path from 'node:path';
import type { ServerResponse } from 'node:http';
import { sendText } from './respond.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

/** The renderer file for a URL path, or null for anything outside the renderer folder. */
export function resolveStatic(rendererDir: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const rel = decoded === '/' ? 'index.html' : decoded.replace(/^\/+/, '');
  const root = path.resolve(rendererDir);
  const file = path.resolve(root, rel);
  return file.startsWith(root + path.sep) ? file : null;
}

/** Serves one file of the built renderer (GET/HEAD); 404 for anything else. */
export function serveStatic(
  res: ServerResponse,
  rendererDir: string,
  urlPath: string,
  method: string,
  headers: Record<string, string>,
): void {
  const file = resolveStatic(rendererDir, urlPath);
  let stat: fs.Stats | undefined;
  try {
    stat = file ? fs.statSync(file) : undefined;
  } catch {
    stat = undefined;
  }
  if (!file || !stat?.isFile()) {
    sendText(res, 404, 'not found', headers);
    return;
  }
  const type = TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
  res.writeHead(200, {
    ...headers,
    'Content-Type': type,
    'Content-Length': String(stat.size),
    'Cache-Control': type.startsWith('text/html') ? 'no-store' : 'no-cache',
    'X-Content-Type-Options': 'nosniff',
  });
  if (method === 'HEAD') {
    res.end();
    return;
  }
  const stream = fs.createReadStream(file);
  // The file can vanish or fail to read after the stat (a rebuild, a disk error): without a listener that
  // 'error' event would crash the server. The headers are out, so the answer is cut short.
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}
