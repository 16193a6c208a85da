import { spawnSync } from 'node:child_process';
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

interface PathJson {
  tracks: { id: number; artist: string; step: number; waypoint: boolean; why: string }[];
  largestStep: number;
  meanStep: number;
}

describe('cadenza path / similar --not / playlist order / mix limits (issue 16)', () => {
  let dataDir: string;
  let ids: number[];
  const run = (args: string[]) => cadenza([...args, '--data-dir', dataDir]);

  beforeAll(() => {
    dataDir = tempDir();
    const db = openLibraryDatabase(dataDir);
    ids = writeSyntheticLibrary(db, syntheticDataset({ songs: 80, seed: 9, signal: 1, songsPerArtist: 2 }));
    db.close();
    const train = run(['train', '--epochs', '2', '--sampling', '1-to-n', '--negatives', '2', '--json']);
    expect(train.status, train.stderr).toBe(0);
  }, 200_000);

  it('path A B C -n 9 --json: starts, passes and ends where asked, no repeats, one song per artist', () => {
    const out = run(['path', String(ids[0]), String(ids[40]), String(ids[79]), '-n', '9', '--max-per-artist', '1', '--json']);
    expect(out.status, out.stderr).toBe(0);
    const result = JSON.parse(out.stdout) as PathJson;
    const got = result.tracks.map((t) => t.id);
    expect(got).toHaveLength(9);
    expect([got[0], got.at(-1)]).toEqual([ids[0], ids[79]]);
    expect(got).toContain(ids[40]);
    expect(result.tracks.filter((t) => t.waypoint)).toHaveLength(3);
    expect(new Set(got).size).toBe(9);
    expect(new Set(result.tracks.map((t) => t.artist)).size).toBe(9);
    expect(result.largestStep).toBe(Math.max(...result.tracks.map((t) => t.step)));
    expect(run(['path', String(ids[0])]).status).toBe(2);
    const same = run(['path', String(ids[0]), String(ids[0])]);
    expect(same.status).toBe(2);
    expect(same.stderr).toMatch(/repeat/);
  }, 120_000);

  it('similar A --not B leaves B out and moves away from it; recommend takes the caps and the energy curve', () => {
    const plain = JSON.parse(run(['similar', String(ids[5]), '-n', '8', '--recent', '0', '--json']).stdout) as {
      tracks: { id: number }[];
    };
    const away = plain.tracks[0]!.id;
    const out = run(['similar', String(ids[5]), '--not', String(away), '-n', '8', '--recent', '0', '--json']);
    expect(out.status, out.stderr).toBe(0);
    const blended = JSON.parse(out.stdout) as { tracks: { id: number }[] };
    expect(blended.tracks.map((t) => t.id)).not.toContain(away);
    const capped = run([
      'recommend',
      '--topics',
      '1,2',
      '-n',
      '10',
      '--max-per-artist',
      '1',
      '--energy-curve',
      'rising',
      '--json',
    ]);
    expect(capped.status, capped.stderr).toBe(0);
    const artists = (JSON.parse(capped.stdout) as { tracks: { artist: string }[] }).tracks.map((t) => t.artist);
    expect(new Set(artists).size).toBe(artists.length);
    expect(run(['recommend', '--topics', '1', '--energy', '3']).status).toBe(2);
    // A radio from a track: the next songs, none of them the seed; two seeds at once are refused.
    const radio = run(['radio', String(ids[5]), '-n', '6', '--json']);
    expect(radio.status, radio.stderr).toBe(0);
    const next = (JSON.parse(radio.stdout) as { tracks: { id: number }[] }).tracks.map((t) => t.id);
    expect(next).toHaveLength(6);
    expect(next).not.toContain(ids[5]);
    expect(run(['radio', String(ids[5]), '--artist', 'artist 1']).status).toBe(2);
    // Artists like one: the nearest others, never itself.
    const similarArtists = run(['similar', '--artist', 'artist 3', '-n', '3', '--json']);
    expect(similarArtists.status, similarArtists.stderr).toBe(0);
    const groups = (JSON.parse(similarArtists.stdout) as { groups: { name: string; songs: number }[] }).groups;
    expect(groups).toHaveLength(3);
    expect(groups.map((g) => g.name)).not.toContain('artist 3');
    expect(run(['similar', '--artist', 'nobody here']).status).toBe(2);
    expect(run(['recommend', '--topics', '1', '--tempo', 'fast']).status).toBe(2);
  }, 120_000);

  it('playlist order NAME keeps the first song and the songs, and shortens the walk', () => {
    const chosen = [ids[3], ids[60], ids[10], ids[70], ids[20], ids[50], ids[1]].map(String);
    expect(run(['playlist', 'save', 'mixed', ...chosen]).status).toBe(0);
    const out = run(['playlist', 'order', 'mixed', '--json']);
    expect(out.status, out.stderr).toBe(0);
    const result = JSON.parse(out.stdout) as { trackIds: number[]; before: number; after: number };
    expect(result.trackIds[0]).toBe(ids[3]);
    expect([...result.trackIds].sort((a, b) => a - b)).toEqual(chosen.map(Number).sort((a, b) => a - b));
    expect(result.after).toBeLessThanOrEqual(result.before);
    const shown = JSON.parse(run(['playlist', 'show', 'mixed', '--json']).stdout) as { tracks: { id: number }[] };
    expect(shown.tracks.map((t) => t.id)).toEqual(result.trackIds);
    expect(run(['playlist', 'order', 'nothing-here']).status).toBe(2);
  }, 120_000);
});
