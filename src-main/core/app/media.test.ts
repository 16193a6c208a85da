import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from 'better-sqlite3';
import { tempDir } from '../../../test/helpers/temp-dir.ts';
import { mediaResponse, mediaTrackId, parseRange, rootOnDisk } from './media.ts';
import { insertTracks, openTestDb } from './test-db.ts';

const BYTES = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));

describe('parseRange', () => {
  it('reads single byte ranges, open-ended and suffix ranges, and clamps the end', () => {
    expect(parseRange('bytes=0-99', 1000)).toEqual({ start: 0, end: 99 });
    expect(parseRange('bytes=900-', 1000)).toEqual({ start: 900, end: 999 });
    expect(parseRange('bytes=-100', 1000)).toEqual({ start: 900, end: 999 });
    expect(parseRange('bytes=990-5000', 1000)).toEqual({ start: 990, end: 999 });
    expect(parseRange('bytes=-5000', 1000)).toEqual({ start: 0, end: 999 });
  });

  it('answers unsatisfiable ranges, and ignores absent, invalid or multi-range headers (whole file)', () => {
    expect(parseRange('bytes=1000-', 1000)).toBe('unsatisfiable');
    expect(parseRange('bytes=-0', 1000)).toBe('unsatisfiable');
    expect(parseRange(null, 1000)).toBeNull();
    expect(parseRange('bytes=5-2', 1000)).toBeNull();
    expect(parseRange('bytes=0-1,5-6', 1000)).toBeNull();
    expect(parseRange('items=0-1', 1000)).toBeNull();
  });
});

describe('mediaTrackId', () => {
  it('accepts only a positive integer id', () => {
    expect(mediaTrackId('42')).toBe(42);
    for (const bad of ['0', '-1', '1.5', '../../etc/passwd', '%2e%2e', '1/2', '', '01', '99999999999999999999'])
      expect(mediaTrackId(bad)).toBeNull();
  });
});

describe('mediaResponse', () => {
  let db: Database;
  let ids: { plain: number; rawName: number; missing: number; folder: number };
  let dir: string;

  beforeAll(() => {
    dir = tempDir();
    db = openTestDb(path.join(dir, 'data'));
    const music = path.join(dir, 'music');
    fs.mkdirSync(music);
    fs.writeFileSync(path.join(music, 'song.mp3'), BYTES);
    // A name that is not valid UTF-8: only its raw bytes open it (the stored path is the lossy decoding).
    const rawPath = Buffer.concat([Buffer.from(`${music}/caf`), Buffer.from([0xe9]), Buffer.from('.flac')]);
    fs.writeFileSync(rawPath, BYTES.subarray(0, 10));
    const [plain, rawName, missing, folder] = insertTracks(db, [
      { path: path.join(music, 'song.mp3') },
      { path: `${music}/caf\uFFFD.flac`, pathBytes: rawPath, container: 'FLAC', codec: 'FLAC' },
      { path: path.join(music, 'gone.mp3') },
      { path: music },
    ]);
    ids = { plain: plain!, rawName: rawName!, missing: missing!, folder: folder! };
  });
  afterAll(() => db.close());

  const body = async (r: Response) => Buffer.from(await r.arrayBuffer());

  it('serves the whole file with Accept-Ranges', async () => {
    const r = await mediaResponse(db, ids.plain);
    expect(r.status).toBe(200);
    expect(r.headers.get('accept-ranges')).toBe('bytes');
    expect(r.headers.get('content-type')).toBe('audio/mpeg');
    expect(r.headers.get('content-length')).toBe('1000');
    expect((await body(r)).equals(BYTES)).toBe(true);
  });

  it('serves a byte range as 206 with Content-Range, exactly those bytes', async () => {
    const r = await mediaResponse(db, ids.plain, { range: 'bytes=100-199' });
    expect(r.status).toBe(206);
    expect(r.headers.get('content-range')).toBe('bytes 100-199/1000');
    expect(r.headers.get('content-length')).toBe('100');
    expect((await body(r)).equals(BYTES.subarray(100, 200))).toBe(true);
    const tail = await mediaResponse(db, ids.plain, { range: 'bytes=-10' });
    expect(tail.headers.get('content-range')).toBe('bytes 990-999/1000');
    expect((await body(tail)).equals(BYTES.subarray(990))).toBe(true);
  });

  it('answers 416 for a range past the end, and HEAD without a body', async () => {
    const r = await mediaResponse(db, ids.plain, { range: 'bytes=5000-' });
    expect(r.status).toBe(416);
    expect(r.headers.get('content-range')).toBe('bytes */1000');
    const head = await mediaResponse(db, ids.plain, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('1000');
    expect(head.body).toBeNull();
  });

  it('opens a file by its raw path bytes', async () => {
    const r = await mediaResponse(db, ids.rawName);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('audio/flac');
    expect((await body(r)).equals(BYTES.subarray(0, 10))).toBe(true);
  });

  it('refuses unknown tracks, missing files, folders, and methods other than GET/HEAD', async () => {
    expect((await mediaResponse(db, 999_999)).status).toBe(404);
    expect((await mediaResponse(db, null)).status).toBe(404);
    const missing = await mediaResponse(db, ids.missing);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toMatch(/missing/);
    expect((await mediaResponse(db, ids.folder)).status).toBe(404);
    expect((await mediaResponse(db, ids.plain, { method: 'PUT' })).status).toBe(405);
  });
});

describe('mediaResponse and links out of the library', () => {
  let db: Database;
  let ids: { inside: number; linkOut: number; linkIn: number };

  beforeAll(() => {
    const dir = tempDir();
    db = openTestDb(path.join(dir, 'data'));
    const music = path.join(dir, 'music');
    const outside = path.join(dir, 'private');
    fs.mkdirSync(music);
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(music, 'song.mp3'), BYTES);
    fs.writeFileSync(path.join(outside, 'secret.mp3'), 'SECRET outside the library');
    fs.symlinkSync(path.join(outside, 'secret.mp3'), path.join(music, 'link-out.mp3'));
    fs.symlinkSync(path.join(music, 'song.mp3'), path.join(music, 'link-in.mp3'));
    // The library folder is itself reached through a link: its real path is what counts.
    fs.symlinkSync(music, path.join(dir, 'music-link'));
    const root = path.join(dir, 'music-link');
    db.prepare('INSERT INTO library_roots (id, path, added_at) VALUES (2, ?, 0)').run(root);
    const insert = db.prepare(
      `INSERT INTO tracks (root_id, path, size, mtime_ms, codec, container, genres, available, added_at, updated_at)
       VALUES (2, ?, 0, 0, 'MPEG 1 Layer 3', 'MPEG', '[]', 1, 0, 0)`,
    );
    const add = (name: string) => Number(insert.run(path.join(root, name)).lastInsertRowid);
    ids = { inside: add('song.mp3'), linkOut: add('link-out.mp3'), linkIn: add('link-in.mp3') };
  });
  afterAll(() => db.close());

  it('refuses a file whose real path lies outside its library folder, serves links that stay inside', async () => {
    const out = await mediaResponse(db, ids.linkOut);
    expect(out.status).toBe(403);
    expect(await out.text()).not.toContain('SECRET');
    expect((await mediaResponse(db, ids.linkOut, { range: 'bytes=0-5' })).status).toBe(403);
    for (const id of [ids.inside, ids.linkIn]) {
      const r = await mediaResponse(db, id);
      expect(r.status).toBe(200);
      expect(Buffer.from(await r.arrayBuffer()).equals(BYTES)).toBe(true);
    }
  });
});

