import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { startAnalyseAndEmbed } from '../../src-main/core/pipeline/analyse-and-embed.ts';
import { openLibraryDatabase } from '../../src-main/core/db/open.ts';
import { scanLibrary } from '../../src-main/core/library/scanner.ts';
import { makeAnalysisLibrary } from '../fixtures/analysis/make-analysis-library.ts';
import { syntheticDataset, writeSyntheticLibrary } from '../../src-main/core/model/synthetic.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/cadenza.js');

function cadenza(args: string[]) {
  const result = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, CADENZA_DATA_DIR: '' }, timeout: 180_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('cadenza train / eval / model', () => {
  let dataDir: string;

  beforeAll(() => {
    dataDir = tempDir();
    const db = openLibraryDatabase(dataDir);
    writeSyntheticLibrary(db, syntheticDataset({ songs: 80, seed: 9, signal: 1 }));
    db.close();
  });

  it('train --json trains, stores the backend with the model, and embeds every song', () => {
    const run = cadenza(['train', '--data-dir', dataDir, '--epochs', '2', '--sampling', '1-to-n', '--negatives', '2', '--backend', 'wasm', '--json']);
    expect(run.status, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.backend.name).toBe('wasm');
    expect(out.epochsRun).toBe(2);
    expect(out.saved.activated).toBe(true);
    expect(out.embedded.count).toBe(80);
    const list = JSON.parse(cadenza(['model', '--data-dir', dataDir, '--json']).stdout);
    expect(list.models).toHaveLength(1);
    expect(list.models[0]).toMatchObject({ active: true, current: true, backend: 'wasm', embedded: 80 });
    const text = cadenza(['model', '--data-dir', dataDir]);
    expect(text.stdout).toMatch(/^\* 1 {2}triplet\/descriptors/); // the default model
  });

  it('a song analysed after training is embedded at once, without tags (cold start)', async () => {
    const lib = await makeAnalysisLibrary(path.join(tempDir(), 'new-music'));
    const db = openLibraryDatabase(dataDir);
    try {
      // Only the new folder: the synthetic library's folder does not exist on disk (a full scan would mark it unavailable).
      await scanLibrary(db, { addRoots: [lib.root], onlyRoots: [lib.root] });
      const piece = db.prepare("SELECT id FROM tracks WHERE path LIKE '%piece.flac'").get() as { id: number };
      const result = await startAnalyseAndEmbed({ dataDir, workers: 1 }).result;
      expect(result.analysed).toBe(lib.files.filter((f) => f.expect === 'features').length);
      expect(result.embedded).toBe(result.analysed);
      const row = db.prepare('SELECT length(embedding) AS bytes FROM track_embeddings e JOIN models m ON m.id = e.model_id WHERE m.active = 1 AND e.track_id = ?').get(piece.id);
      expect(row).toEqual({ bytes: 32 * 4 }); // the default model's 32-d space
      expect(db.prepare('SELECT COUNT(*) AS n FROM track_topics WHERE track_id = ?').get(piece.id)).toEqual({ n: 0 }); // no tags, no topics
    } finally {
      db.close();
    }
  });

  it('eval --json prints tables I, II and III with chance levels', () => {
    const run = cadenza(['eval', '--data-dir', dataDir, '--epochs', '1', '--seeds', '2', '--max-triplets', '512', '--json']);
    expect(run.status, run.stderr + run.stdout).toBe(0);
    const out = JSON.parse(run.stdout);
    for (const key of ['triplet', 'twonet', 'chance']) expect(out.tableI[key].top1.mean).toBeGreaterThanOrEqual(0);
    expect(Object.keys(out.tableII)).toEqual(['unbalanced', 'balanced', 'oneToN', 'chance']);
    expect(out.tableIII.rawMfcc.top1.mean).toBeGreaterThan(0);
    expect(out.tableI.chance.pairwise).toEqual({ mean: 0.5, std: 0 });
    expect(out.runs).toHaveLength(2);
    const md = cadenza(['eval', '--data-dir', dataDir, '--epochs', '1', '--seeds', '1', '--max-triplets', '256']);
    expect(md.stdout).toContain('| Triplet |');
    expect(md.stdout).toContain('Table III');
    expect(md.stdout).toContain('Single-topic groups (7)');
  });

  it('eval --model default --folds 2: the quality report, every row with mean ± sd and chance', () => {
    const run = cadenza(['eval', '--data-dir', dataDir, '--model', 'default', '--folds', '2', '--epochs', '8', '--max-triplets', '1024', '--json']);
    expect(run.status, run.stderr + run.stdout).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.kind).toBe('model');
    expect(out.settings).toMatchObject({ definition: 'descriptors', folds: 2 });
    expect(out.settings.testSongs.reduce((a: number, b: number) => a + b, 0)).toBe(80); // each song tested once
    expect(out.userToSong.chance.pairwise).toEqual({ mean: 0.5, std: 0 });
    expect(out.singleTopic.chance.precision10.mean).toBeCloseTo(1 / 7, 1);
    for (const m of ['learnedD', 'embeddingEuclidean', 'descriptorsEuclidean', 'mfccStatsEuclidean', 'rawMfccEuclidean', 'chance']) {
      expect(out.songToSong[m].top1.mean).toBeGreaterThanOrEqual(0);
      expect(out.songToSong[m].top1.std).toBeGreaterThanOrEqual(0);
    }
    // The synthetic topics are learnable: above chance on held-out songs even after 8 short epochs on 40 songs.
    expect(out.userToSong.model.pairwise.mean).toBeGreaterThan(0.53);
    expect(out.songToSong.descriptorsEuclidean.top1.mean).toBeGreaterThan(out.songToSong.chance.top1.mean + 0.2);
    const md = cadenza(['eval', '--data-dir', dataDir, '--model', 'default', '--seeds', '1', '--epochs', '1', '--max-triplets', '256']);
    expect(md.stdout).toContain('| single-topic (7) |');
    expect(md.stdout).toContain('| learned D over φ (the model) |');
    expect(cadenza(['eval', '--data-dir', dataDir, '--seeds', '2', '--folds', '3']).status).toBe(2);
  });

  it('usage errors exit 2', () => {
    expect(cadenza(['train', '--data-dir', dataDir, '--backend', 'bogus']).status).toBe(2);
    expect(cadenza(['train', '--data-dir', dataDir, '--sampling', 'sideways']).status).toBe(2);
    expect(cadenza(['eval', '--data-dir', dataDir, '--seeds', '0']).status).toBe(2);
    const empty = tempDir();
    expect(cadenza(['train', '--data-dir', empty])).toMatchObject({ status: 2, stderr: expect.stringContaining('topics fit') });
  });
});
