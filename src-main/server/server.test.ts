import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { contentSecurityPolicy, type ApiHandler } from '../api/contract.ts';
import { tempDir } from '../../test/helpers/temp-dir.ts';
import {
  checkBindHost,
  cookieName,
  defaultLoopbackHost,
  isAllowedHostHeader,
  isLoopbackHost,
  parsePublicUrl,
  tokensEqual,
} from './auth.ts';
import { resolveStatic } from './static-files.ts';
import { localRedirectTarget, startServer, type RunningServer } from './server.ts';

function request(url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'GET', headers: options.headers ?? {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('browser-mode access control (pure parts)', () => {
  it('compares tokens exactly', () => {
    expect(tokensEqual('abc', 'abc')).toBe(true);
    expect(tokensEqual('abd', 'abc')).toBe(false);
    expect(tokensEqual('ab', 'abc')).toBe(false);
    expect(tokensEqual(null, 'abc')).toBe(false);
  });

  it('refuses to bind beyond loopback without the explicit flag', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', 'localhost']) expect(() => checkBindHost(host, false)).not.toThrow();
    for (const host of ['0.0.0.0', '::', '192.168.1.5', 'example.com']) {
      expect(isLoopbackHost(host)).toBe(false);
      expect(() => checkBindHost(host, false)).toThrow(/--allow-remote/);
      expect(() => checkBindHost(host, true)).not.toThrow();
    }
  });

  it('accepts only its own host names in the Host header on loopback (no DNS rebinding)', () => {
    expect(isAllowedHostHeader('127.0.0.1:8080', 8080, true)).toBe(true);
    expect(isAllowedHostHeader('localhost:8080', 8080, true)).toBe(true);
    expect(isAllowedHostHeader('[::1]:8080', 8080, true)).toBe(true);
    expect(isAllowedHostHeader('evil.example:8080', 8080, true)).toBe(false);
    expect(isAllowedHostHeader('127.0.0.1:8081', 8080, true)).toBe(false);
    expect(isAllowedHostHeader(undefined, 8080, true)).toBe(false);
    expect(isAllowedHostHeader('anything', 8080, false)).toBe(true);
  });

  it('accepts the host:port of a --public-url (an SSH tunnel on another local port), nothing else', () => {
    const tunnel = parsePublicUrl('http://localhost:9000');
    expect(tunnel).toEqual({ origin: 'http://localhost:9000', hostPort: 'localhost:9000' });
    expect(isAllowedHostHeader('localhost:9000', 8080, true, [tunnel.hostPort])).toBe(true);
    expect(isAllowedHostHeader('LOCALHOST:9000', 8080, true, [tunnel.hostPort])).toBe(true);
    expect(isAllowedHostHeader('localhost:9001', 8080, true, [tunnel.hostPort])).toBe(false);
    expect(isAllowedHostHeader('evil.example:9000', 8080, true, [tunnel.hostPort])).toBe(false);
    expect(parsePublicUrl('https://music.example').hostPort).toBe('music.example:443');
    for (const bad of ['localhost:9000', 'ftp://x', 'http://u:p@x/', 'http://x/sub', 'http://x/?a=1'])
      expect(() => parsePublicUrl(bad)).toThrow(/--public-url/);
  });

  it('picks a random loopback address per run on Linux, 127.0.0.1 elsewhere', () => {
    expect(defaultLoopbackHost('darwin')).toBe('127.0.0.1');
    expect(defaultLoopbackHost('win32')).toBe('127.0.0.1');
    const picked = new Set(Array.from({ length: 20 }, () => defaultLoopbackHost('linux')));
    expect(picked.size).toBeGreaterThan(15);
    for (const host of picked) {
      expect(host).toMatch(/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/);
      expect(isLoopbackHost(host)).toBe(true);
      expect(host.split('.').every((part) => Number(part) <= 255)).toBe(true);
      expect(host.endsWith('.0') || host.endsWith('.255')).toBe(false);
    }
  });

  it('never redirects off the server, however many slashes or backslashes lead the path', () => {
    const base = 'http://127.0.0.1:8080';
    expect(localRedirectTarget(new URL('/a/..//evil.example/?x=1', base))).toBe('/evil.example/?x=1');
    expect(localRedirectTarget(new URL(`${base}///evil.example/`))).toBe('/evil.example/');
    expect(localRedirectTarget(new URL('/', base))).toBe('/');
    expect(localRedirectTarget(new URL('/assets/a.js', base))).toBe('/assets/a.js');
  });

  it("the Content-Security-Policy allows no inline script or style, and index.html's copy says the same", () => {
    const policy = contentSecurityPolicy();
    expect(policy).not.toContain('unsafe-inline');
    expect(policy).not.toContain('unsafe-eval');
    expect(policy).toContain("style-src 'self';");
    const html = fs.readFileSync(path.join(import.meta.dirname, '../../src-renderer/index.html'), 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];
    // A <meta> policy cannot carry frame-ancestors (the header does).
    expect(meta).toBe(policy.replace("; frame-ancestors 'none'", ''));
  });

  it('serves only files inside the renderer folder', () => {
    expect(resolveStatic('/srv/r', '/')).toBe(path.resolve('/srv/r/index.html'));
    expect(resolveStatic('/srv/r', '/assets/a.js')).toBe(path.resolve('/srv/r/assets/a.js'));
    expect(resolveStatic('/srv/r', '/../secret')).toBeNull();
    expect(resolveStatic('/srv/r', '/%2e%2e/%2e%2e/etc/passwd')).toBeNull();
    expect(resolveStatic('/srv/r', '/a%00b')).toBeNull();
    expect(resolveStatic('/srv/r', '/%E0%A4%A')).toBeNull();
  });
});

describe('browser-mode server', () => {
  let server: RunningServer;
  let cookie: string;
  const calls: string[] = [];
  const handle: ApiHandler = async (method, req) => {
    calls.push(method);
    return { echo: req } as never;
  };

  beforeAll(async () => {
    const renderer = tempDir();
    fs.writeFileSync(path.join(renderer, 'index.html'), '<!doctype html><title>t</title>');
    server = await startServer({
      app: {
        handle,
        media: async (id) => {
          if (id === 13) throw new Error('the media function failed');
          return new Response(`track ${id}`, { status: id === null ? 404 : 200 });
        },
      },
      rendererDir: renderer,
    });
    cookie = `${cookieName(server.port)}=${server.token}`;
  });
  afterAll(() => server.close());

  const api = (body: unknown, headers: Record<string, string> = {}) =>
    request(`${server.origin}/api/call`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  it('listens on loopback only by default and refuses a remote bind without the flag', async () => {
    expect(server.origin).toMatch(/^http:\/\/127\.\d+\.\d+\.\d+:\d+$/);
    if (process.platform === 'linux') {
      // Each run its own address: the browser keeps the token cookie away from other servers on 127.0.0.1.
      const other = await startServer({ app: { handle, media: async () => new Response() }, rendererDir: '/nowhere' });
      try {
        expect(new URL(other.origin).hostname).not.toBe(new URL(server.origin).hostname);
        expect(new URL(server.origin).hostname).not.toBe('127.0.0.1');
      } finally {
        await other.close();
      }
    }
    await expect(
      startServer({ app: { handle, media: async () => new Response() }, rendererDir: '/nowhere', host: '0.0.0.0' }),
    ).rejects.toThrow(/refusing/);
  });

  it('refuses every page, API and media request without the token, or with a wrong one', async () => {
    expect((await request(`${server.origin}/`)).status).toBe(401);
    expect((await request(`${server.origin}/media/1`)).status).toBe(401);
    expect((await api({ method: 'library.summary', request: null })).status).toBe(401);
    expect((await api({ method: 'library.summary', request: null }, { Cookie: `${cookieName(server.port)}=wrong` })).status).toBe(
      401,
    );
    expect((await request(`${server.origin}/?token=wrong`)).status).toBe(401);
    expect(calls).toEqual([]);
  });

  it('moves the token from the URL into an HttpOnly SameSite cookie and redirects to drop it', async () => {
    const first = await request(server.url);
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe('/');
    const setCookie = first.headers['set-cookie']?.[0] ?? '';
    expect(setCookie).toContain(`${cookieName(server.port)}=${server.token}`);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    const page = await request(`${server.origin}/`, { headers: { Cookie: cookie } });
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).toContain(`ws://${new URL(server.origin).host}`);
  });

  it('runs API calls through the validating dispatcher', async () => {
    const ok = await api({ method: 'tracks.get', request: { ids: [3] } }, { Cookie: cookie });
    expect(JSON.parse(ok.body)).toEqual({ ok: true, value: { echo: { ids: [3] } } });
    const bad = await api({ method: 'tracks.get', request: { ids: ['x'] } }, { Cookie: cookie });
    expect(JSON.parse(bad.body)).toMatchObject({ ok: false, error: expect.stringMatching(/track id/) });
    const unknown = await api({ method: 'shell.exec', request: 'rm -rf /' }, { [`x-cadenza-token`]: server.token });
    expect(JSON.parse(unknown.body)).toMatchObject({ ok: false, error: expect.stringMatching(/unknown method/) });
    expect(calls).toEqual(['tracks.get']);
  });

  it('sends the security headers on every kind of answer: page, JSON, media, refusals and 500s', async () => {
    const answers = [
      await request(`${server.origin}/`, { headers: { Cookie: cookie } }),
      await api({ method: 'library.summary', request: null }, { Cookie: cookie }),
      await request(`${server.origin}/media/7`, { headers: { Cookie: cookie } }),
      await request(`${server.origin}/`),
      await request(`${server.origin}/media/13`, { headers: { Cookie: cookie } }),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 401, 500]);
    expect(answers[1]!.headers['content-type']).toMatch(/application\/json/);
    for (const a of answers) {
      expect(a.headers['x-content-type-options']).toBe('nosniff');
      expect(a.headers['x-frame-options']).toBe('DENY');
      expect(a.headers['referrer-policy']).toBe('no-referrer');
      expect(a.headers['cross-origin-resource-policy']).toBe('same-origin');
    }
  });

  it('refuses cross-origin posts, non-JSON bodies, foreign Host headers and other methods', async () => {
    expect(
      (await api({ method: 'library.summary', request: null }, { Cookie: cookie, Origin: 'http://evil.example' })).status,
    ).toBe(403);
    const form = await request(`${server.origin}/api/call`, {
      method: 'POST',
      headers: { Cookie: cookie, 'Content-Type': 'text/plain' },
      body: '{}',
    });
    expect(form.status).toBe(415);
    expect(
      (await request(`${server.origin}/`, { headers: { Cookie: cookie, Host: `evil.example:${server.port}` } })).status,
    ).toBe(421);
    expect((await request(`${server.origin}/api/call`, { headers: { Cookie: cookie } })).status).toBe(405);
    expect((await request(`${server.origin}/../../etc/passwd`, { headers: { Cookie: cookie } })).status).toBe(404);
  });

  it('serves media only for a track id', async () => {
    const media = await request(`${server.origin}/media/7`, { headers: { Cookie: cookie } });
    expect(media.body).toBe('track 7');
    expect((await request(`${server.origin}/media/..%2f..%2fetc%2fpasswd`, { headers: { Cookie: cookie } })).status).toBe(404);
  });

  it('delivers events over the WebSocket only to an authorised, same-origin client', async () => {
    const wsUrl = `ws://${new URL(server.origin).host}/api/events`;
    const refused = (headers: Record<string, string>) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(wsUrl, { headers });
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => resolve(101));
        ws.on('error', () => {});
      });
    expect(await refused({})).toBe(401);
    expect(await refused({ Cookie: cookie, Origin: 'http://evil.example' })).toBe(403);
    const ws = new WebSocket(wsUrl, { headers: { Cookie: cookie, Origin: server.origin } });
    await new Promise((resolve, reject) => {
      ws.on('open', resolve);
      ws.on('error', reject);
    });
    const message = new Promise<string>((resolve) => ws.on('message', (data) => resolve(String(data))));
    server.broadcast('library.changed', { reason: 'scan' });
    expect(JSON.parse(await message)).toEqual({ event: 'library.changed', payload: { reason: 'scan' } });
    ws.close();
  });
});