describe('rootOnDisk', () => {
  it('takes the library folder from the raw path bytes (its stored name is lossy when not UTF-8)', () => {
    const raw = Buffer.concat([Buffer.from('/home/u/m'), Buffer.from([0xe9]), Buffer.from('dia/a/song.mp3')]);
    expect(rootOnDisk('/home/u/m\uFFFDdia', raw)).toEqual(raw.subarray(0, 13));
    expect(rootOnDisk('/home/u/m\uFFFDdia', null)).toBe('/home/u/m\uFFFDdia');
    expect(rootOnDisk('/', raw)).toBe('/');
    expect(rootOnDisk('/a/b/c/d/e/f', Buffer.from('/a/b'))).toBe('/a/b/c/d/e/f');
  });

  it('serves a track under a library folder whose name is not valid UTF-8', async () => {
    const dir = tempDir();
    const db = openTestDb(path.join(dir, 'data'));
    try {
      const rawRoot = Buffer.concat([Buffer.from(`${dir}/m`), Buffer.from([0xe9]), Buffer.from('dia')]);
      fs.mkdirSync(rawRoot);
      const rawFile = Buffer.concat([rawRoot, Buffer.from('/song.mp3')]);
      fs.writeFileSync(rawFile, BYTES);
      db.prepare('INSERT INTO library_roots (id, path, added_at) VALUES (3, ?, 0)').run(`${dir}/m\uFFFDdia`);
      const id = Number(
        db
          .prepare(
            `INSERT INTO tracks (root_id, path, path_bytes, size, mtime_ms, codec, container, genres, available, added_at, updated_at)
             VALUES (3, ?, ?, 0, 0, 'MPEG 1 Layer 3', 'MPEG', '[]', 1, 0, 0)`,
          )
          .run(`${dir}/m\uFFFDdia/song.mp3`, rawFile).lastInsertRowid,
      );
      const r = await mediaResponse(db, id);
      expect(r.status).toBe(200);
      expect(Buffer.from(await r.arrayBuffer()).equals(BYTES)).toBe(true);
    } finally {
      db.close();
    }
  });
});
