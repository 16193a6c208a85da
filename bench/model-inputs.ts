// npm run bench:inputs -- --tracks N [--source DIR] [--train-epochs E] [--no-train] [--ways main,blob,new] [--temps cold,warm] [--json]
//   Issue 12: the default model's inputs read from their own narrow table (migration 0010) against the old
//   query (main before it: `track_features.descriptors`, stored after the 30 KB MFCC blob, so SQLite walks
//   the MFCC's overflow pages for every song), on the same database in one run.
//   Builds once (cached under .cache/bench-inputs/) a features-only library of N tracks at schema 9, the
//   version before the migration: the analysed rows of a real source library (default mer-dev analysed by
//   the real scan + analysis jobs; its topics fitted, run `cadenza topics fit` on it) replicated with ±1 %
//   jitter (bench/replicated-library.ts), each replica with its source song's topics. Then, on a copy:
//   1. migration 0010 (schema 9 → 10, backfill included), page cache of the file dropped first;
//   2. loading the default model's dataset three ways, each in a fresh process, with the file's page cache
//      dropped (cold: as after a reboot) and then again warm: main's query (`main`), the same blob read
//      along the path index (`blob`: the plan fix alone) and this change (`new`:
//      `loadLibraryDataset(db, { inputs: 'descriptors' })`); all must give identical songs and arrays
//      (compared by hash); then the embedding's read of the column both ways (pages of 2,048 by track id,
//      no network);
//   3. the whole training stage on the migrated library, through the app's own job (`model.train`, E
//      epochs, default 2, then save + embed), in a fresh process: wall, load time before the first batch,
//      time per epoch, peak RSS, and the full run projected from them (as bench:library does); the
//      training stage before is that stage with the first way's load in place of the new (warm figures
//      where measured: the app's open runs quick_check, which reads the whole file into the page cache).
//   Peak RSS: each phase's process VmHWM (workers are threads of it). The page cache is dropped per file
//   with `dd iflag=nocache count=0` (POSIX_FADV_DONTNEED; no root needed).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Database } from 'better-sqlite3';
import type { JobProgress } from '../src-main/api/types.ts';
import { FEATURE_VERSION } from '../src-main/core/analysis/dsp/index.ts';
import { blobToFeatures } from '../src-main/core/analysis/feature-store.ts';
import { AppService } from '../src-main/core/app/app-service.ts';
import { migrate, schemaVersion } from '../src-main/core/db/migrate.ts';
import { openLibraryDatabase } from '../src-main/core/db/open.ts';
import { loadLibraryDataset, type Dataset, type Song } from '../src-main/core/model/data.ts';
import { descriptorsDefinition } from '../src-main/core/model/definition.ts';
import { DESCRIPTOR_INPUT_LENGTH, descriptorInput } from '../src-main/core/model/inputs.ts';
import { plannedEpochs } from '../src-main/core/model/trainer.ts';
import { blobToFloat32, currentTopicModel } from '../src-main/core/topics/library-topics.ts';
import { analysedSource, BENCH_ROOT, jamendoRows, writeReplicatedLibrary } from './replicated-library.ts';

const { values } = parseArgs({
  options: {
    tracks: { type: 'string', default: '20000' },
    source: { type: 'string' },
    'train-epochs': { type: 'string', default: '2' },
    'no-train': { type: 'boolean', default: false },
    ways: { type: 'string' },
    temps: { type: 'string' },
    json: { type: 'boolean', default: false },
    // Internal: one measured phase in a fresh process.
    phase: { type: 'string' },
    'data-dir': { type: 'string' },
  },
});

function peakRssMb(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : process.resourceUsage().maxRSS / 1024;
}

/**
 * The baseline: main's `loadLibraryDataset(db, { inputs: 'descriptors' })` before migration 0010, verbatim
 * but for the names: the clip descriptors cut from `track_features.descriptors`. With `JOIN` it is main's
 * query (the planner scans the topic model's songs and sorts them for every page); with `CROSS JOIN` the
 * same blob read along the path index, as the new loader walks it: the two parts of the change apart.
 */