describe('browser-mode server behind a --public-url, and WebSocket liveness', () => {
  let server: RunningServer;
  const handle: ApiHandler = async () => ({}) as never;

  beforeAll(async () => {
    const renderer = tempDir();
    fs.writeFileSync(path.join(renderer, 'index.html'), '<!doctype html><title>t</title>');
    server = await startServer({
      app: { handle, media: async () => new Response('') },
      rendererDir: renderer,
      publicUrl: 'http://localhost:9000',
      pingIntervalMs: 150,
    });
  });
  afterAll(() => server.close());

  it('prints the public address and accepts its Host and Origin (the tunnel forwards them unchanged)', async () => {
    expect(server.url).toBe(`http://localhost:9000/?token=${server.token}`);
    const cookie = `${cookieName(server.port)}=${server.token}`;
    const page = await request(`${server.origin}/`, { headers: { Cookie: cookie, Host: 'localhost:9000' } });
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain('ws://localhost:9000');
    const call = await request(`${server.origin}/api/call`, {
      method: 'POST',
      headers: { Cookie: cookie, Host: 'localhost:9000', Origin: 'http://localhost:9000', 'Content-Type': 'application/json' },
      body: JSON.stringify({ method: 'library.summary', request: null }),
    });
    expect(call.status).toBe(200);
    expect((await request(`${server.origin}/`, { headers: { Cookie: cookie, Host: 'localhost:9001' } })).status).toBe(421);
  });

  it('drops a WebSocket client that stops answering pings, keeps one that answers', async () => {
    const connect = (autoPong: boolean) =>
      new Promise<WebSocket>((resolve, reject) => {
        const ws = new WebSocket(`ws://${new URL(server.origin).host}/api/events`, {
          headers: { [`x-cadenza-token`]: server.token },
          autoPong,
        });
        ws.on('open', () => resolve(ws));
        ws.on('error', reject);
      });
    const silent = await connect(false);
    const live = await connect(true);
    const closed = new Promise<number>((resolve) => silent.on('close', (code) => resolve(code)));
    const started = Date.now();
    expect(await closed).toBe(1006); // terminated, no closing handshake
    expect(Date.now() - started).toBeLessThan(2000);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(live.readyState).toBe(WebSocket.OPEN);
    live.close();
  });
});
