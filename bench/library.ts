// npm run bench:library -- --tracks N [--features-only] [--source DIR] [--json]
//   A real listener's first run (issue 12), through the app's own service and jobs (AppService.handle, the
//   calls the UI makes): scan → analyse → topics → train (+ embed) → first topic queue → more like this, then
//   app start on the finished library in a fresh process (time to the first library page).
//   Full mode: N full-length tracks built from Debian's game-music packages (wesnoth-1.16-music: Vorbis;
//   warzone2100-music: Opus; some transcoded to mp3, AAC m4a and FLAC with ffmpeg), each written once per
//   track with distinct artist / album / title and genre / mood tags drawn from
//   ../shared/datasets/jamendo-tags/tracks.tsv (a stream copy with new tags: the audio repeats, the
//   files do not), cached under .cache/bench-library/.
//   --features-only: no audio; N tracks whose analysed rows are real features (every row of an analysed
//   source library, default mer-dev analysed here once by the real scan + analysis jobs) replicated with
//   ±1 % jitter, each with its source song's own genre / mood tags (so topics and audio still go
//   together) and a distinct artist / album / title from the Jamendo ids; scan and analysis are skipped
//   (says so), every later stage runs in full.
//   Per stage: wall time, throughput, peak RSS of the process (the host and every worker thread: workers
//   are threads, so the process's VmHWM, reset per stage through /proc/self/clear_refs, covers them all)
//   and RSS sampled every 250 ms, database size; the time from an empty data dir to the first queue; and
//   each job's reported time left against the actual time left, from the first minute on (target: ±20 %).
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { ApiEmitter } from '../src-main/api/contract.ts';
import type { JobProgress } from '../src-main/api/types.ts';
import { AppService } from '../src-main/core/app/app-service.ts';
import { CHECK_STATE_FILE, checkLibraryDatabase, markCleanClose, type StartCheck } from '../src-main/core/db/start-check.ts';
import { descriptorsDefinition } from '../src-main/core/model/definition.ts';
import { plannedEpochs } from '../src-main/core/model/trainer.ts';
import {
  analysedSource,
  BENCH_ROOT,
  jamendoRows,
  LIBRARY_CACHE,
  nameOf,
  type TagRow,
  writeReplicatedLibrary,
} from './replicated-library.ts';

const ROOT = BENCH_ROOT;
const CACHE = LIBRARY_CACHE;
const AUDIO_CACHE = path.join(ROOT, '.cache', 'bench-audio');