function loadDescriptorsFromFeaturesRow(db: Database, join: 'JOIN' | 'CROSS JOIN', pageRows = 2048): Dataset {
  const topics = currentTopicModel(db)!;
  const from = `FROM tracks t
       ${join} track_features f ON f.track_id = t.id AND f.feature_version = ?
       ${join} track_topics tt ON tt.track_id = t.id AND tt.model_id = ?
       WHERE t.available = 1`;
  const columns = `t.path AS path, t.id AS trackId, COALESCE(NULLIF(t.album_artist, ''), t.artist, '') AS artist,
    tt.topic_set AS topicSet, tt.dominant AS dominant, tt.theta AS theta, f.descriptors AS descriptors`;
  type Row = {
    path: string;
    trackId: number;
    artist: string;
    topicSet: string;
    dominant: number;
    theta: Buffer;
    descriptors: Buffer;
  };
  return db.transaction((): Dataset => {
    const { n, withDescriptors } = db
      .prepare(`SELECT COUNT(*) AS n, COUNT(f.descriptors) AS withDescriptors ${from}`)
      .get(FEATURE_VERSION, topics.id) as {
      n: number;
      withDescriptors: number;
    };
    if (n === 0 || withDescriptors !== n) throw new Error('baseline: not every song has descriptors');
    const descriptors = new Float32Array(n * DESCRIPTOR_INPUT_LENGTH);
    const first = db.prepare(`SELECT ${columns} ${from} ORDER BY t.path LIMIT ?`);
    const next = db.prepare(`SELECT ${columns} ${from} AND t.path > ? ORDER BY t.path LIMIT ?`);
    const artists = new Map<string, string>();
    const songs: Song[] = [];
    let last: string | null = null;
    while (songs.length < n) {
      const page = (
        last === null ? first.all(FEATURE_VERSION, topics.id, pageRows) : next.all(FEATURE_VERSION, topics.id, last, pageRows)
      ) as Row[];
      if (page.length === 0) break;
      for (const row of page) {
        const i = songs.length;
        if (i >= n) break;
        descriptors.set(descriptorInput(blobToFeatures(row.descriptors)), i * DESCRIPTOR_INPUT_LENGTH);
        let artist = artists.get(row.artist);
        if (artist === undefined) artists.set(row.artist, (artist = row.artist));
        songs.push({
          trackId: row.trackId,
          artist,
          topics: (JSON.parse(row.topicSet) as number[]).map((t) => t - 1),
          dominant: row.dominant - 1,
          theta: blobToFloat32(row.theta),
        });
      }
      last = page.at(-1)!.path;
    }
    return {
      k: topics.k,
      songs,
      width: 0,
      descriptors,
      descriptorWidth: DESCRIPTOR_INPUT_LENGTH,
      featureVersion: FEATURE_VERSION,
      topicFingerprint: topics.fingerprint,
    };
  })();
}

/** The embedding's read of every row's descriptor column in pages of 2,048 by track id (no network), old or new source. */
function readForEmbedding(db: Database, source: 'old' | 'new'): number {
  const page = db.prepare(
    source === 'old'
      ? 'SELECT f.track_id AS trackId, f.descriptors AS d FROM track_features f JOIN tracks t ON t.id = f.track_id WHERE f.feature_version = ? AND f.track_id > ? ORDER BY f.track_id LIMIT 2048'
      : 'SELECT f.track_id AS trackId, f.clip_descriptors AS d FROM track_model_inputs f JOIN tracks t ON t.id = f.track_id WHERE f.feature_version = ? AND f.track_id > ? ORDER BY f.track_id LIMIT 2048',
  );
  let after = 0;
  let rows = 0;
  let sum = 0;
  for (;;) {
    const part = page.all(FEATURE_VERSION, after) as { trackId: number; d: Buffer }[];
    if (part.length === 0) break;
    for (const r of part) sum += descriptorInput(blobToFeatures(r.d))[0]!;
    rows += part.length;
    after = part.at(-1)!.trackId;
  }
  if (!Number.isFinite(sum)) throw new Error('non-finite descriptors');
  return rows;
}

function datasetHash(d: Dataset): string {
  const h = createHash('sha256');
  h.update(Int32Array.from(d.songs, (s) => s.trackId));
  h.update(JSON.stringify(d.songs.map((s) => [s.artist, s.topics, s.dominant])));
  for (const s of d.songs) h.update(s.theta!);
  h.update(d.descriptors!);
  return h.digest('hex').slice(0, 16);
}

