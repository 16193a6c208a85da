/**
 * Attacks on browser mode: `cadenza serve`'s server (serveApp: the real app service over a scanned
 * library) probed with raw bytes on a socket (node:net), so no client normalises the paths first.
 * Each probe gets its refusal, and no answer ever carries a byte from outside the library or the
 * renderer (the secret files planted beside both, a file reached through a symlink, /etc/passwd).
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLibraryDatabase } from '../../src-main/core/db/open.ts';
import { scanLibrary } from '../../src-main/core/library/scanner.ts';
import { cookieName } from '../../src-main/server/auth.ts';
import { serveApp, type ServedAppHandle } from '../../src-main/server/serve-app.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const SECRET = 'CADENZA-SECRET-OUTSIDE-THE-LIBRARY';
const LINKED_SECRET = 'CADENZA-SECRET-BEHIND-A-SYMLINK';

/** A valid 16-bit mono PCM WAV of `seconds` of a tone, with `marker` in an extra chunk. */
function wav(seconds: number, marker: string): Buffer {
  const rate = 8000;
  const samples = Buffer.alloc(rate * seconds * 2);
  for (let i = 0; i < rate * seconds; i++)
    samples.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate)), i * 2);
  const fmt = Buffer.alloc(24);
  fmt.write('fmt ', 0);
  fmt.writeUInt32LE(16, 4);
  fmt.writeUInt16LE(1, 8); // PCM
  fmt.writeUInt16LE(1, 10); // mono
  fmt.writeUInt32LE(rate, 12);
  fmt.writeUInt32LE(rate * 2, 16);
  fmt.writeUInt16LE(2, 20);
  fmt.writeUInt16LE(16, 22);
  const note = Buffer.from(marker.padEnd(Math.ceil(marker.length / 2) * 2, ' '));
  const junk = Buffer.concat([Buffer.from('junk'), Buffer.alloc(4), note]);
  junk.writeUInt32LE(note.length, 4);
  const data = Buffer.concat([Buffer.from('data'), Buffer.alloc(4), samples]);
  data.writeUInt32LE(samples.length, 4);
  const body = Buffer.concat([Buffer.from('WAVE'), fmt, junk, data]);
  const riff = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), body]);
  riff.writeUInt32LE(body.length, 4);
  return riff;
}

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  raw: string;
}

/** A chunked body joined (the JSON answers are sent chunked). */
function dechunk(body: string): string {
  let out = '';
  let at = 0;
  for (;;) {
    const eol = body.indexOf('\r\n', at);
    const size = parseInt(body.slice(at, eol), 16);
    if (eol < 0 || !(size > 0)) return out;
    out += body.slice(eol + 2, eol + 2 + size);
    at = eol + 2 + size + 2;
  }
}

/**
 * Sends `request` verbatim and reads the answer until the server closes (every probe asks it to with
 * Connection: close, or is refused). The socket is not half-closed: a browser never does that.
 */
function raw(port: number, host: string, request: string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, host);
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      const head = split < 0 ? text : text.slice(0, split);
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const body = split < 0 ? '' : text.slice(split + 4);
      resolve({
        status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0),
        headers,
        body: headers['transfer-encoding'] === 'chunked' ? dechunk(body) : body,
        raw: text,
      });
    });
    socket.setTimeout(10_000, () => socket.destroy(new Error(`no answer to ${JSON.stringify(request.split('\r\n')[0])}`)));
    socket.write(request);
  });
}

