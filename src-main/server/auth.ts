/** Browser mode's access control: a random token, checked in constant time, carried by a cookie. */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
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

/** Cookies are not kept apart by port, so each server's cookie carries its port in its name. */
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
 * On a loopback server, the Host header must name the server itself (a DNS-rebinding page would send
 * its own host name). Remote servers accept any Host; the token guards them.
 */
export function isAllowedHostHeader(hostHeader: string | undefined, port: number, loopbackOnly: boolean): boolean {
  if (!loopbackOnly) return true;
  if (!hostHeader) return false;
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(hostHeader);
  if (!m) return false;
  return isLoopbackHost(m[1]!) && Number(m[2] ?? 80) === port;
}
