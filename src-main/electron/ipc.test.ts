import { describe, expect, it } from 'vitest';
import { dispatchIpcCall, isTrustedSender } from './ipc.ts';

const fromApp = { senderFrame: { url: 'app://cadenza/index.html' } } as never;
const fromWeb = { senderFrame: { url: 'https://evil.example/' } } as never;

describe('IPC wrapper', () => {
  it('trusts only the app origin (and the dev server when one is given)', () => {
    expect(isTrustedSender('app://cadenza/index.html')).toBe(true);
    expect(isTrustedSender('app://other/index.html')).toBe(false);
    expect(isTrustedSender('file:///etc/passwd')).toBe(false);
    expect(isTrustedSender(undefined)).toBe(false);
    expect(isTrustedSender('http://localhost:5173/', 'http://localhost:5173')).toBe(true);
    expect(isTrustedSender('http://localhost:5174/', 'http://localhost:5173')).toBe(false);
  });

  it('refuses unknown senders, unknown methods and bad arguments, and returns errors as values', async () => {
    let calls = 0;
    const handle = async () => {
      calls++;
      return { cancelled: false } as never;
    };
    expect(await dispatchIpcCall(fromWeb, 'library.summary', null, handle)).toEqual({
      ok: false,
      error: 'refused: unknown sender',
    });
    expect(await dispatchIpcCall(fromApp, 'fs.delete', null, handle)).toMatchObject({ ok: false, error: /unknown method/ });
    expect(await dispatchIpcCall(fromApp, 'library.scan', { folders: ['x'] }, handle)).toMatchObject({
      ok: false,
      error: /absolute/,
    });
    expect(calls).toBe(0);
    expect(await dispatchIpcCall(fromApp, 'library.cancelScan', null, handle)).toEqual({ ok: true, value: { cancelled: false } });
    const failing = async () => {
      throw new Error('disk on fire');
    };
    expect(await dispatchIpcCall(fromApp, 'library.summary', null, failing)).toEqual({ ok: false, error: 'disk on fire' });
  });
});
