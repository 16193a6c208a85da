/** Browser mode's access control: a random token, checked in constant time, carried by a cookie. */
import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import net from 'node:net';

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Compares in time independent of where the strings differ (both are hashed to 32 bytes first). */
export function tokensEqual(given: string | null | undefined, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b) && given.length === expected.length;
}

/**
 * Cookies are not kept apart by port: a cookie set by 127.0.0.1:8080 is also sent to 127.0.0.1:9000, so
 * on a shared address every other local server would receive the token. The port in the name keeps two
 * Cadenza servers from overwriting each other; what isolates the token is the per-run loopback address
 * ({@link defaultLoopbackHost}).
 */
export function cookieName(port: number): string {
  return `cadenza_token_${port}`;
}

export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

export function tokenCookie(port: number, token: string): string {
  return `${cookieName(port)}=${token}; Path=/; HttpOnly; SameSite=Strict`;
}

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  if (h === 'localhost') return true;
  if (net.isIPv4(h)) return h.startsWith('127.');
  if (net.isIPv6(h)) return h === '::1' || /^::ffff:127\./i.test(h);
  return false;
}

export class BindRefusedError extends Error {}

/**
 * Throws unless `host` is a loopback address, or the caller explicitly allowed a remote bind (the
 * token then still protects every request, but it crosses the network in clear over plain HTTP).
 */
export function checkBindHost(host: string, allowRemote: boolean): void {
  if (isLoopbackHost(host) || allowRemote) return;
  throw new BindRefusedError(
    `refusing to listen on ${host}: it is reachable from other machines. Use a loopback address ` +
      '(the default, 127.0.0.1), or pass --allow-remote if you really mean to expose your library.',
  );
}

/**
 * The address `cadenza serve` binds when no --host is given. On Linux every 127.x.y.z reaches the
 * loopback interface, so each run takes a random one: the browser keys cookies by host name, and a
 * random host keeps the token cookie away from every other server on 127.0.0.1 (whatever its port).
 * Elsewhere (macOS configures only 127.0.0.1) it is 127.0.0.1.
 */
export function defaultLoopbackHost(platform: NodeJS.Platform = process.platform): string {
  if (platform !== 'linux') return '127.0.0.1';
  return `127.${randomInt(256)}.${randomInt(256)}.${1 + randomInt(254)}`;
}

/** Splits a Host header into its host name and port (80 when absent); null when it is not one. */
export function parseHostHeader(hostHeader: string): { host: string; port: number } | null {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]/\\@\s]+)(?::(\d{1,5}))?$/.exec(hostHeader);
  if (!m) return null;
  return { host: m[1]!.toLowerCase(), port: Number(m[2] ?? 80) };
}

/**
 * On a loopback server, the Host header must name the server itself (a DNS-rebinding page would send
 * its own host name): a loopback name with the listening port, or one of `accepted` ("host:port" of a
 * --public-url, e.g. the local end of an SSH tunnel on another port). Remote servers accept any Host;
 * the token guards them.
 */
export function isAllowedHostHeader(
  hostHeader: string | undefined,
  port: number,
  loopbackOnly: boolean,
  accepted: readonly string[] = [],
): boolean {
  if (!loopbackOnly) return true;
  if (!hostHeader) return false;
  const parsed = parseHostHeader(hostHeader);
  if (!parsed) return false;
  if (accepted.includes(`${parsed.host}:${parsed.port}`)) return true;
  return isLoopbackHost(parsed.host) && parsed.port === port;
}

/** A --public-url: where the browser reaches this server (an SSH tunnel, a proxy). Throws on anything else. */
export function parsePublicUrl(text: string): { origin: string; hostPort: string } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new BindRefusedError(`--public-url takes an address such as http://localhost:9000 (got ${text})`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password || url.search || url.hash)
    throw new BindRefusedError(`--public-url takes a plain http:// or https:// address (got ${text})`);
  if (url.pathname !== '/') throw new BindRefusedError(`--public-url cannot have a path (got ${text}); Cadenza is served at /`);
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  return { origin: url.origin, hostPort: `${url.hostname.toLowerCase()}:${port}` };
}
