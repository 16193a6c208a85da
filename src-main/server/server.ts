/**
 * Browser mode: the built renderer, the typed API (POST /api/call, validated by the same dispatcher as
 * IPC), the events (WebSocket /api/events) and the audio (/media/<id>, Range requests) over loopback
 * HTTP. Every request needs the token: it arrives once in the printed URL, is moved into an HttpOnly
 * SameSite=Strict cookie, and the URL is redirected to drop it.
 */
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ApiEmitter, ApiHandler, ArtSize } from '../api/contract.ts';
import { ART_ROUTE, artSizeOf, contentSecurityPolicy, MEDIA_ROUTE, resultBody } from '../api/contract.ts';
import { dispatchCall } from '../api/dispatch.ts';
import { mediaTrackId } from '../core/app/media.ts';
import {
  checkBindHost,
  cookieName,
  defaultLoopbackHost,
  isAllowedHostHeader,
  isLoopbackHost,
  newToken,
  parsePublicUrl,
  readCookie,
  tokenCookie,
  tokensEqual,
} from './auth.ts';
import { sendJsonText, sendResponse, sendText } from './respond.ts';
import { serveStatic } from './static-files.ts';

export const API_CALL_PATH = '/api/call';
export const API_EVENTS_PATH = '/api/events';
export const TOKEN_HEADER = 'x-cadenza-token';
const MAX_BODY = 1024 * 1024;

/** What the server needs from the app: the API and the media function. */
export interface ServedApp {
  handle: ApiHandler;
  media(trackId: number | null, request: { method?: string; range?: string | null }): Promise<Response>;
  /** A track's cover art (absent: every /art/ request is 404). */
  art?(trackId: number | null, request: { method?: string; size?: ArtSize }): Promise<Response>;
}

export interface ServerOptions {
  app: ServedApp;
  rendererDir: string;
  /** Default: a random 127.x.y.z on Linux, 127.0.0.1 elsewhere (see defaultLoopbackHost). Anything but loopback needs `allowRemote`. */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
  allowRemote?: boolean;
  token?: string;
  /** Where the browser reaches the server when that is not the bound address (an SSH tunnel's local end). */
  publicUrl?: string;
  /** How often WebSocket clients are pinged; one that has not answered the previous ping is dropped. */
  pingIntervalMs?: number;
}

export interface RunningServer {
  /** The URL to open, with the token (on the --public-url when one was given). */
  url: string;
  /** The bound address, http://host:port. */
  origin: string;
  port: number;
  token: string;
  /** Pushes an event to every connected UI. */
  broadcast: ApiEmitter;
  close(): Promise<void>;
}

