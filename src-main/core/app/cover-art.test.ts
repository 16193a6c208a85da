// Cover art from real files: the embedded front picture (MP3, FLAC), else a folder image in any case;
// never a file that is not an image, never one reached through a link out of the library folder, never
// for an unknown track; extracted once into the data folder and extracted again when the track changes.
// The thumbnail (`size: 'thumb'`) is made by the real thumbnail worker and kept beside the picture.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireFfmpeg } from '../../../test/fixtures/library/make-library.ts';
import { tempDir } from '../../../test/helpers/temp-dir.ts';
import jpeg from 'jpeg-js';
import { COVERS_DIR, coverArtResponse } from './cover-art.ts';
import { THUMB_SIZE } from './thumbnail-messages.ts';
import { ThumbnailClient } from './thumbnail-client.ts';
import { insertTracks, openTestDb } from './test-db.ts';

const ffmpeg = (...args: string[]) => execFileSync(requireFfmpeg(), ['-v', 'error', '-y', ...args]);

describe('cover art', () => {
  let db: Database;
  let dataDir: string;
  let music: string;
  let outsideImage: string;
  let ids: Record<'mp3' | 'flac' | 'folder' | 'none' | 'fake' | 'linked' | 'large' | 'largePng', number>;
  const thumbnails = new ThumbnailClient();

  beforeAll(() => {
    const dir = fs.realpathSync(tempDir());
    dataDir = path.join(dir, 'data');
    music = path.join(dir, 'music');
    for (const sub of ['embedded', 'folder', 'none', 'fake', 'linked', 'large', 'largePng'])
      fs.mkdirSync(path.join(music, sub), { recursive: true });
    const png = path.join(dir, 'red.png');
    ffmpeg('-f', 'lavfi', '-i', 'color=c=red:s=32x32', '-frames:v', '1', png);
    outsideImage = path.join(dir, 'outside.png');
    fs.copyFileSync(png, outsideImage);
    const tone = ['-f', 'lavfi', '-i', 'sine=d=1'];
    ffmpeg(
      ...tone,
      '-i',
      png,
      '-map',
      '0',
      '-map',
      '1',
      '-c:a',
      'libmp3lame',
      '-c:v',
      'copy',
      '-id3v2_version',
      '3',
      path.join(music, 'embedded/a.mp3'),
    );
    ffmpeg(
      ...tone,
      '-i',
      png,
      '-map',
      '0',
      '-map',
      '1',
      '-c:a',
      'flac',
      '-c:v',
      'copy',
      '-disposition:v',
      'attached_pic',
      path.join(music, 'embedded/b.flac'),
    );
    for (const sub of ['folder', 'none', 'fake', 'linked', 'large', 'largePng']) ffmpeg(...tone, path.join(music, sub, 't.mp3'));
    ffmpeg('-f', 'lavfi', '-i', 'testsrc2=s=1400x1400', '-frames:v', '1', path.join(music, 'large/cover.jpg'));
    ffmpeg('-f', 'lavfi', '-i', 'testsrc2=s=800x600', '-frames:v', '1', path.join(music, 'largePng/cover.png'));
    ffmpeg('-f', 'lavfi', '-i', 'color=c=blue:s=40x40', '-frames:v', '1', path.join(music, 'folder/Folder.JPG'));
    fs.writeFileSync(path.join(music, 'fake/cover.jpg'), 'not an image at all');
    fs.symlinkSync(outsideImage, path.join(music, 'linked/cover.png'));
    db = openTestDb(dataDir);
    db.prepare('UPDATE library_roots SET path = ? WHERE id = 1').run(music);
    const [mp3, flac, folder, none, fake, linked, large, largePng] = insertTracks(db, [
      { path: path.join(music, 'embedded/a.mp3') },
      { path: path.join(music, 'embedded/b.flac') },
      { path: path.join(music, 'folder/t.mp3') },
      { path: path.join(music, 'none/t.mp3') },
      { path: path.join(music, 'fake/t.mp3') },
      { path: path.join(music, 'linked/t.mp3') },
      { path: path.join(music, 'large/t.mp3') },
      { path: path.join(music, 'largePng/t.mp3') },
    ]);
    ids = {
      mp3: mp3!,
      flac: flac!,
      folder: folder!,
      none: none!,
      fake: fake!,
      linked: linked!,
      large: large!,
      largePng: largePng!,
    };
  });
  afterAll(async () => {
    db.close();
    await thumbnails.close();
  });

  const get = (id: number | null) => coverArtResponse(db, dataDir, id);

  it('serves the embedded picture, else a folder image (any case), sniffed by content', async () => {
    for (const id of [ids.mp3, ids.flac]) {
      const r = await get(id);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toBe('image/png');
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      const bytes = Buffer.from(await r.arrayBuffer());
      expect(bytes.subarray(1, 4).toString()).toBe('PNG');
    }
    const folder = await get(ids.folder);
    expect(folder.status).toBe(200);
    expect(folder.headers.get('content-type')).toBe('image/jpeg');
  });

  it('answers 404 without art, for a non-image named cover.jpg, a link out of the library, or an unknown track', async () => {
    expect((await get(ids.none)).status).toBe(404);
    expect((await get(ids.fake)).status).toBe(404);
    expect((await get(ids.linked)).status).toBe(404);
    expect((await get(99_999)).status).toBe(404);
    expect((await get(null)).status).toBe(404);
    expect((await coverArtResponse(db, dataDir, ids.mp3, { method: 'POST' })).status).toBe(405);
  });

  it('is kept in the data folder, and extracted again once the track file changes', async () => {
    expect((await get(ids.folder)).status).toBe(200);
    const cached = fs.readdirSync(path.join(dataDir, COVERS_DIR)).filter((f) => f.startsWith(`${ids.folder}-`));
    expect(cached).toHaveLength(1);
    fs.rmSync(path.join(music, 'folder/Folder.JPG'));
    expect((await get(ids.folder)).status).toBe(200); // from the cache: the track is unchanged
    const track = path.join(music, 'folder/t.mp3');
    fs.utimesSync(track, new Date(), new Date(Date.now() + 5000));
    expect((await get(ids.folder)).status).toBe(404); // changed: looked up again, the image is gone
  });

  it('serves a small JPEG thumbnail of a large picture, made once in the worker and kept; a small picture as stored', async () => {
    const full = await coverArtResponse(db, dataDir, ids.large, {}, thumbnails);
    const fullBytes = Buffer.from(await full.arrayBuffer());
    const thumb = await coverArtResponse(db, dataDir, ids.large, { size: 'thumb' }, thumbnails);
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('content-type')).toBe('image/jpeg');
    const bytes = Buffer.from(await thumb.arrayBuffer());
    expect(bytes.length).toBeLessThan(fullBytes.length / 3);
    const decoded = jpeg.decode(bytes, { useTArray: true });
    expect([decoded.width, decoded.height]).toEqual([THUMB_SIZE, THUMB_SIZE]);
    const kept = fs
      .readdirSync(path.join(dataDir, COVERS_DIR))
      .filter((f) => f.startsWith(`${ids.large}-`) && f.endsWith(`.t${THUMB_SIZE}`));
    expect(kept).toHaveLength(1);
    // Kept: a second request makes nothing (a maker that fails would otherwise fall back to the picture).
    const failing = { make: () => Promise.reject(new Error('not called')) };
    const again = await coverArtResponse(db, dataDir, ids.large, { size: 'thumb' }, failing);
    expect(Buffer.from(await again.arrayBuffer()).equals(bytes)).toBe(true);
    // The 32-px embedded PNG is small already: the thumbnail is the picture itself; without art, 404.
    const small = await coverArtResponse(db, dataDir, ids.mp3, { size: 'thumb' }, thumbnails);
    expect(small.headers.get('content-type')).toBe('image/png');
    expect((await coverArtResponse(db, dataDir, ids.none, { size: 'thumb' }, thumbnails)).status).toBe(404);
    // A worker that fails serves the picture as stored, and nothing is kept for it.
    const other = await coverArtResponse(db, dataDir, ids.largePng, { size: 'thumb' }, failing);
    expect(other.status).toBe(200);
    expect(other.headers.get('content-type')).toBe('image/png');
    const thumbsOf = (id: number) =>
      fs.readdirSync(path.join(dataDir, COVERS_DIR)).filter((f) => f.startsWith(`${id}-`) && f.includes('.t'));
    expect(thumbsOf(ids.largePng)).toEqual([]);
    // Small by its header: kept as "serve the picture" (an empty file) without asking the worker.
    expect(thumbsOf(ids.mp3)).toHaveLength(1);
    expect((await coverArtResponse(db, dataDir, ids.flac, { size: 'thumb' }, failing)).headers.get('content-type')).toBe(
      'image/png',
    );
    expect(thumbsOf(ids.flac)).toHaveLength(1);
  });
});
