// The cover cache follows the library: after a track's file changes (and the scan records it) its old
// picture and thumbnail go, a removed track's entries go, thumbnails of another size and temporary files
// a killed write left go; current entries, a write in progress and names the cache does not write stay.
// Real files, real pictures (ffmpeg), the real extraction and a real SQLite file.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireFfmpeg } from '../../../test/fixtures/library/make-library.ts';
import { tempDir } from '../../../test/helpers/temp-dir.ts';
import { COVERS_DIR, coverArtResponse } from './cover-art.ts';
import { AppService } from './app-service.ts';
import { pruneCoverCache } from './cover-cache-prune.ts';
import { insertTracks, openTestDb } from './test-db.ts';
import { THUMB_SIZE } from './thumbnail-messages.ts';

const ffmpeg = (...args: string[]) => execFileSync(requireFfmpeg(), ['-v', 'error', '-y', ...args]);

function library() {
  const dir = fs.realpathSync(tempDir());
  const dataDir = path.join(dir, 'data');
  const music = path.join(dir, 'music');
  const files = ['a', 'b', 'c'].map((name) => {
    fs.mkdirSync(path.join(music, name), { recursive: true });
    ffmpeg('-f', 'lavfi', '-i', 'sine=d=1', path.join(music, name, 't.mp3'));
    ffmpeg('-f', 'lavfi', '-i', 'color=c=red:s=40x40', '-frames:v', '1', path.join(music, name, 'cover.jpg'));
    return path.join(music, name, 't.mp3');
  });
  const db = openTestDb(dataDir);
  db.prepare('UPDATE library_roots SET path = ? WHERE id = 1').run(music);
  const ids = insertTracks(
    db,
    files.map((p) => ({ path: p })),
  );
  // What a scan records: the file's size and whole-millisecond mtime.
  const rescan = () => {
    for (const [i, file] of files.entries()) {
      const stat = fs.statSync(file);
      db.prepare('UPDATE tracks SET size = ?, mtime_ms = ? WHERE id = ?').run(stat.size, Math.trunc(stat.mtimeMs), ids[i]);
    }
  };
  rescan();
  return { db, dataDir, files, ids, rescan, covers: path.join(dataDir, COVERS_DIR) };
}

describe('pruneCoverCache', () => {
  it('removes what the library no longer has and keeps the rest', async () => {
    const { db, dataDir, files, ids, rescan, covers } = library();
    for (const id of ids) expect((await coverArtResponse(db, dataDir, id)).status).toBe(200);
    const entriesOf = (id: number) =>
      fs
        .readdirSync(covers)
        .filter((f) => f.startsWith(`${id}-`))
        .sort();
    const [a, b, c] = ids as [number, number, number];
    const oldA = entriesOf(a);
    expect(oldA).toHaveLength(1);
    // a's thumbnail entry as the thumbnail path writes it (a 40-px picture: an empty "serve it as stored").
    fs.writeFileSync(path.join(covers, `${oldA[0]}.t${THUMB_SIZE}`), '');
    // a's file changes and is rescanned; the next request caches the new picture beside the old one.
    fs.utimesSync(files[0]!, new Date(), new Date(Date.now() + 5000));
    rescan();
    expect((await coverArtResponse(db, dataDir, a)).status).toBe(200);
    const newA = entriesOf(a).filter((f) => !oldA.includes(f) && !f.startsWith(`${oldA[0]}.`));
    expect(newA).toHaveLength(1);
    // b leaves the library; c's thumbnail of another size is a leftover of an older version.
    db.prepare('DELETE FROM tracks WHERE id = ?').run(b);
    const [cEntry] = entriesOf(c);
    fs.writeFileSync(path.join(covers, `${cEntry}.t${THUMB_SIZE}`), 'jpeg');
    fs.writeFileSync(path.join(covers, `${cEntry}.t160`), 'jpeg');
    // Temporary files: one a killed write left an hour ago, one being written now; a name not the cache's.
    const killed = path.join(covers, `${cEntry}.123.1.tmp`);
    fs.writeFileSync(killed, 'half');
    fs.utimesSync(killed, new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000));
    fs.writeFileSync(path.join(covers, `${cEntry}.123.2.tmp`), 'half');
    fs.writeFileSync(path.join(covers, 'notes.txt'), 'mine');

    const result = await pruneCoverCache(db, dataDir);
    expect(fs.readdirSync(covers).sort()).toEqual(
      [...newA, cEntry!, `${cEntry}.t${THUMB_SIZE}`, `${cEntry}.123.2.tmp`, 'notes.txt'].sort(),
    );
    // Removed: a's old picture and thumbnail, b's picture, c's 160-px thumbnail, the killed write.
    expect(result).toEqual({ kept: 3, removed: 5, stopped: false });
    // The kept entries still serve, and a second prune finds nothing to do.
    expect((await coverArtResponse(db, dataDir, a)).status).toBe(200);
    expect(await pruneCoverCache(db, dataDir)).toEqual({ kept: 3, removed: 0, stopped: false });
    db.close();
  });

  it('stops at once when asked, and a library without a cache has nothing to do', async () => {
    const { db, dataDir, ids } = library();
    expect(await pruneCoverCache(db, dataDir)).toEqual({ kept: 0, removed: 0, stopped: false });
    for (const id of ids) await coverArtResponse(db, dataDir, id);
    db.prepare('DELETE FROM tracks').run();
    const stop = new AbortController();
    stop.abort();
    expect(await pruneCoverCache(db, dataDir, { signal: stop.signal })).toEqual({ kept: 0, removed: 0, stopped: true });
    expect((await pruneCoverCache(db, dataDir)).removed).toBe(3);
    db.close();
  });
});

describe('the app service keeps its cover cache', () => {
  it('after a rescan that sees a changed file, the old picture is gone and the new one serves', async () => {
    const root = path.join(fs.realpathSync(tempDir()), 'music');
    fs.mkdirSync(root);
    const track = path.join(root, 't.mp3');
    ffmpeg('-f', 'lavfi', '-i', 'sine=d=1', track);
    ffmpeg('-f', 'lavfi', '-i', 'color=c=red:s=40x40', '-frames:v', '1', path.join(root, 'cover.jpg'));
    const dataDir = path.join(tempDir(), 'data');
    const app = new AppService(dataDir, () => {}, { mode: 'browser', version: 'test' });
    try {
      app.open();
      await app.handle('library.scan', { folders: [root] });
      const [row] = (await app.handle('tracks.list', { offset: 0, limit: 10 })).tracks;
      expect((await app.art(row!.id)).status).toBe(200);
      const covers = path.join(dataDir, COVERS_DIR);
      const before = fs.readdirSync(covers);
      expect(before).toHaveLength(1);
      fs.utimesSync(track, new Date(), new Date(Date.now() + 5000));
      await app.handle('library.scan', { folders: [] });
      await app.coverCache.idle();
      expect(fs.readdirSync(covers)).toEqual([]);
      expect(app.coverCache.last).toMatchObject({ removed: 1, kept: 0 });
      expect((await app.art(row!.id)).status).toBe(200);
      expect(fs.readdirSync(covers)).toHaveLength(1);
      expect(fs.readdirSync(covers)).not.toEqual(before);
    } finally {
      await app.close();
    }
  }, 60_000);
});
