import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeFixtureLibrary, type FixtureLibrary } from '../fixtures/library/make-library.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/cadenza.js');

function cadenza(args: string[], env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, CADENZA_DATA_DIR: '', ...env },
    timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('cadenza CLI', () => {
  let lib: FixtureLibrary;
  let dataDir: string;

  beforeAll(async () => {
    lib = await makeFixtureLibrary(path.join(tempDir(), 'music'));
    dataDir = path.join(tempDir(), 'data');
  });

  it('scan --json prints one object with indexed, unchanged, removed and failed, and exits 0 despite bad files', () => {
    const run = cadenza(['scan', lib.root, '--data-dir', dataDir, '--json']);
    expect(run.status, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.indexed).toBe(lib.tracks.length);
    expect(out.unchanged).toBe(0);
    expect(out.removed).toBe(0);
    expect(out.failed).toHaveLength(lib.bad.length);
    for (const f of out.failed) expect(f).toEqual({ path: expect.any(String), reason: expect.any(String) });

    const again = JSON.parse(cadenza(['scan', lib.root, '--data-dir', dataDir, '--json']).stdout);
    expect(again).toMatchObject({ indexed: 0, unchanged: lib.tracks.length });
  });

  it('library --json reports tracks, formats and failures; CADENZA_DATA_DIR works like --data-dir', () => {
    const run = cadenza(['library', '--json'], { CADENZA_DATA_DIR: dataDir });
    expect(run.status, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.tracks).toBe(lib.tracks.length);
    expect(Object.values(out.byFormat as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(lib.tracks.length);
    expect(Object.keys(out.byFormat)).toEqual(expect.arrayContaining(['mp3', 'flac', 'ogg', 'opus', 'm4a', 'alac', 'wav', 'aiff', 'wma']));
    expect(out.failed).toHaveLength(lib.bad.length);
    const text = cadenza(['library', '--data-dir', dataDir]);
    expect(text.stdout).toContain(`${lib.tracks.length} tracks`);
  });

  it('usage errors exit 2 with a message', () => {
    expect(cadenza(['frobnicate', '--data-dir', dataDir])).toMatchObject({ status: 2, stderr: expect.stringContaining('unknown command') });
    expect(cadenza(['scan', '--data-dir', dataDir])).toMatchObject({ status: 2, stderr: expect.stringContaining('usage') });
    expect(cadenza(['scan', path.join(dataDir, 'no-such-folder'), '--data-dir', dataDir])).toMatchObject({
      status: 2,
      stderr: expect.stringContaining('not a folder'),
    });
    expect(cadenza(['library', '--bogus'])).toMatchObject({ status: 2 });
    expect(cadenza(['--help'])).toMatchObject({ status: 0, stdout: expect.stringContaining('Usage: cadenza') });
  });

  it('a damaged database exits 3, says where it was moved, and is never overwritten', () => {
    const broken = tempDir();
    const garbage = Buffer.alloc(8192, 0x5a);
    fs.writeFileSync(path.join(broken, 'library.db'), garbage);
    const run = cadenza(['library', '--data-dir', broken]);
    expect(run.status).toBe(3);
    expect(run.stderr).toMatch(/damaged.*moved aside to .*library\.db\.corrupt-/s);
    const moved = fs.readdirSync(broken).find((f) => f.startsWith('library.db.corrupt-'));
    expect(moved).toBeDefined();
    expect(fs.readFileSync(path.join(broken, moved!)).equals(garbage)).toBe(true);
  });

  it('roots lists and removes library folders', () => {
    const list = JSON.parse(cadenza(['roots', '--json', '--data-dir', dataDir]).stdout);
    expect(list.roots.map((r: { path: string }) => r.path)).toEqual([lib.root]);
    const other = tempDir();
    const d2 = path.join(other, 'data');
    expect(cadenza(['scan', lib.root, '--data-dir', d2, '--json']).status).toBe(0);
    expect(cadenza(['roots', 'remove', lib.root, '--data-dir', d2]).status).toBe(0);
    expect(JSON.parse(cadenza(['library', '--json', '--data-dir', d2]).stdout).tracks).toBe(0);
    expect(fs.existsSync(path.join(lib.root, lib.tracks[0]!.relPathNfc ?? lib.tracks[0]!.relPath))).toBe(true);
  });
});

describe('cadenza analyze / features', () => {
  it('analyze --json reports analyzed, skipped and failed; features --json prints the 20 × 378 matrix', async () => {
    const { makeAnalysisLibrary } = await import('../fixtures/analysis/make-analysis-library.ts');
    const lib = await makeAnalysisLibrary(path.join(tempDir(), 'music'));
    const dataDir = path.join(tempDir(), 'data');
    expect(cadenza(['scan', lib.root, '--data-dir', dataDir, '--json']).status).toBe(0);
    const run = cadenza(['analyze', '--data-dir', dataDir, '--json', '--workers', '2']);
    expect(run.status, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout);
    const good = lib.files.filter((f) => f.expect === 'features').length;
    expect(out).toMatchObject({ analyzed: good, skipped: 0, cancelled: false });
    expect(out.failed).toHaveLength(lib.files.length - good);
    for (const f of out.failed) expect(f).toEqual({ path: expect.any(String), reason: expect.any(String) });
    const again = JSON.parse(cadenza(['analyze', '--data-dir', dataDir, '--json']).stdout);
    expect(again).toMatchObject({ analyzed: 0, skipped: good });

    const piece = lib.files.find((f) => f.name === 'piece.flac')!;
    const features = cadenza(['features', piece.path, '--json']);
    expect(features.status, features.stderr).toBe(0);
    const matrix = JSON.parse(features.stdout);
    expect(matrix.shape).toEqual([20, 378]);
    expect(matrix.values).toHaveLength(7560);
    expect(matrix.values.every((v: unknown) => typeof v === 'number' && Number.isFinite(v))).toBe(true);
    expect(matrix.clipStart).toBeCloseTo(5, 0);
    // Raw (not standardised) MFCC: c0 of a tone at −18 dBFS is a large negative number, other coefficients are not all zero.
    expect(matrix.values[0]).toBeLessThan(-50);
    // Feature version 2: the clip's descriptors by name (311), and how many views were described.
    expect(matrix.featureVersion).toBe(2);
    expect(matrix.descriptors.views).toBe(matrix.descriptors.viewPositions.length);
    expect(matrix.descriptors.views).toBeGreaterThanOrEqual(1);
    expect(Object.keys(matrix.descriptors.clip)).toHaveLength(311);
    expect(matrix.descriptors.clip['tempo']).toEqual(expect.any(Number));
    expect(Object.values(matrix.descriptors.clip).every((v) => typeof v === 'number' && Number.isFinite(v))).toBe(true);
    const tiny = lib.files.find((f) => f.name === 'tiny-3s.mp3')!;
    const refused = cadenza(['features', tiny.path, '--json']);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/less than 5 s/);
    expect(cadenza(['features', path.join(dataDir, 'nope.mp3')]).status).toBe(2);
  });
});
