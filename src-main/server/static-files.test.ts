import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/temp-dir.ts';
import { serveStatic } from './static-files.ts';

function get(port: number, urlPath: string): Promise<{ status: number; body: string } | { error: string }> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: urlPath }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', (error) => resolve({ error: error.message }));
      res.on('aborted', () => resolve({ error: 'aborted' }));
    });
    req.on('error', (error) => resolve({ error: error.message }));
  });
}

describe('serveStatic', () => {
  it('a file that fails to read after its stat cuts that answer short and the server keeps serving', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><p>ok</p>');
    // Linux: /proc/self/mem stats as a regular file but every read at offset 0 fails (EIO), which is what
    // a file deleted or a disk failing between the stat and the read looks like to the stream.
    fs.symlinkSync('/proc/self/mem', path.join(dir, 'unreadable.js'));
    const server = http.createServer((req, res) => serveStatic(res, dir, req.url ?? '/', req.method ?? 'GET', {}));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const broken = await get(port, '/unreadable.js');
      expect(broken).not.toMatchObject({ status: 200, body: expect.stringMatching(/.+/) });
      expect(await get(port, '/')).toEqual({ status: 200, body: '<!doctype html><p>ok</p>' });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
