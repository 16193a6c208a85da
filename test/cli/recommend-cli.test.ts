import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openLibraryDatabase } from '../../src-main/core/db/open.ts';
import { syntheticDataset, writeSyntheticLibrary } from '../../src-main/core/model/synthetic.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/cadenza.js');

function cadenza(args: string[]) {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, CADENZA_DATA_DIR: '' },
    timeout: 180_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('cadenza recommend / similar / feedback / playlist', () => {
  let dataDir: string;
  let ids: number[];
  const run = (args: string[]) => cadenza([...args, '--data-dir', dataDir]);

  beforeAll(() => {
    dataDir = tempDir();
    const db = openLibraryDatabase(dataDir);
    ids = writeSyntheticLibrary(db, syntheticDataset({ songs: 80, seed: 9, signal: 1 }));
    db.close();
    expect(run(['recommend', '--topics', '1']).status).toBe(2); // no model yet
    const train = run(['train', '--epochs', '2', '--sampling', '1-to-n', '--negatives', '2', '--json']);
    expect(train.status, train.stderr).toBe(0);
  }, 200_000);

  it('recommend --json prints {tracks: [{id, path, artist, title, distance, why}]} under the rules', () => {
    const out = run(['recommend', '--topics', '1,4', '-n', '12', '--json']);
    expect(out.status, out.stderr).toBe(0);
    const { tracks } = JSON.parse(out.stdout) as {
      tracks: { id: number; path: string; artist: string; title: string; distance: number; why: string }[];
    };
    expect(tracks).toHaveLength(12);
    for (const t of tracks) {
      expect(Object.keys(t).slice(0, 6)).toEqual(['id', 'path', 'artist', 'title', 'distance', 'why']);
      expect(typeof t.why).toBe('string');
      expect(t.why).toContain('distance');
    }
    expect(new Set(tracks.map((t) => t.id)).size).toBe(12);
    for (let i = 1; i < tracks.length; i++) expect(tracks[i]!.artist).not.toBe(tracks[i - 1]!.artist);
    const suggest = run(['tag', 'suggest', '--json']);
    expect(suggest.status, suggest.stderr).toBe(0);
    expect(JSON.parse(suggest.stdout)).toEqual({ suggestions: [], accepted: false, added: 0 }); // every synthetic song is tagged
    const text = run(['recommend', '--topics', '2', '-n', '3', '--explain']);
    expect(text.stdout).toMatch(/^ {2}1\. .*\n {5}why: /);
  });

  it("recommend --topics 1:2,4:1 weights the shares; --ranking nearest is the paper's single point", () => {
    const shares = (args: string[]) => {
      const out = run(['recommend', ...args, '-n', '12', '--json']);
      expect(out.status, out.stderr).toBe(0);
      const { tracks } = JSON.parse(out.stdout) as {
        tracks: { explanation: { standsFor: { id: number } | null; rankedBy: string } }[];
      };
      return tracks.map((t) => t.explanation);
    };
    const weighted = shares(['--topics', '1:2,4:1']);
    expect(weighted.filter((e) => e.standsFor?.id === 1)).toHaveLength(8);
    expect(weighted.filter((e) => e.standsFor?.id === 4)).toHaveLength(4);
    expect(weighted.every((e) => e.rankedBy === 'tags+audio')).toBe(true);
    const equal = shares(['--topics', '1,4']);
    expect(equal.filter((e) => e.standsFor?.id === 1)).toHaveLength(6);
    const nearest = shares(['--topics', '1,4', '--ranking', 'nearest']);
    expect(nearest.every((e) => e.standsFor === null && e.rankedBy === 'distance')).toBe(true);
    expect(run(['recommend', '--topics', '1:2,4', '--ranking', 'nearest']).status).toBe(2);
    expect(run(['recommend', '--topics', '1:0,4']).status).toBe(2);
  }, 300_000); // five CLI processes

  it('similar takes ids or paths; feedback changes what comes next', () => {
    const db = openLibraryDatabase(dataDir);
    const seedPath = (db.prepare('SELECT path FROM tracks WHERE id = ?').get(ids[3]) as { path: string }).path;
    db.close();
    const byPath = JSON.parse(run(['similar', seedPath, '-n', '5', '--json']).stdout) as { tracks: { id: number }[] };
    const byId = JSON.parse(run(['similar', String(ids[3]), '-n', '5', '--json']).stdout) as { tracks: { id: number }[] };
    expect(byPath.tracks.map((t) => t.id)).toEqual(byId.tracks.map((t) => t.id));
    expect(byId.tracks.map((t) => t.id)).not.toContain(ids[3]);

    const first = byId.tracks[0]!.id;
    const fb = run(['feedback', 'dislike', String(first), '--topics', '1', '--json']);
    expect(fb.status, fb.stderr).toBe(0);
    expect(JSON.parse(fb.stdout)).toMatchObject({ trackId: first, kind: 'dislike', topics: [1] });
    expect(run(['feedback', 'skip', String(ids[5]), '--position', '12.5']).status).toBe(0);
    const after = JSON.parse(run(['similar', String(ids[3]), '-n', '5', '--json']).stdout) as { tracks: { id: number }[] };
    expect(after.tracks.map((t) => t.id)).not.toContain(first);
  });

  it('playlist save --from-queue, show, export --m3u8', () => {
    const saved = run(['playlist', 'save', 'evening', '--from-queue', '--topics', '3', '-n', '6', '--json']);
    expect(saved.status, saved.stderr).toBe(0);
    expect(JSON.parse(saved.stdout).tracks).toHaveLength(6);
    expect(run(['playlist', 'save', 'two', String(ids[0]), String(ids[1])]).status).toBe(0);
    expect(JSON.parse(run(['playlist', 'list', '--json']).stdout).playlists).toEqual([
      expect.objectContaining({ name: 'evening', tracks: 6 }),
      expect.objectContaining({ name: 'two', tracks: 2 }),
    ]);
    const file = path.join(dataDir, 'two.m3u8');
    expect(run(['playlist', 'export', 'two', '--m3u8', file]).status).toBe(0);
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('#EXTM3U');
    expect(lines).toHaveLength(5);
    expect(lines[1]).toMatch(/^#EXTINF:-?\d+,artist 0 - song 0$/);
    expect(lines[2]).toMatch(/song-00000\.mp3$/);
  });

  it('train --from-feedback fine-tunes (or refuses) and model rollback goes back', () => {
    const none = run(['train', '--from-feedback']);
    expect(none.status).toBe(2);
    expect(none.stderr).toContain('personal triplets');
    expect(run(['model', 'rollback']).status).toBe(2); // only one model so far
    expect(run(['feedback', 'like', String(ids[10]), '--topics', '1']).status).toBe(0);
    const tuned = run(['train', '--from-feedback', '--epochs', '1', '--lr', '0.0001', '--backend', 'wasm', '--json']);
    expect(tuned.status, tuned.stderr).toBe(0);
    const out = JSON.parse(tuned.stdout) as {
      accepted: boolean;
      personalTriplets: number;
      baseModelId: number;
      saved: { modelId: number } | null;
    };
    expect(out.personalTriplets).toBeGreaterThan(0);
    const models = () => (JSON.parse(run(['model', '--json']).stdout) as { models: { id: number; active: boolean }[] }).models;
    if (out.accepted) {
      expect(models().find((m) => m.active)!.id).toBe(out.saved!.modelId);
      const back = run(['model', 'rollback', '--json']);
      expect(back.status, back.stderr).toBe(0);
      expect(JSON.parse(back.stdout)).toEqual({ active: out.baseModelId, previous: out.saved!.modelId });
    } else {
      expect(out.saved).toBeNull();
      expect(run(['model', 'rollback']).status).toBe(2);
    }
    expect(models().find((m) => m.active)!.id).toBe(out.baseModelId);
  });

  it('usage errors exit 2', () => {
    expect(run(['recommend']).status).toBe(2);
    expect(run(['recommend', '--topics', '0']).status).toBe(2);
    expect(run(['recommend', '--topics', '9']).status).toBe(2); // only 7 topics
    expect(run(['recommend', '--topics', '1', '--adventurous', 'lots']).status).toBe(2);
    expect(run(['similar', '/no/such/file.mp3']).status).toBe(2);
    expect(run(['feedback', 'love', String(ids[0])]).status).toBe(2);
    expect(run(['playlist', 'export', 'nope', '--m3u8', '/tmp/x.m3u8']).status).toBe(2);
  });
});