const { values } = parseArgs({
  options: {
    tracks: { type: 'string', default: '300' },
    'features-only': { type: 'boolean', default: false },
    source: { type: 'string' },
    'app-start': { type: 'string' },
    // With --app-start: the start check runs before the app opens, as every start did before it was
    // deferred to a worker (the baseline for the start after an unclean exit).
    'check-first': { type: 'boolean', default: false },
    'train-epochs': { type: 'string' },
    keep: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});

// ---------------------------------------------------------------------------------------------
// Memory: the process's peak RSS per stage (VmHWM, reset per stage) and a sampled timeline.

function procStatus(field: 'VmHWM' | 'VmRSS'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

function resetPeak(): boolean {
  try {
    fs.writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

// --app-start DIR: a fresh process opens the finished library as the app does and asks for the first page.
if (values['app-start']) {
  const started = performance.now();
  let firstCheck: StartCheck | null = null;
  if (values['check-first']) {
    firstCheck = checkLibraryDatabase(values['app-start']);
    markCleanClose(values['app-start']); // so the open below skips it, as the one check of a start
  }
  const app = new AppService(values['app-start'], () => {}, { mode: 'browser', version: 'bench' });
  app.open();
  const openMs = performance.now() - started;
  // As the UI asks (issue 12): the first page beside the summary, facets and topics (the reader worker's).
  let firstPageMs = NaN;
  const [summary, page] = await Promise.all([
    app.handle('library.summary', null),
    app.handle('tracks.list', { offset: 0, limit: 100 }).then((p) => {
      firstPageMs = performance.now() - started;
      return p;
    }),
    app.handle('tracks.facets', null),
    app.handle('topics.show', null),
  ]);
  const summaryMs = performance.now() - started;
  const queueStarted = performance.now();
  await app.handle('queue.fromTopics', { topics: [1], n: 20 });
  const indexAndQueueMs = performance.now() - queueStarted;
  const index = await app.indexStatus();
  const health = await app.databaseChecked();
  const checkDoneMs = performance.now() - started;
  await app.close();
  console.log(
    JSON.stringify({
      check: firstCheck ?? app.startCheck,
      deferredCheckMs: app.deferredCheckMs,
      checkDoneMs,
      health: health.state,
      openMs,
      firstPageMs,
      summaryMs,
      rows: page.tracks.length,
      tracks: summary.tracks,
      indexAndQueueMs,
      indexBuildMs: index.lastBuildMs,
      peakRssMb: procStatus('VmHWM'),
    }),
  );
  process.exit(0);
}

const N = Number(values.tracks);
const featuresOnly = values['features-only'] === true;
// --train-epochs E: train E epochs only (each epoch is the budget's size, so the time of a full run is
// E's time × the planned epochs, printed beside); for machines where the whole run does not fit.
const trainEpochs = values['train-epochs'] ? Number(values['train-epochs']) : undefined;
if (!Number.isInteger(N) || N < 20) throw new Error('--tracks N: at least 20');

interface Stage {
  name: string;
  ran: 'full' | 'skipped (features-only)';
  wallS: number;
  items: number;
  perSecond: number;
  peakRssMb: number;
  dbMb: number;
  /** Each progress report after the first minute: |reported − actual time left| / actual time left. */
  etaChecks: number;
  etaWorstErr: number | null;
  etaMedianErr: number | null;
  /** The median signed error (reported − actual) / actual: above 0, the time left was too long. */
  etaBias?: number | null;
  /** Every 5 s of the stage: seconds in, items done of total, the reported and the actual time left. */
  etaTrace?: { s: number; done: number; total: number | null; etaSec: number | null; actualSec: number }[];
  note: string;
}

const stages: Stage[] = [];
const timeline: { t: number; rssMb: number }[] = [];
const runStarted = performance.now();
const sampler = setInterval(() => timeline.push({ t: (performance.now() - runStarted) / 1000, rssMb: procStatus('VmRSS') }), 250);
sampler.unref();
const canReset = resetPeak();

let progress: { t: number; p: JobProgress }[] = [];
const emit: ApiEmitter = (event, payload) => {
  if (event === 'job.progress') progress.push({ t: performance.now(), p: payload as JobProgress });
};

function dbSizeMb(dataDir: string): number {
  let bytes = 0;
  for (const f of ['library.db', 'library.db-wal']) {
    const p = path.join(dataDir, f);
    if (fs.existsSync(p)) bytes += fs.statSync(p).size;
  }
  return bytes / 2 ** 20;
}

/** Signed errors (reported − actual) / actual of each report after the stage's first minute. */
function etaErrors(from: number, end: number): number[] {
  const errs: number[] = [];
  for (const { t, p } of progress) {
    if (t - from < 60_000 || p.etaSec === null) continue;
    const actual = (end - t) / 1000;
    if (actual < 5) continue; // the last seconds: any error is a large share of nothing
    errs.push((p.etaSec - actual) / actual);
  }
  return errs;
}

function etaTrace(from: number, end: number): NonNullable<Stage['etaTrace']> {
  const trace: NonNullable<Stage['etaTrace']> = [];
  for (const { t, p } of progress) {
    if (trace.length > 0 && t - from < (trace.at(-1)!.s + 5) * 1000) continue;
    trace.push({
      s: Math.round((t - from) / 100) / 10,
      done: p.done,
      total: p.total,
      etaSec: p.etaSec,
      actualSec: (end - t) / 1000,
    });
  }
  return trace;
}

async function stage<T>(
  name: string,
  dataDir: string,
  items: (r: T) => number,
  run: () => Promise<T>,
  note: (r: T) => string = () => '',
): Promise<T> {
  resetPeak();
  progress = [];
  const t0 = performance.now();
  const result = await run();
  const t1 = performance.now();
  const signed = etaErrors(t0, t1);
  const errs = signed.map(Math.abs).sort((a, b) => a - b);
  const bias = [...signed].sort((a, b) => a - b);
  const n = items(result);
  const wallS = (t1 - t0) / 1000;
  stages.push({
    name,
    ran: 'full',
    wallS,
    items: n,
    perSecond: n / Math.max(1e-3, wallS),
    peakRssMb: canReset ? procStatus('VmHWM') : process.resourceUsage().maxRSS / 1024,
    dbMb: dbSizeMb(dataDir),
    etaChecks: errs.length,
    etaWorstErr: errs.length ? errs.at(-1)! : null,
    etaMedianErr: errs.length ? errs[Math.floor(errs.length / 2)]! : null,
    etaBias: bias.length ? bias[Math.floor(bias.length / 2)]! : null,
    etaTrace: etaTrace(t0, t1),
    note: note(result),
  });
  console.error(`  ${name}: ${wallS.toFixed(1)} s, peak RSS ${stages.at(-1)!.peakRssMb.toFixed(0)} MB ${stages.at(-1)!.note}`);
  return result;
}

// ---------------------------------------------------------------------------------------------
// Full mode: real full-length audio in five formats, one file per track with its own tags.

function fullLengthSources(): string[] {
  const dir = path.join(AUDIO_CACHE, 'full-length');
  if (!fs.existsSync(path.join(dir, '.complete'))) {
    // The same set the analysis bench uses (bench/analyze.ts builds it the same way).
    fs.rmSync(dir, { recursive: true, force: true });
    const debs = path.join(AUDIO_CACHE, 'debs');
    fs.mkdirSync(debs, { recursive: true });
    console.error('fetching wesnoth-1.16-music and warzone2100-music with apt-get download (once)…');
    execFileSync('apt-get', ['download', 'wesnoth-1.16-music', 'warzone2100-music'], { cwd: debs, stdio: 'ignore' });
    const unpacked = path.join(AUDIO_CACHE, 'unpacked');
    for (const deb of fs.readdirSync(debs).filter((f) => f.endsWith('.deb')))
      execFileSync('dpkg-deb', ['-x', path.join(debs, deb), unpacked]);
    const sources = fs
      .readdirSync(unpacked, { recursive: true, withFileTypes: true })
      .filter((f) => f.isFile() && /\.(ogg|opus)$/.test(f.name))
      .map((f) => path.join(f.parentPath, f.name))
      .sort();
    fs.mkdirSync(dir, { recursive: true });
    sources.forEach((src, i) => fs.copyFileSync(src, path.join(dir, `${String(i).padStart(3, '0')}-${path.basename(src)}`)));
    const transcodes: [string, string[]][] = [
      ['mp3', ['-c:a', 'libmp3lame', '-b:a', '192k']],
      ['m4a', ['-c:a', 'aac', '-b:a', '192k', '-f', 'ipod']],
      ['flac', ['-c:a', 'flac']],
    ];
    transcodes.forEach(([ext, args], t) => {
      for (const src of sources.slice(t * 4, t * 4 + 4)) {
        execFileSync('ffmpeg', [
          '-v',
          'error',
          '-y',
          '-i',
          src,
          '-vn',
          ...args,
          path.join(dir, `${path.basename(src, path.extname(src))}-transcoded.${ext}`),
        ]);
      }
    });
    fs.writeFileSync(path.join(dir, '.complete'), '');
  }
  return fs
    .readdirSync(dir)
    .filter((f) => /\.(ogg|opus|mp3|m4a|flac)$/.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}

function buildAudioLibrary(n: number, tags: TagRow[]): { root: string; formats: Record<string, number>; bytes: number } {
  const root = path.join(CACHE, `audio-${n}`);
  const formats: Record<string, number> = {};
  let bytes = 0;
  const done = path.join(root, '.complete');
  const sources = fullLengthSources();
  if (!fs.existsSync(done)) {
    fs.rmSync(root, { recursive: true, force: true });
    console.error(`writing ${n} tagged full-length tracks under ${root} (once)…`);
    for (let i = 0; i < n; i++) {
      const src = sources[i % sources.length]!;
      const tag = tags[(i * 7919) % tags.length]!;
      const ext = path.extname(src);
      const artist = nameOf('Band ', tag.artist);
      const album = nameOf('Album ', tag.album);
      const dir = path.join(root, artist, album);
      fs.mkdirSync(dir, { recursive: true });
      const out = path.join(dir, `${String(i).padStart(5, '0')} Track ${i}${ext}`);
      const metadata = [
        'artist',
        artist,
        'album_artist',
        artist,
        'album',
        album,
        'title',
        `Track ${i} (${path.basename(src, ext).slice(4, 24)})`,
        'genre',
        tag.genres.join(';'),
        'mood',
        tag.moods.join(';'),
      ];
      const args = ['-v', 'error', '-y', '-i', src, '-map', '0:a', '-c', 'copy', '-map_metadata', '-1'];
      for (let m = 0; m < metadata.length; m += 2) args.push('-metadata', `${metadata[m]}=${metadata[m + 1]}`);
      execFileSync('ffmpeg', [...args, ...(ext === '.m4a' ? ['-f', 'ipod'] : []), out]);
    }
    fs.writeFileSync(done, '');
  }
  for (const f of fs.readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!f.isFile() || f.name.startsWith('.')) continue;
    const ext = path.extname(f.name).slice(1);
    formats[ext] = (formats[ext] ?? 0) + 1;
    bytes += fs.statSync(path.join(f.parentPath, f.name)).size;
  }
  return { root, formats, bytes };
}

// ---------------------------------------------------------------------------------------------

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cadenza-bench-library-'));
const tags = jamendoRows();
let libraryNote: string;
console.error(
  `bench:library — ${N} tracks${featuresOnly ? ' (features-only)' : ''}, data dir ${dataDir}, ${os.cpus().length} cores, load ${os.loadavg()[0]!.toFixed(1)}`,
);
const app = new AppService(dataDir, emit, { mode: 'browser', version: 'bench' });
app.open();

let firstRunStarted: number;
if (featuresOnly) {
  const sourceDir = await analysedSource(values.source);
  const t0 = performance.now();
  writeReplicatedLibrary(dataDir, sourceDir, N, tags);
  libraryNote = `replicated from ${sourceDir} in ${((performance.now() - t0) / 1000).toFixed(1)} s (not part of the first run)`;
  firstRunStarted = performance.now();
  for (const name of ['scan', 'analyse'])
    stages.push({
      name,
      ran: 'skipped (features-only)',
      wallS: 0,
      items: 0,
      perSecond: 0,
      peakRssMb: 0,
      dbMb: dbSizeMb(dataDir),
      etaChecks: 0,
      etaWorstErr: null,
      etaMedianErr: null,
      note: '',
    });
} else {
  const lib = buildAudioLibrary(N, tags);
  libraryNote = `${N} files, ${(lib.bytes / 2 ** 30).toFixed(2)} GiB, formats ${JSON.stringify(lib.formats)}`;
  firstRunStarted = performance.now();
  await stage(
    'scan',
    dataDir,
    (r) => r.indexed,
    () => app.handle('library.scan', { folders: [lib.root] }),
    (r) => `${r.indexed} indexed, ${r.failed.length} failed`,
  );
  await stage(
    'analyse',
    dataDir,
    (r) => r.analysed,
    () => app.handle('analysis.start', null),
    (r) => `${r.analysed} analysed, ${r.failed.length} failed`,
  );
}
await stage(
  'topics',
  dataDir,
  (r) => r.tagged,
  () => app.handle('topics.fit', {}),
  (r) => `K = ${r.k}, ${r.tagged} tagged`,
);
await stage(
  'train + embed',
  dataDir,
  (r) => r.embedded,
  () => app.handle('model.train', trainEpochs ? { epochs: trainEpochs } : {}),
  (r) => {
    // Load until the first batch, the epochs, then the last validation + save + embed.
    const first = progress[0]?.t;
    const last = progress.at(-1)?.t;
    const planned = progress.at(-1)?.p.training?.epochs ?? r.epochsRun;
    const def = descriptorsDefinition.training!;
    const fullPlan = plannedEpochs({ epochs: def.epochs!, runTriplets: def.runTriplets! }, def.tripletBudget!);
    let projection = '';
    if (trainEpochs && first !== undefined && last !== undefined && r.epochsRun > 0) {
      const perEpochS = (last - first) / 1000 / r.epochsRun;
      const stageStart = progress[0]!.t - (progress[0]!.p.elapsedMs ?? 0);
      const loadS = (first - stageStart) / 1000;
      projection = `; ${perEpochS.toFixed(1)} s per epoch, load ${loadS.toFixed(1)} s: a full run of ${fullPlan} epochs (the default's plan once the budget binds) ≈ ${((loadS + perEpochS * fullPlan) / 60).toFixed(1)} min + embed`;
    }
    return `${r.epochsRun} of ${planned} planned epochs, val ${r.valAccuracy?.toFixed(3)}, ${r.embedded} embedded${projection}`;
  },
);
const queue = await stage(
  'first topic queue',
  dataDir,
  (r) => r.tracks.length,
  () => app.handle('queue.fromTopics', { topics: [1, 3], n: 20 }),
  () => '(includes the recommendation index build)',
);
const firstQueueS = (performance.now() - firstRunStarted) / 1000;
const seed = queue.tracks[0]?.id;
await stage(
  'more like this',
  dataDir,
  (r) => r.tracks.length,
  () => app.handle('tracks.moreLike', { trackIds: seed ? [seed] : [], n: 20 }),
);
const repeated: number[] = [];
for (let i = 0; i < 50; i++) {
  const t = performance.now();
  await app.handle('queue.fromTopics', { topics: [1 + (i % 7)], n: 20 });
  await app.handle('tracks.moreLike', { trackIds: [queue.tracks[i % queue.tracks.length]!.id], n: 20 });
  repeated.push(performance.now() - t);
}
repeated.sort((a, b) => a - b);
await app.close();

interface AppStart {
  check: StartCheck | null;
  openMs: number;
  firstPageMs: number;
  summaryMs: number;
  rows: number;
  tracks: number;
  indexAndQueueMs: number;
  indexBuildMs: number | null;
  peakRssMb: number;
  deferredCheckMs: number | null;
  checkDoneMs: number;
  health: string;
}
/** The app's start in a fresh process on the finished library. */
function appStartRun(checkFirst: boolean): AppStart | null {
  const args = [path.join(ROOT, 'bench', 'library.ts'), '--app-start', dataDir, ...(checkFirst ? ['--check-first'] : [])];
  const child = spawnSync(process.execPath, ['--import', 'tsx', ...args], { encoding: 'utf8' });
  if (child.status !== 0) console.error(child.stderr);
  return child.status === 0 ? (JSON.parse(child.stdout.trim().split('\n').at(-1)!) as AppStart) : null;
}
// As the app starts after a clean quit (the first run closed the library: the start check is skipped),
// after an unclean exit (no record: the quick_check runs in its worker while the first page is served),
// and the baseline in the same run: after an unclean exit with the check first, as before.
for (const [label, forget, checkFirst] of [
  ['app start (fresh process)', false, false],
  ['app start after an unclean exit (check in a worker)', true, false],
  ['app start after an unclean exit (baseline: quick_check first)', true, true],
] as const) {
  if (forget) fs.rmSync(path.join(dataDir, CHECK_STATE_FILE), { force: true });
  const appStart = appStartRun(checkFirst);
  stages.push({
    name: label,
    ran: 'full',
    wallS: (appStart?.firstPageMs ?? NaN) / 1000,
    items: appStart?.rows ?? 0,
    perSecond: 0,
    peakRssMb: appStart?.peakRssMb ?? NaN,
    dbMb: dbSizeMb(dataDir),
    etaChecks: 0,
    etaWorstErr: null,
    etaMedianErr: null,
    note:
      `first page of ${appStart?.tracks ?? '?'} tracks (open ${appStart?.openMs.toFixed(0) ?? '?'} ms, start check ${appStart?.check?.deferred ? `in a worker, done at ${appStart.checkDoneMs.toFixed(0)} ms (${appStart.deferredCheckMs?.toFixed(0) ?? '?'} ms, ${appStart.health})` : appStart?.check?.checked ? 'ran first' : 'skipped'}: ${appStart?.check?.reason ?? '?'}; summary, facets and topics at ${appStart?.summaryMs.toFixed(0) ?? '?'} ms); ` +
      `then the first queue ${appStart?.indexAndQueueMs.toFixed(0) ?? '?'} ms (the index, built in the reader worker from the start, in ${appStart?.indexBuildMs?.toFixed(0) ?? '?'} ms)`,
  });
}

const report = {
  tracks: N,
  featuresOnly,
  library: libraryNote,
  cores: os.cpus().length,
  loadAtEnd: os.loadavg()[0],
  firstQueueS,
  queueAndMoreLikeMs: { p50: repeated[25], p99: repeated[49] },
  peakRssMbOverall: Math.max(...stages.map((s) => s.peakRssMb).filter(Number.isFinite)),
  rssTimelineMaxMb: Math.max(...timeline.map((x) => x.rssMb)),
  stages,
};
if (values.json) console.log(JSON.stringify(report, null, 2));
else {
  console.log(
    `\n${N} tracks${featuresOnly ? ', features-only' : ''}: ${libraryNote}; load average at the end ${report.loadAtEnd!.toFixed(1)} on ${report.cores} cores`,
  );
  console.log('| stage | ran | wall | throughput | peak RSS | database | ETA error after 1 min (median / worst, n) | note |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const s of stages) {
    const eta = s.etaChecks
      ? `${(100 * s.etaMedianErr!).toFixed(0)} % / ${(100 * s.etaWorstErr!).toFixed(0)} % (${s.etaChecks})`
      : '— (under a minute)';
    console.log(
      `| ${s.name} | ${s.ran} | ${s.ran === 'full' ? `${s.wallS.toFixed(s.wallS < 10 ? 2 : 1)} s` : '—'} | ${s.ran === 'full' && s.perSecond ? `${s.perSecond.toFixed(1)}/s` : '—'} | ${s.ran === 'full' ? `${s.peakRssMb.toFixed(0)} MB` : '—'} | ${s.dbMb.toFixed(1)} MB | ${s.ran === 'full' ? eta : '—'} | ${s.note} |`,
    );
  }
  console.log(
    `\nEmpty data dir → first queue: ${firstQueueS.toFixed(1)} s${featuresOnly ? ' (scan and analysis not included: features-only)' : ''}`,
  );
  console.log(
    `Topic queue + more like this, 50 pairs after the first: p50 ${report.queueAndMoreLikeMs.p50!.toFixed(1)} ms, p99 ${report.queueAndMoreLikeMs.p99!.toFixed(1)} ms`,
  );
  console.log(
    `Peak RSS of the process (host + worker threads) at any stage: ${report.peakRssMbOverall.toFixed(0)} MB (sampled max ${report.rssTimelineMaxMb.toFixed(0)} MB)`,
  );
}
if (!values.keep) fs.rmSync(dataDir, { recursive: true, force: true });
else console.error(`kept ${dataDir}`);