describe('attacks on browser mode (raw sockets)', () => {
  let dir: string;
  let app: ServedAppHandle;
  let host: string;
  let port: number;
  let hostHeader: string;
  let cookie: string;
  let ids: { song: number; linkOut: number };
  let songSize: number;

  beforeAll(async () => {
    dir = tempDir();
    const music = path.join(dir, 'music');
    const privateDir = path.join(dir, 'private');
    const renderer = path.join(dir, 'renderer');
    for (const d of [music, privateDir, path.join(renderer, 'assets')]) fs.mkdirSync(d, { recursive: true });
    fs.writeFileSync(path.join(dir, 'secret.txt'), SECRET);
    fs.writeFileSync(path.join(music, 'song.wav'), wav(2, 'inside'));
    songSize = fs.statSync(path.join(music, 'song.wav')).size;
    fs.writeFileSync(path.join(privateDir, 'diary.wav'), wav(2, LINKED_SECRET));
    fs.symlinkSync(path.join(privateDir, 'diary.wav'), path.join(music, 'link-out.wav'));
    fs.writeFileSync(path.join(renderer, 'assets', 'app.js'), 'console.log("renderer");');
    fs.writeFileSync(path.join(renderer, 'index.html'), '<!doctype html><title>Cadenza</title>'); // newer than the sources: served as is

    const dataDir = path.join(dir, 'data');
    const db = openLibraryDatabase(dataDir);
    await scanLibrary(db, { addRoots: [music] });
    const idOf = (name: string) =>
      (db.prepare('SELECT id FROM tracks WHERE path = ?').get(path.join(music, name)) as { id: number }).id;
    ids = { song: idOf('song.wav'), linkOut: idOf('link-out.wav') };
    db.close();

    app = await serveApp({ dataDir, rendererDir: renderer, analysisWorkers: 1 });
    const origin = new URL(app.server.origin);
    host = origin.hostname;
    port = app.server.port;
    hostHeader = origin.host;
    cookie = `${cookieName(port)}=${app.server.token}`;
  });
  afterAll(() => app?.close());

  const get = (target: string, headers: string[] = [`Cookie: ${cookie}`]) =>
    raw(port, host, [`GET ${target} HTTP/1.1`, `Host: ${hostHeader}`, ...headers, 'Connection: close', '', ''].join('\r\n'));

  /** Nothing from outside the library or the renderer, whatever the status. */
  const leaksNothing = (a: RawAnswer) => {
    expect(a.raw).not.toContain(SECRET);
    expect(a.raw).not.toContain(LINKED_SECRET);
    expect(a.raw).not.toMatch(/root:.*:0:0:/);
  };

  it('serves the renderer and an indexed track to the token holder (the probes below are refused, not broken)', async () => {
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>Cadenza</title>');
    const song = await get(`/media/${ids.song}`);
    expect(song.status).toBe(200);
    expect(song.body).toContain('inside');
    expect(Number(song.headers['content-length'])).toBe(songSize);
  });

  it('path traversal: ../, %2e%2e, backslashes and double encoding find nothing outside the renderer', async () => {
    const probes = [
      '/../secret.txt',
      '/../../../../etc/passwd',
      '/assets/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
      '/assets/..%2f..%2fsecret.txt',
      '/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      '/..\\secret.txt',
      '/assets\\..\\..\\secret.txt',
      '/assets/..%5c..%5csecret.txt',
      '/%252e%252e/secret.txt',
      '/assets/%252e%252e%252f%252e%252e%252fsecret.txt',
      '/%c0%ae%c0%ae/secret.txt',
      '/assets/app.js%00.html',
      '/media/..%2f..%2fsecret.txt',
      '/media/../secret.txt',
      `/media/${ids.song}/../../secret.txt`,
      '/media/%2e%2e/%2e%2e/etc/passwd',
      // Cover art (issue 14) goes through the same id parsing and folder checks.
      '/art/..%2f..%2fsecret.txt',
      '/art/../secret.txt',
      `/art/${ids.song}/../../secret.txt`,
      '/art/%2e%2e/%2e%2e/etc/passwd',
      `/art/${ids.song}`, // an indexed track without art: 404, nothing else
    ];
    for (const probe of probes) {
      const a = await get(probe);
      expect([400, 404], probe).toContain(a.status);
      leaksNothing(a);
    }
  });

  it('a symlink in the library to a file outside it is refused, with or without a Range', async () => {
    for (const extra of [[], ['Range: bytes=0-100000']]) {
      const a = await get(`/media/${ids.linkOut}`, [`Cookie: ${cookie}`, ...extra]);
      expect(a.status).toBe(403);
      leaksNothing(a);
    }
    const art = await get(`/art/${ids.linkOut}`);
    expect(art.status).toBe(403);
    leaksNothing(art);
  });

  it('a Range beyond the file: 416 with the size, no body', async () => {
    for (const range of [`bytes=${songSize}-`, `bytes=${songSize + 1000}-${songSize + 2000}`, 'bytes=-0']) {
      const a = await get(`/media/${ids.song}`, [`Cookie: ${cookie}`, `Range: ${range}`]);
      expect(a.status, range).toBe(416);
      expect(a.headers['content-range']).toBe(`bytes */${songSize}`);
      expect(a.body).toBe('');
    }
  });

  it('a wrong Host (DNS rebinding) or none at all is refused before anything else', async () => {
    for (const wrongHost of [
      `evil.example:${port}`,
      `127.0.0.1.evil.example:${port}`,
      `${host}:${port + 1}`,
      `${host}:${port}@evil.example`,
    ]) {
      const a = await raw(port, host, `GET / HTTP/1.1\r\nHost: ${wrongHost}\r\nCookie: ${cookie}\r\nConnection: close\r\n\r\n`);
      expect([400, 421], wrongHost).toContain(a.status);
      expect(a.body).not.toContain('<title>Cadenza</title>');
    }
    const missing11 = await raw(port, host, `GET / HTTP/1.1\r\nCookie: ${cookie}\r\nConnection: close\r\n\r\n`);
    expect(missing11.status).toBe(400); // Node refuses HTTP/1.1 without Host
    const missing10 = await raw(port, host, `GET / HTTP/1.0\r\nCookie: ${cookie}\r\n\r\n`);
    expect(missing10.status).toBe(421);
    for (const a of [missing11, missing10]) expect(a.body).not.toContain('<title>Cadenza</title>');
  });

  it('no token, a wrong token (cookie, header or URL) and another port’s cookie are refused', async () => {
    const refusals = [
      await get('/', []),
      await get(`/media/${ids.song}`, []),
      await get(`/art/${ids.song}`, []),
      await get('/', [`Cookie: ${cookieName(port)}=wrong`]),
      await get('/', [`Cookie: ${cookieName(port + 1)}=${app.server.token}`]),
      await get('/', ['X-Cadenza-Token: wrong']),
      await get(`/media/${ids.song}`, [`Cookie: ${cookieName(port)}=${app.server.token.slice(0, -1)}`]),
      await get('/?token=wrong', []),
      await get(`/?token=${app.server.token}x`, []),
    ];
    for (const a of refusals) {
      expect(a.status).toBe(401);
      expect(a.headers['set-cookie']).toBeUndefined();
      expect(a.body).not.toContain('<title>Cadenza</title>');
      expect(a.body).not.toContain('inside');
    }
    const post = await raw(
      port,
      host,
      `POST /api/call HTTP/1.1\r\nHost: ${hostHeader}\r\nContent-Type: application/json\r\nContent-Length: 41\r\nConnection: close\r\n\r\n{"method":"library.summary","request":1}`,
    );
    expect(post.status).toBe(401);
  });

  it('the open redirect: the token link never sends the browser to another server', async () => {
    const token = app.server.token;
    for (const target of [
      `/a/..//evil.example/?token=${token}`,
      `//evil.example/?token=${token}`,
      `///evil.example/?token=${token}`,
      `/\\evil.example/?token=${token}`,
      `/\\/evil.example/?token=${token}`,
      `/%2f%2fevil.example/?token=${token}`,
      `/a/%2e%2e//evil.example/?token=${token}`,
    ]) {
      const a = await get(target, []);
      expect(a.status, target).toBe(303);
      const location = a.headers.location ?? '';
      expect(location, target).toMatch(/^\/(?![/\\])/);
      expect(new URL(location, `http://${hostHeader}`).host, target).toBe(hostHeader);
    }
  });

  it('a foreign Origin is refused on POST and on the WebSocket; the same origin is let in', async () => {
    const body = '{"method":"library.summary","request":null}';
    const post = (origin: string) =>
      raw(
        port,
        host,
        `POST /api/call HTTP/1.1\r\nHost: ${hostHeader}\r\nCookie: ${cookie}\r\nOrigin: ${origin}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
      );
    for (const origin of ['http://evil.example', 'null', `http://${host}:${port + 1}`, `https://${hostHeader}`]) {
      const a = await post(origin);
      expect(a.status, origin).toBe(403);
      expect(a.body).not.toContain('"ok"');
    }
    const same = await post(`http://${hostHeader}`);
    expect(same.status).toBe(200);
    expect(JSON.parse(same.body)).toMatchObject({ ok: true });

    const upgrade = (headers: string[]) =>
      raw(
        port,
        host,
        [
          'GET /api/events HTTP/1.1',
          `Host: ${hostHeader}`,
          'Upgrade: websocket',
          'Connection: Upgrade',
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
          'Sec-WebSocket-Version: 13',
          ...headers,
          '',
          '',
        ].join('\r\n'),
      );
    expect((await upgrade([`Cookie: ${cookie}`, 'Origin: http://evil.example'])).status).toBe(403);
    expect((await upgrade(['Origin: http://evil.example'])).status).toBe(401);
    expect((await upgrade([`Origin: http://${hostHeader}`])).status).toBe(401);
    const wrongHost = await raw(
      port,
      host,
      `GET /api/events HTTP/1.1\r\nHost: evil.example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nCookie: ${cookie}\r\n\r\n`,
    );
    expect(wrongHost.status).toBe(421);
  });
});