// ---------------------------------------------------------------------------------------------
// Phases, each in a fresh process (clean peak RSS, no cache in the JS heap).

if (values.phase) {
  // CPU time of the phase's process after its start (the wall times are at the machine's load's mercy).
  const cpuAtStart = process.cpuUsage();
  const dataDir = values['data-dir']!;
  const phase = values.phase;
  let out: Record<string, unknown>;
  if (phase === 'migrate') {
    const db = openLibraryDatabase(dataDir, { migrate: false });
    const from = schemaVersion(db);
    const t0 = performance.now();
    migrate(db);
    const migrateMs = performance.now() - t0;
    const t1 = performance.now();
    db.pragma('wal_checkpoint(TRUNCATE)');
    const checkpointMs = performance.now() - t1;
    const rows = (db.prepare('SELECT COUNT(*) AS n FROM track_model_inputs').get() as { n: number }).n;
    out = { from, to: schemaVersion(db), migrateMs, checkpointMs, rows };
    db.close();
  } else if (phase === 'load-main' || phase === 'load-blob' || phase === 'load-new') {
    const db = openLibraryDatabase(dataDir);
    const t0 = performance.now();
    const d =
      phase === 'load-new'
        ? loadLibraryDataset(db, { inputs: 'descriptors' })
        : loadDescriptorsFromFeaturesRow(db, phase === 'load-main' ? 'JOIN' : 'CROSS JOIN');
    const loadMs = performance.now() - t0;
    out = { loadMs, songs: d.songs.length, hash: datasetHash(d) };
    db.close();
  } else if (phase === 'embed-read-old' || phase === 'embed-read-new') {
    const db = openLibraryDatabase(dataDir);
    const t0 = performance.now();
    const rows = readForEmbedding(db, phase === 'embed-read-old' ? 'old' : 'new');
    out = { readMs: performance.now() - t0, rows };
    db.close();
  } else if (phase === 'train') {
    const epochs = Number(values['train-epochs']);
    const progress: { t: number; p: JobProgress }[] = [];
    const app = new AppService(
      dataDir,
      (event, payload) => {
        if (event === 'job.progress') progress.push({ t: performance.now(), p: payload as JobProgress });
      },
      { mode: 'browser', version: 'bench' },
    );
    app.open();
    const t0 = performance.now();
    const r = await app.handle('model.train', { epochs });
    const wallMs = performance.now() - t0;
    await app.close();
    // Load = from the job's start to its first progress report (the first batch), as bench:library measures it.
    const first = progress.find((x) => x.p.training);
    const last = progress.at(-1);
    const stageStart = first ? first.t - first.p.elapsedMs : t0;
    out = {
      wallMs,
      loadMs: first ? first.t - stageStart : null,
      epochsMs: first && last ? last.t - first.t : null,
      epochsRun: r.epochsRun,
      embedded: r.embedded,
      valAccuracy: r.valAccuracy,
    };
  } else throw new Error(`unknown phase ${phase}`);
  const cpu = process.cpuUsage(cpuAtStart);
  console.log(JSON.stringify({ ...out, cpuMs: (cpu.user + cpu.system) / 1000, peakRssMb: peakRssMb() }));
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------

const N = Number(values.tracks);
if (!Number.isInteger(N) || N < 20) throw new Error('--tracks N: at least 20');
const cacheDir = path.join(BENCH_ROOT, '.cache', 'bench-inputs', `schema9-${N}`);
const log = (s: string) => console.error(s);

function dropPageCache(dataDir: string): void {
  for (const f of ['library.db', 'library.db-wal']) {
    const file = path.join(dataDir, f);
    if (fs.existsSync(file)) spawnSync('dd', [`if=${file}`, 'iflag=nocache', 'count=0', 'status=none']);
  }
}

function phase<T>(name: string, dataDir: string, extra: string[] = []): T {
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', path.join(BENCH_ROOT, 'bench', 'model-inputs.ts'), '--phase', name, '--data-dir', dataDir, ...extra],
    {
      encoding: 'utf8',
      maxBuffer: 64 * 2 ** 20,
    },
  );
  if (child.status !== 0) throw new Error(`phase ${name} failed:\n${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').at(-1)!) as T;
}

log(`bench:inputs — ${N} tracks, ${os.cpus().length} cores, load ${os.loadavg()[0]!.toFixed(1)}`);
if (!fs.existsSync(path.join(cacheDir, '.complete'))) {
  const sourceDir = await analysedSource(values.source);
  fs.rmSync(cacheDir, { recursive: true, force: true });
  log(`building ${N} replicated tracks at schema 9 from ${sourceDir} under ${cacheDir} (once)…`);
  const t0 = performance.now();
  writeReplicatedLibrary(cacheDir, sourceDir, N, jamendoRows(), { copyTopics: true, schema: 9 });
  const db = openLibraryDatabase(cacheDir, { migrate: false });
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  log(`  built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  fs.writeFileSync(path.join(cacheDir, '.complete'), '');
}
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cadenza-bench-inputs-'));
fs.copyFileSync(path.join(cacheDir, 'library.db'), path.join(dataDir, 'library.db'));
const dbMb = () => fs.statSync(path.join(dataDir, 'library.db')).size / 2 ** 20;
const sizeBefore = dbMb();

type Migrated = {
  from: number;
  to: number;
  migrateMs: number;
  checkpointMs: number;
  rows: number;
  cpuMs: number;
  peakRssMb: number;
};
type Loaded = { loadMs: number; cpuMs: number; songs: number; hash: string; peakRssMb: number };
type EmbedRead = { readMs: number; cpuMs: number; rows: number; peakRssMb: number };
type Trained = {
  wallMs: number;
  loadMs: number | null;
  epochsMs: number | null;
  epochsRun: number;
  embedded: number;
  valAccuracy: number | null;
  peakRssMb: number;
};

const WAYS = ['main', 'blob', 'new'] as const;
type Way = (typeof WAYS)[number];
const WAY_NAMES: Record<Way, string> = {
  main: "main's query (track_features.descriptors, planner's order)",
  blob: 'track_features.descriptors along the path index',
  new: 'track_model_inputs along the path index (this change)',
};
const ways = (values.ways ?? WAYS.join(',')).split(',') as Way[];
const temps = (values.temps ?? 'cold,warm').split(',') as ('cold' | 'warm')[];
if (!ways.every((w) => WAYS.includes(w)) || !ways.includes('new')) throw new Error(`--ways: some of ${WAYS.join(',')}, with new`);

try {
  dropPageCache(dataDir);
  log('migration 0010 (cold)…');
  const migrated = phase<Migrated>('migrate', dataDir);
  log(`  ${(migrated.migrateMs / 1000).toFixed(2)} s + checkpoint ${(migrated.checkpointMs / 1000).toFixed(2)} s`);
  if (migrated.from !== 9 || migrated.to < 10 || migrated.rows !== N) throw new Error(`migration: ${JSON.stringify(migrated)}`);
  const runs: Record<string, Loaded> = {};
  for (const temp of temps) {
    for (const way of ways) {
      if (temp === 'cold') dropPageCache(dataDir);
      log(`load ${way} (${temp})…`);
      runs[`${way}-${temp}`] = phase<Loaded>(`load-${way}`, dataDir);
      log(
        `  ${(runs[`${way}-${temp}`]!.loadMs / 1000).toFixed(2)} s wall, ${(runs[`${way}-${temp}`]!.cpuMs / 1000).toFixed(2)} s CPU`,
      );
    }
  }
  const hashes = new Set(Object.values(runs).map((r) => r.hash));
  if (hashes.size !== 1 || Object.values(runs).some((r) => r.songs !== N))
    throw new Error(`the loads differ: ${JSON.stringify(runs)}`);
  const embedReads: Record<string, EmbedRead> = {};
  for (const way of ['old', 'new'] as const) {
    dropPageCache(dataDir);
    log(`embedding read ${way} (cold)…`);
    embedReads[way] = phase<EmbedRead>(`embed-read-${way}`, dataDir);
  }
  let trained: Trained | null = null;
  if (!values['no-train']) {
    dropPageCache(dataDir);
    log(`training stage (model.train, ${values['train-epochs']} epochs, then save + embed; cold)…`);
    trained = phase<Trained>('train', dataDir, ['--train-epochs', values['train-epochs']!]);
  }
  const def = descriptorsDefinition.training!;
  const fullPlan = plannedEpochs({ epochs: def.epochs!, runTriplets: def.runTriplets! }, def.tripletBudget!);
  const perEpochS =
    trained && trained.epochsMs !== null && trained.epochsRun > 0 ? trained.epochsMs / 1000 / trained.epochsRun : null;
  // The app's open runs quick_check, which reads the whole file: the training stage loads from a warm page
  // cache, so its "before" swaps in the warm figures where the run has them.
  const temp = temps.includes('warm') ? 'warm' : temps[0]!;
  const baseline = runs[`${ways[0]}-${temp}`]!;
  const after = runs[`new-${temp}`]!;
  const report = {
    tracks: N,
    cores: os.cpus().length,
    loadAtEnd: os.loadavg()[0],
    databaseMb: { before: sizeBefore, after: dbMb() },
    migration: migrated,
    loads: runs,
    identical: true,
    embedReads,
    trained,
    projection:
      trained && perEpochS !== null && trained.loadMs !== null
        ? {
            plannedEpochs: fullPlan,
            perEpochS,
            // The stage's load other than the dataset read (worker start, backend, pools) stays; the read changes.
            baseline: `${ways[0]}, ${temp}`,
            afterMin: (trained.loadMs / 1000 + perEpochS * fullPlan) / 60,
            beforeMin: ((trained.loadMs - after.loadMs + baseline.loadMs) / 1000 + perEpochS * fullPlan) / 60,
          }
        : null,
  };
  if (values.json) console.log(JSON.stringify(report, null, 2));
  else {
    const s = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
    const mb = (x: number) => `${x.toFixed(0)} MB`;
    console.log(
      `\n${N} tracks (features-only, replicated), database ${mb(sizeBefore)} → ${mb(report.databaseMb.after)}; load average at the end ${report.loadAtEnd!.toFixed(1)} on ${report.cores} cores`,
    );
    console.log(
      `migration 0010 (cold, ${migrated.rows} rows backfilled): ${s(migrated.migrateMs)} + WAL checkpoint ${s(migrated.checkpointMs)} (process CPU ${s(migrated.cpuMs)}), peak RSS ${mb(migrated.peakRssMb)}`,
    );
    console.log(`| dataset load (${N} songs) | page cache | wall | × the new | CPU (process) | peak RSS |`);
    console.log('| --- | --- | ---: | ---: | ---: | ---: |');
    for (const t of temps)
      for (const w of ways) {
        const r = runs[`${w}-${t}`]!;
        console.log(
          `| ${WAY_NAMES[w]} | ${t} | ${s(r.loadMs)} | ${(r.loadMs / runs[`new-${t}`]!.loadMs).toFixed(1)}× | ${s(r.cpuMs)} | ${mb(r.peakRssMb)} |`,
        );
      }
    console.log(
      `embedding's read of the column (cold, pages of 2,048 by track id): track_features.descriptors ${s(embedReads.old!.readMs)}, track_model_inputs ${s(embedReads.new!.readMs)} (${(embedReads.old!.readMs / embedReads.new!.readMs).toFixed(1)}×)`,
    );
    console.log(`every load: the same ${N} songs and arrays (hash ${[...hashes][0]})`);
    if (trained) {
      console.log(
        `training stage (model.train ${trained.epochsRun} epochs + save + embed ${trained.embedded}, cold): ${s(trained.wallMs)}, load before the first batch ${trained.loadMs === null ? '?' : s(trained.loadMs)}, ${perEpochS?.toFixed(1)} s per epoch, peak RSS ${mb(trained.peakRssMb)}`,
      );
      if (report.projection)
        console.log(
          `full run of ${fullPlan} epochs projected: ${report.projection.afterMin.toFixed(1)} min (before, with the ${report.projection.baseline} load: ${report.projection.beforeMin.toFixed(1)} min) + embed`,
        );
    }
  }
} finally {
  fs.rmSync(dataDir, { recursive: true, force: true });
}
