// Crash and resume (issue 15): `kill -9` of the CLI process at a random moment of every long job — scan,
// analysis, topic fit, training, embedding, retraining — KILLS times each (default 5; CADENZA_CRASH_KILLS
// overrides). After every kill: PRAGMA integrity_check is ok, no analysed track is lost, and the active
// model (if any) has every analysed song embedded; after the last kill the next run finishes and resumes
// (does not redo what was kept). Moments come from a seeded RNG (CADENZA_CRASH_SEED), printed on failure.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { openLibraryDatabase } from '../../src-main/core/db/open.ts';
import { activeModel, missingEmbeddings } from '../../src-main/core/model/store.ts';
import { recordFeedback } from '../../src-main/core/recommend/feedback.ts';
import { addUserTags } from '../../src-main/core/topics/library-tags.ts';
import { createRng } from '../../src-main/core/topics/rng.ts';
import { makeAnalysisLibrary } from '../fixtures/analysis/make-analysis-library.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/cadenza.js');
const KILLS = Number(process.env.CADENZA_CRASH_KILLS ?? 5);
const SEED = Number(process.env.CADENZA_CRASH_SEED ?? 15);
const rng = createRng(SEED);
// Generous: on an idle 2-core machine a stage takes 5–20 s; on a loaded one several times that.
const STAGE_TIMEOUT_MS = 600_000;
const GENRES = [
  ['rock', 'guitar'],
  ['jazz', 'piano'],
  ['electronic', 'synth'],
  ['folk', 'acoustic'],
];
const TRAIN = ['--epochs', '3', '--backend', 'wasm', '--max-triplets', '256', '--batch-size', '32', '--seed', '3'];

let root: string;
let dataDir: string;
const log: string[] = [];

function cadenza(args: string[], dir = dataDir): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args, '--data-dir', dir], {
    encoding: 'utf8',
    env: { ...process.env, CADENZA_DATA_DIR: '' },
    timeout: 240_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs the command and kills it with SIGKILL `delayMs` after it started; false if it finished first. */
async function killAfter(args: string[], delayMs: number): Promise<boolean> {
  const child = spawn(process.execPath, [BIN, ...args, '--data-dir', dataDir], {
    stdio: 'ignore',
    env: { ...process.env, CADENZA_DATA_DIR: '' },
  });
  const exited = new Promise<string>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? String(code))));
  const timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
  const how = await exited;
  clearTimeout(timer);
  log.push(`${args[0]} ${args[1] ?? ''}: after ${delayMs.toFixed(0)} ms → ${how}`);
  return how === 'SIGKILL';
}

/** Measures one complete run (it must succeed) and returns its wall time. */
function timedRun(args: string[], dir = dataDir): number {
  const t = performance.now();
  const r = cadenza(args, dir);
  expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  return performance.now() - t;
}

