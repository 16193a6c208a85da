import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { ApiHandler } from '../api/contract.ts';
import { tempDir } from '../../test/helpers/temp-dir.ts';
import { checkBindHost, cookieName, isAllowedHostHeader, isLoopbackHost, tokensEqual } from './auth.ts';
import { resolveStatic } from './static-files.ts';
import { startServer, type RunningServer } from './server.ts';

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
      app: { handle, media: async (id) => new Response(`track ${id}`, { status: id === null ? 404 : 200 }) },
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
    expect(server.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
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
    expect(page.headers['content-security-policy']).toContain(`ws://127.0.0.1:${server.port}`);
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
    const wsUrl = `ws://127.0.0.1:${server.port}/api/events`;
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