const SECURITY_HEADERS = {
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** Where a leading run of slashes would make a redirect leave the server ("//evil.example/"), one remains. */
export function localRedirectTarget(url: URL): string {
  return `/${url.pathname.replace(/^[/\\]+/, '')}${url.search}`;
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  checkBindHost(options.host ?? '127.0.0.1', options.allowRemote ?? false);
  const publicUrl = options.publicUrl === undefined ? undefined : parsePublicUrl(options.publicUrl);
  const token = options.token ?? newToken();
  let port = 0;
  let loopbackOnly = true; // set once bound
  const accepted = publicUrl ? [publicUrl.hostPort] : [];

  const authorised = (req: IncomingMessage): boolean => {
    const header = req.headers[TOKEN_HEADER];
    if (typeof header === 'string') return tokensEqual(header, token);
    return tokensEqual(readCookie(req.headers.cookie, cookieName(port)), token);
  };
  /** A request from another page (a browser always sends Origin on POST and WebSocket) is refused. */
  const sameOrigin = (req: IncomingMessage): boolean => {
    const origin = req.headers.origin;
    return origin === undefined || origin === `http://${req.headers.host}` || origin === publicUrl?.origin;
  };
  const hostAllowed = (req: IncomingMessage) => isAllowedHostHeader(req.headers.host, port, loopbackOnly, accepted);

  const onRequest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!hostAllowed(req)) return sendText(res, 421, 'wrong host', SECURITY_HEADERS);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    const given = url.searchParams.get('token');
    if (given !== null) {
      // The first load: move the token into a cookie and drop it from the address bar and history.
      if (!tokensEqual(given, token)) return sendText(res, 401, 'wrong token', SECURITY_HEADERS);
      url.searchParams.delete('token');
      res.writeHead(303, {
        ...SECURITY_HEADERS,
        'Set-Cookie': tokenCookie(port, token),
        Location: localRedirectTarget(url),
        'Cache-Control': 'no-store',
      });
      return void res.end();
    }
    if (!authorised(req)) {
      return sendText(
        res,
        401,
        'Cadenza: open the address that `cadenza serve` printed (it carries the access token).',
        SECURITY_HEADERS,
      );
    }
    if (url.pathname === API_CALL_PATH) {
      if (method !== 'POST') return sendText(res, 405, 'use POST', { ...SECURITY_HEADERS, Allow: 'POST' });
      if (!sameOrigin(req)) return sendText(res, 403, 'cross-origin request refused', SECURITY_HEADERS);
      if (!/^application\/json\b/.test(req.headers['content-type'] ?? ''))
        return sendText(res, 415, 'expected application/json', SECURITY_HEADERS);
      let body: unknown;
      try {
        body = JSON.parse(await readBody(req));
      } catch (error) {
        return sendText(res, 400, `bad request body: ${(error as Error).message}`, SECURITY_HEADERS);
      }
      const { method: apiMethod, request } = (body && typeof body === 'object' ? body : {}) as {
        method?: unknown;
        request?: unknown;
      };
      return sendJsonText(
        res,
        200,
        resultBody(await dispatchCall(apiMethod, request ?? null, options.app.handle)),
        SECURITY_HEADERS,
      );
    }
    if (url.pathname.startsWith(MEDIA_ROUTE)) {
      const id = mediaTrackId(url.pathname.slice(MEDIA_ROUTE.length));
      const response = await options.app.media(id, { method, range: req.headers.range ?? null });
      return sendResponse(res, response, SECURITY_HEADERS);
    }
    if (url.pathname.startsWith(ART_ROUTE)) {
      const id = mediaTrackId(url.pathname.slice(ART_ROUTE.length));
      const response = options.app.art
        ? await options.app.art(id, { method, size: artSizeOf(url.searchParams) })
        : new Response('no cover art', { status: 404 });
      return sendResponse(res, response, SECURITY_HEADERS);
    }
    if (method !== 'GET' && method !== 'HEAD') return sendText(res, 405, 'method not allowed', SECURITY_HEADERS);
    const csp = contentSecurityPolicy([
      `ws://${req.headers.host}`,
      ...(publicUrl ? [publicUrl.origin.replace(/^http/, 'ws')] : []),
    ]);
    serveStatic(res, options.rendererDir, url.pathname, method, { ...SECURITY_HEADERS, 'Content-Security-Policy': csp });
  };

  const server = http.createServer((req, res) => {
    onRequest(req, res).catch((error: unknown) => {
      if (!res.headersSent)
        sendText(res, 500, `internal error: ${error instanceof Error ? error.message : String(error)}`, SECURITY_HEADERS);
      else res.destroy();
    });
  });
  server.requestTimeout = 0; // API calls such as a scan answer when the job ends

  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const clients = new Set<WebSocket>();
  /** Clients that answered the last ping (or connected since); the others are dropped at the next one. */
  const answered = new WeakSet<WebSocket>();
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const refuse = (status: string) => {
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (!hostAllowed(req)) return refuse('421 Misdirected Request');
    if (url.pathname !== API_EVENTS_PATH) return refuse('404 Not Found');
    if (!authorised(req)) return refuse('401 Unauthorized');
    if (!sameOrigin(req)) return refuse('403 Forbidden');
    wss.handleUpgrade(req, socket, head, (ws) => {
      clients.add(ws);
      answered.add(ws);
      ws.on('pong', () => answered.add(ws));
      ws.on('close', () => clients.delete(ws));
      ws.on('message', () => ws.close(1008, 'this socket only sends')); // events flow one way
    });
  });
  const ping = setInterval(() => {
    for (const ws of clients) {
      if (!answered.has(ws)) {
        ws.terminate();
        clients.delete(ws);
        continue;
      }
      answered.delete(ws);
      ws.ping();
    }
  }, options.pingIntervalMs ?? 30_000);
  ping.unref();

  const listen = (host: string) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  let host = options.host ?? defaultLoopbackHost();
  try {
    await listen(host);
  } catch (error) {
    // A system that routes only 127.0.0.1 to loopback: fall back to it (cookies then reach other local servers).
    if (options.host !== undefined || (error as NodeJS.ErrnoException).code !== 'EADDRNOTAVAIL') throw error;
    host = '127.0.0.1';
    await listen(host);
  }
  loopbackOnly = isLoopbackHost(host);
  port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const origin = `http://${urlHost}:${port}`;

  return {
    url: `${publicUrl?.origin ?? origin}/?token=${token}`,
    origin,
    port,
    token,
    broadcast: (event, payload) => {
      const message = JSON.stringify({ event, payload });
      for (const ws of clients) if (ws.readyState === ws.OPEN) ws.send(message);
    },
    close: async () => {
      clearInterval(ping);
      for (const ws of clients) ws.terminate();
      wss.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new Error('too large'));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