function withDb<T>(fn: (db: Sqlite.Database) => T): T {
  const db = new Sqlite(path.join(dataDir, 'library.db'));
  db.pragma('busy_timeout = 10000');
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

const analysedIds = () =>
  withDb((db) => (db.prepare('SELECT track_id AS id FROM track_features').all() as { id: number }[]).map((r) => r.id));

/** The invariants that must hold after any kill. */
function checkAfterKill(before: number[], { modelComplete }: { modelComplete: boolean }): number[] {
  return withDb((db) => {
    expect(db.pragma('integrity_check', { simple: true }), log.join('\n')).toBe('ok');
    expect(db.pragma('foreign_key_check')).toEqual([]);
    const now = (db.prepare('SELECT track_id AS id FROM track_features').all() as { id: number }[]).map((r) => r.id);
    expect(now, `an analysed track was lost\n${log.join('\n')}`).toEqual(expect.arrayContaining(before));
    const model = activeModel(db);
    if (model && modelComplete)
      expect(missingEmbeddings(db, model.id), `active model ${model.id} lacks embeddings\n${log.join('\n')}`).toBe(0);
    return now;
  });
}

/** KILLS runs of `args`, each killed at a random moment within [lo, hi] × `typicalMs`; `prepare` makes work first. */
async function crashRuns(
  args: string[],
  typicalMs: number,
  check: { modelComplete: boolean },
  prepare: (i: number) => void = () => undefined,
): Promise<number> {
  let kept = analysedIds();
  let killed = 0;
  for (let i = 0; i < KILLS; i++) {
    prepare(i);
    if (await killAfter(args, typicalMs * (0.2 + 0.8 * rng.next()))) killed++;
    kept = checkAfterKill(kept, check);
  }
  return killed;
}

describe('crash and resume: kill -9 of the CLI during every job', () => {
  beforeAll(async () => {
    const lib = await makeAnalysisLibrary(path.join(tempDir(), 'music'));
    root = lib.root;
    // A second copy of the decodable files, so jobs run long enough to be cut.
    const copy = path.join(root, 'copy');
    fs.mkdirSync(copy);
    for (const f of lib.files.filter((x) => x.expect === 'features')) fs.copyFileSync(f.path, path.join(copy, f.name));
    dataDir = path.join(tempDir(), 'data');
  }, STAGE_TIMEOUT_MS);

  it(
    'scan: killed while reading, the next scan completes',
    async () => {
      const typical = timedRun(['scan', root]);
      const total = withDb((db) => (db.prepare('SELECT COUNT(*) AS n FROM tracks').get() as { n: number }).n);
      // Every run rereads every file: each attempt first changes every mtime.
      const killed = await crashRuns(['scan', root], typical, { modelComplete: true }, (i) => {
        const when = new Date(Date.now() + (i + 1) * 60_000);
        for (const dir of [root, path.join(root, 'copy')])
          for (const f of fs.readdirSync(dir)) if (f.includes('.')) fs.utimesSync(path.join(dir, f), when, when);
      });
      timedRun(['scan', root]);
      expect(withDb((db) => db.prepare('SELECT COUNT(*) AS n FROM tracks WHERE available = 1').get())).toEqual({ n: total });
      expect(killed, log.join('\n')).toBeGreaterThanOrEqual(Math.ceil(KILLS / 2));
    },
    STAGE_TIMEOUT_MS,
  );

  it(
    'analysis: killed mid-file, the next run does only what is left',
    async () => {
      // Tags for the topic fit later (set directly: tagging is not what this suite cuts).
      const db = openLibraryDatabase(dataDir);
      const ids = (db.prepare('SELECT id FROM tracks ORDER BY id').all() as { id: number }[]).map((r) => r.id);
      ids.forEach((id, i) => addUserTags(db, id, GENRES[i % GENRES.length]!));
      db.close();
      // How long the whole analysis takes here, measured on a copy of the library (a fixed guess was
      // longer than the native decoders' run, which then finished before every kill).
      const probe = path.join(tempDir(), 'probe-data');
      fs.cpSync(dataDir, probe, { recursive: true });
      const typical = timedRun(['analyze', '--workers', '1'], probe);
      // Kills within the first 80 % of that, so the first run at least is cut mid-way.
      const killed = await crashRuns(['analyze', '--workers', '1'], 0.8 * typical, { modelComplete: true });
      const kept = analysedIds();
      const run = cadenza(['analyze', '--json']);
      expect(run.status, run.stderr).toBe(0);
      const result = JSON.parse(run.stdout) as { analyzed: number; skipped: number };
      expect(result.skipped).toBe(kept.length);
      expect(
        withDb((d) =>
          d.prepare('SELECT (SELECT COUNT(*) FROM track_features) + (SELECT COUNT(*) FROM analysis_failures) AS n').get(),
        ),
      ).toEqual({ n: ids.length });
      expect(killed, log.join('\n')).toBeGreaterThanOrEqual(1);
    },
    STAGE_TIMEOUT_MS,
  );

  it(
    'topic fit: killed mid-fit, the previous topics stay whole and the next fit completes',
    async () => {
      const typical = timedRun(['topics', 'fit', '--k', '4', '--seed', '1']);
      const topics = () => withDb((db) => db.prepare('SELECT COUNT(*) AS n FROM track_topics').get() as { n: number });
      const fitted = topics();
      expect(fitted.n).toBeGreaterThan(0);
      await crashRuns(['topics', 'fit', '--k', '4', '--seed', '2'], typical, { modelComplete: true });
      expect(topics().n).toBeGreaterThan(0);
      timedRun(['topics', 'fit', '--k', '4', '--seed', '1']);
    },
    STAGE_TIMEOUT_MS,
  );

  it(
    'training: killed in an epoch or while embedding, the active model is always fully embedded; the next run resumes',
    async () => {
      await crashRuns(['train', ...TRAIN], 9_000, { modelComplete: true });
      const run = cadenza(['train', ...TRAIN, '--json']);
      expect(run.status, run.stderr).toBe(0);
      const result = JSON.parse(run.stdout) as { saved: { activated: boolean } };
      expect(result.saved.activated).toBe(true);
      checkAfterKill(analysedIds(), { modelComplete: true });
    },
    STAGE_TIMEOUT_MS,
  );

  it(
    'embedding: songs analysed after training; killed while embedding, the next run embeds the rest',
    async () => {
      // New songs: a third copy, scanned and analysed; `model embed` then has work.
      const more = path.join(root, 'more');
      fs.mkdirSync(more);
      for (const f of fs.readdirSync(path.join(root, 'copy'))) fs.copyFileSync(path.join(root, 'copy', f), path.join(more, f));
      timedRun(['scan', root]);
      await crashRuns(['analyze', '--workers', '1'], 6_000, { modelComplete: false });
      await crashRuns(['model', 'embed', '--backend', 'wasm'], 5_000, { modelComplete: false });
      timedRun(['analyze']);
      timedRun(['model', 'embed', '--backend', 'wasm']);
      checkAfterKill(analysedIds(), { modelComplete: true });
    },
    STAGE_TIMEOUT_MS,
  );

  it(
    'retraining from feedback: killed at any moment, the active model is whole; the next run finishes',
    async () => {
      const db = openLibraryDatabase(dataDir);
      const ids = (db.prepare('SELECT track_id AS id FROM track_features ORDER BY track_id').all() as { id: number }[]).map(
        (r) => r.id,
      );
      ids.forEach((id, i) =>
        recordFeedback(db, { trackId: id, kind: i % 2 === 0 ? 'like' : 'skip', position: null, topics: [1], modelId: null }),
      );
      db.close();
      const retrain = ['train', '--from-feedback', '--epochs', '2', '--backend', 'wasm'];
      await crashRuns(retrain, 8_000, { modelComplete: true });
      const run = cadenza([...retrain, '--json']);
      expect(run.status, run.stderr).toBe(0);
      checkAfterKill(analysedIds(), { modelComplete: true });
    },
    STAGE_TIMEOUT_MS,
  );
});
