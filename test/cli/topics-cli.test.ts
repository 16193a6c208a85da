import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeFixtureLibrary, type FixtureLibrary } from '../fixtures/library/make-library.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/cadenza.js');

function cadenza(args: string[], cwd?: string) {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, CADENZA_DATA_DIR: '' },
    timeout: 120_000,
    ...(cwd ? { cwd } : {}),
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function json(args: string[], cwd?: string): unknown {
  const run = cadenza([...args, '--json'], cwd);
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as unknown;
}

const TOPIC_SHAPE = { id: expect.any(Number), label: expect.any(String), topTags: expect.any(Array), songs: expect.any(Number) };

describe('cadenza tag / tags / topics', () => {
  let lib: FixtureLibrary;
  let dataDir: string;

  beforeAll(async () => {
    lib = await makeFixtureLibrary(path.join(tempDir(), 'music'));
    dataDir = path.join(tempDir(), 'data');
    expect(cadenza(['scan', lib.root, '--data-dir', dataDir, '--json']).status).toBe(0);
  });

  it('topics show before any fit prints an empty list', () => {
    expect(json(['topics', 'show', '--data-dir', dataDir])).toEqual({ topics: [] });
  });

  it('tag add / remove / show work by path (relative to the current folder) and by id', () => {
    const t = lib.tracks.find((x) => x.id === 'opus')!;
    const added = json(['tag', 'add', t.relPath, 'Dream Pop', 'Shoe-gaze', '--data-dir', dataDir], lib.root) as {
      trackId: number;
      changed: string[];
    };
    expect(added.changed).toEqual(['dreampop', 'shoegaze']);
    const removed = json(['tag', 'remove', String(added.trackId), 'shoegaze', '--data-dir', dataDir]) as {
      changed: string[];
      tags: string[];
    };
    expect(removed.changed).toEqual(['shoegaze']);
    const shown = json(['tag', 'show', String(added.trackId), '--data-dir', dataDir]) as { user: string[]; tags: string[] };
    expect(shown.user).toEqual(['dreampop']);
    expect(shown.tags).toEqual(removed.tags);
    expect(cadenza(['tag', 'add', 'no/such.mp3', 'rock', '--data-dir', dataDir])).toMatchObject({
      status: 2,
      stderr: expect.stringContaining('no such track'),
    });
    expect(cadenza(['tag', 'add', String(added.trackId), 'misc', '--data-dir', dataDir])).toMatchObject({ status: 2 });
    expect(cadenza(['tag', 'frob', '--data-dir', dataDir])).toMatchObject({
      status: 2,
      stderr: expect.stringContaining('usage'),
    });
  });

  it('tags import reads a CSV keyed by artist + title and reports unmatched rows', () => {
    const t = lib.tracks.find((x) => x.id === 'flac-repeated-genre')!;
    const file = path.join(tempDir(), 'lastfm.csv');
    fs.writeFileSync(file, `artist,title,tag,count\n"${t.artist}","${t.title}",Neoclassical,100\nNobody,Nothing,rock,5\n`);
    const out = json(['tags', 'import', file, '--data-dir', dataDir]) as {
      matchedRows: number;
      added: number;
      unmatched: unknown[];
    };
    expect(out).toMatchObject({ matchedRows: 1, added: 1, unmatched: [{ line: 3, key: 'Nobody – Nothing' }] });
    const text = cadenza(['tags', 'import', file, '--data-dir', dataDir]);
    expect(text.stdout).toMatch(/1 row\(s\) matched no track/);
    const bad = path.join(tempDir(), 'bad.csv');
    fs.writeFileSync(bad, 'path,rating\na.mp3,5\n');
    expect(cadenza(['tags', 'import', bad, '--data-dir', dataDir])).toMatchObject({
      status: 2,
      stderr: expect.stringContaining('no tag column'),
    });
  });

  it('topics fit --json and topics show --json print {topics: [{id, label, topTags, songs}]}; the same seed refits the same topics', () => {
    const fit = json(['topics', 'fit', '--seed', '5', '--data-dir', dataDir]) as {
      fingerprint: string;
      changed: boolean;
      tagged: number;
      topics: { id: number; songs: number; topTags: string[] }[];
    };
    expect(fit.tagged).toBe(lib.tracks.length);
    expect(fit.changed).toBe(true);
    expect(fit.topics.map((t) => t.id)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    for (const t of fit.topics) expect(t).toEqual(TOPIC_SHAPE);
    const show = json(['topics', 'show', '--data-dir', dataDir]) as { topics: unknown[] };
    expect(Object.keys(show)).toEqual(['topics']);
    expect(show.topics).toEqual(fit.topics);
    const again = json(['topics', 'fit', '--seed', '5', '--data-dir', dataDir]) as { fingerprint: string; changed: boolean };
    expect(again).toMatchObject({ fingerprint: fit.fingerprint, changed: false });

    const text = cadenza(['topics', 'show', '--data-dir', dataDir]);
    expect(text.stdout).toMatch(/^Topic 1: .+\(\d+ songs?\)$/m);
    expect(text.stdout).toMatch(/^Topic 7: /m);
  });

  it('topics fit --k and --sweeps are honoured and checked', () => {
    const fit = json(['topics', 'fit', '--k', '3', '--sweeps', '50', '--data-dir', dataDir]) as {
      k: number;
      sweeps: number;
      topics: unknown[];
    };
    expect(fit).toMatchObject({ k: 3, sweeps: 50 });
    expect(fit.topics).toHaveLength(3);
    for (const bad of [
      ['--k', '0'],
      ['--k', '2.5'],
      ['--sweeps', 'many'],
      ['--seed', ''],
    ]) {
      expect(cadenza(['topics', 'fit', ...bad, '--data-dir', dataDir]).status, bad.join(' ')).toBe(2);
    }
    expect(cadenza(['topics', 'show', '--k', '3', '--data-dir', dataDir]).status).toBe(2);
  });

  it('topics fit --tags-file fits a Jamendo-style TSV without a library', () => {
    const file = path.join(tempDir(), 'tags.tsv');
    const rows = ['track_id\tartist_id\talbum_id\tduration\ttags'];
    const groups = [
      'genre---rock,instrument---guitar,genre---metal',
      'genre---classical,instrument---piano,instrument---violin',
      'genre---electronic,genre---house,genre---techno',
    ];
    for (let i = 0; i < 60; i++) rows.push(`track_${i}\tartist_${i % 7}\talbum_1\t100.0\t${groups[i % 3]}`);
    rows.push('track_x\tartist_1\talbum_1\t100.0\t');
    fs.writeFileSync(file, `${rows.join('\n')}\n`);
    const empty = path.join(tempDir(), 'empty-data');
    const out = json(['topics', 'fit', '--tags-file', file, '--k', '3', '--data-dir', empty]) as {
      songs: number;
      tagged: number;
      untagged: number;
      vocabularySize: number;
      topics: { id: number; songs: number; topTags: string[] }[];
    };
    expect(out).toMatchObject({ songs: 61, tagged: 60, untagged: 1, vocabularySize: 9 });
    expect(out.topics.map((t) => t.id)).toEqual([1, 2, 3]);
    for (const t of out.topics) expect(t).toEqual(TOPIC_SHAPE);
    // Three clean tag groups: each topic is one group, 20 songs each.
    expect(out.topics.map((t) => t.songs).sort()).toEqual([20, 20, 20]);
    expect(new Set(out.topics.map((t) => [...t.topTags.slice(0, 3)].sort().join(',')))).toEqual(
      new Set(['guitar,metal,rock', 'classical,piano,violin', 'electronic,house,techno']),
    );
    expect(fs.existsSync(path.join(empty, 'library.db'))).toBe(false);
  });
});
