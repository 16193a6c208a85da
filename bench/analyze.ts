// npm run bench:analyze — the analysis pipeline over real audio, through the worker bundle the app ships.
//   Sets: ../shared/datasets/mer-dev (509 real 30-s clips in five formats) and full-length tracks from
//   Debian's wesnoth-1.16-music (ogg) and warzone2100-music (opus) packages, plus a few transcoded to
//   mp3, m4a (moov at the end) and flac with ffmpeg (fetched once into .cache/bench-audio/).
//   Prints songs/s with 1 and 2 workers (the default on 2 cores is 2 low-priority workers, see
//   defaultWorkerCount), milliseconds per song for each stage (feature version 2: MFCC + descriptors), for
//   the full-length set with 1 descriptor view and with 3 (the default: also the clips at ¼ and ¾ of tracks
//   of ≥ 90 s), and, in the same run over the same clips, the baseline a user would pick instead: the ffmpeg
//   CLI decoding each clip + torchaudio computing the MFCC only (scripts/analyze-baseline.py), with the
//   ratio of each Cadenza row to it. The workers run at normal priority here (the app's default lowers them to
//   nice 10, which on a machine shared with other work measures the other work rather than the pipeline);
//   BENCH_LOW_PRIORITY=1 adds a mer-dev row with the app's default pool at low priority.
//   BENCH_MEMORY_FILES=10000 adds a peak-memory run over that many files (copies of mer-dev clips, ~3.5 GB);
//   BENCH_MEMORY_ONLY=1 runs only that (10,000 files unless BENCH_MEMORY_FILES says otherwise).
//   BENCH_SET=full-mix: 120 full-length tracks in a library's format mix (40 mp3, 36 Vorbis, 4 Opus, 20 AAC
//   m4a, 20 FLAC; the transcodes at 44.1 kHz, built once from the full-length set). BENCH_WORKERS=2 and
//   BENCH_VIEWS=1 restrict the runs (comma lists); BENCH_ROUNDS=N repeats them, alternating with the
//   baseline; BENCH_BEFORE=DIR adds, alternating in each round, the same runs through an older build's
//   worker bundle (DIR/analysis.worker.js, e.g. a copy of out/main built at an earlier commit). Each row
//   carries the load average when it started, and each run a per-decoder breakdown of its stage times.
//   BENCH_PREPARE_ONLY=1 builds the sets and stops. BENCH_DECODERS=native,wasm runs each row with the native decoders (native/decoders) and with the WASM ones.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DescriptorViewCount } from '../src-main/core/analysis/analyse-file.ts';
import { defaultWorkerCount, startAnalysisJob, type AnalysisResult } from '../src-main/core/analysis/analysis-job.ts';
import { openLibraryDatabase } from '../src-main/core/db/open.ts';
import { scanLibrary } from '../src-main/core/library/scanner.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const MER_DEV = path.resolve(ROOT, '../shared/datasets/mer-dev');
const CACHE = path.join(ROOT, '.cache', 'bench-audio');
const WORKER_BUNDLE = new URL('../out/main/analysis.worker.js', import.meta.url);
const PYTHON = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

function fullLengthSet(): string {
  const dir = path.join(CACHE, 'full-length');
  const done = path.join(dir, '.complete');
  if (fs.existsSync(done)) return dir;
  fs.rmSync(dir, { recursive: true, force: true });
  const debs = path.join(CACHE, 'debs');
  fs.mkdirSync(debs, { recursive: true });
  console.log('fetching wesnoth-1.16-music and warzone2100-music with apt-get download (once)…');
  execFileSync('apt-get', ['download', 'wesnoth-1.16-music', 'warzone2100-music'], { cwd: debs, stdio: 'ignore' });
  const unpacked = path.join(CACHE, 'unpacked');
  for (const deb of fs.readdirSync(debs).filter((f) => f.endsWith('.deb')))
    execFileSync('dpkg', ['-x', path.join(debs, deb), unpacked]);
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
      const out = path.join(dir, `${path.basename(src, path.extname(src))}-transcoded.${ext}`);
      execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', src, '-vn', ...args, out]);
    }
  });
  fs.writeFileSync(done, '');
  return dir;
}

/** The full-length set's sources in a library's format mix: 40 mp3, 36 Vorbis, 4 Opus, 20 AAC m4a, 20 FLAC. */
function fullMixSet(): string {
  const dir = path.join(CACHE, 'full-mix');
  const done = path.join(dir, '.complete');
  if (fs.existsSync(done)) return dir;
  const source = fullLengthSet();
  const list = (ext: string) =>
    fs
      .readdirSync(source)
      .filter((f) => f.endsWith(ext) && !f.includes('silence'))
      .sort()
      .map((f) => path.join(source, f));
  const opus = list('.opus');
  const ogg = list('.ogg');
  const all = [...ogg, ...opus];
  fs.mkdirSync(dir, { recursive: true });
  console.log('building the full-mix set with ffmpeg (once)…');
  for (const f of [...opus.slice(0, 4), ...ogg.slice(0, 36)]) fs.copyFileSync(f, path.join(dir, path.basename(f)));
  const transcode = (files: string[], ext: string, args: string[]) => {
    for (const f of files) {
      const out = path.join(dir, `${path.basename(f, path.extname(f))}-mix.${ext}`);
      execFileSync('ffmpeg', ['-nostdin', '-v', 'error', '-y', '-i', f, '-vn', '-ar', '44100', ...args, out]);
    }
  };
  transcode(all.slice(0, 40), 'mp3', ['-c:a', 'libmp3lame', '-b:a', '192k']);
  transcode(all.slice(40, 60), 'm4a', ['-c:a', 'aac', '-aac_coder', 'fast', '-b:a', '192k', '-f', 'ipod']);
  transcode(all.slice(50, 70), 'flac', ['-c:a', 'flac']);
  fs.writeFileSync(done, '');
  return dir;
}

const loadAverage = () => os.loadavg()[0]!.toFixed(1);

async function analyseSet(
  name: string,
  root: string,
  workers: number,
  views: DescriptorViewCount = 1,
  lowPriority = false,
  workerBundle: URL = WORKER_BUNDLE,
): Promise<{ result: AnalysisResult; dataDir: string }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `cadenza-bench-analyze-${name}-`));
  const db = openLibraryDatabase(dataDir);
  await scanLibrary(db, { addRoots: [root] });
  db.close();
  const result = await startAnalysisJob({ dataDir, workers, views, lowPriority, workerBundle }).result;
  return { result, dataDir };
}

function baseline(dataDir: string, workers: number): { songsPerSecond: number; decodeMs: number; mfccMs: number; songs: number } {
  const db = openLibraryDatabase(dataDir);
  const clips = db
    .prepare('SELECT t.path, f.clip_start AS start FROM track_features f JOIN tracks t ON t.id = f.track_id ORDER BY t.id')
    .all() as { path: string; start: number }[];
  db.close();
  const list = path.join(dataDir, 'clips.json');
  fs.writeFileSync(list, JSON.stringify(clips));
  const out = execFileSync(PYTHON, [path.join(ROOT, 'scripts/analyze-baseline.py'), list, String(workers)], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out.trim().split('\n').at(-1)!);
}

function fileCounts(root: string): string {
  const counts: Record<string, number> = {};
  for (const f of fs.readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!f.isFile() || f.name.startsWith('.')) continue;
    const ext = path.extname(f.name).slice(1);
    if (ext === 'csv') continue;
    counts[ext] = (counts[ext] ?? 0) + 1;
  }
  return Object.entries(counts)
    .map(([k, v]) => `${v} ${k}`)
    .join(', ');
}

async function memoryRun(files: number): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cadenza-bench-memory-'));
  const clips = fs
    .readdirSync(MER_DEV, { recursive: true, withFileTypes: true })
    .filter((f) => f.isFile() && !f.name.endsWith('.csv'))
    .map((f) => path.join(f.parentPath, f.name));
  for (let i = 0; i < files; i++) {
    const src = clips[i % clips.length]!;
    const dir = path.join(root, `batch-${Math.floor(i / 500)}`);
    fs.mkdirSync(dir, { recursive: true });
    // Real copies: the scanner indexes a hard-linked file once (same device and inode).
    fs.copyFileSync(src, path.join(dir, `${i}${path.extname(src)}`));
  }
  const { result, dataDir } = await analyseSet('memory', root, 1);
  if (result.analysed + result.failed.length < files) throw new Error(`only ${result.analysed} of ${files} files were analysed`);
  const peak = process.resourceUsage().maxRSS / 1024;
  console.log(
    `\nmemory run: ${result.analysed} files analysed (${result.songsPerSecond.toFixed(1)} songs/s, 1 worker); ` +
      `peak RSS of the whole process (main + workers) ${peak.toFixed(0)} MB (target < 1024 MB)`,
  );
  fs.rmSync(root, { recursive: true, force: true });
  fs.rmSync(dataDir, { recursive: true, force: true });
}

async function main(): Promise<void> {
  if (!process.env.BENCH_PREPARE_ONLY && !fs.existsSync(WORKER_BUNDLE)) throw new Error('out/main/analysis.worker.js is missing: run `npm run build` first');
  if (!fs.existsSync(MER_DEV)) throw new Error(`mer-dev is missing at ${MER_DEV}`);
  const memoryFiles = Number(process.env.BENCH_MEMORY_FILES ?? 0);
  if (process.env.BENCH_MEMORY_ONLY) return memoryRun(memoryFiles || 10_000);
  const only = process.env.BENCH_SET; // e.g. BENCH_SET=full-length
  const sets: [string, () => string][] = [
    ['mer-dev', () => MER_DEV],
    ['full-length', fullLengthSet],
    ['full-mix', fullMixSet],
  ];
  const list = (name: string) => process.env[name]?.split(',').map(Number);
  const workerCounts = list('BENCH_WORKERS') ?? [1, 2];
  const rounds = Number(process.env.BENCH_ROUNDS ?? 1);
  // BENCH_DECODERS=native,wasm: each run once with the native decoders and once with the WASM ones
  const decoderChoices = process.env.BENCH_DECODERS?.split(',').filter((c) => c === 'native' || c === 'wasm') ?? [undefined];
  const before = process.env.BENCH_BEFORE
    ? pathToFileURL(path.resolve(process.env.BENCH_BEFORE, 'analysis.worker.js'))
    : undefined;
  if (before && !fs.existsSync(before)) throw new Error(`${before.pathname} is missing`);
  console.log(`${os.cpus().length} cores, Node ${process.version}, default pool ${defaultWorkerCount()} worker(s)\n`);
  const rows: string[] = [];
  const breakdowns: string[] = [];
  const fmt = (x: number | undefined) => (x === undefined ? '–' : x.toFixed(1));
  for (const [name, build] of sets) {
    // full-mix (a built set of its own) runs only when asked for
    if (only ? only !== name : name === 'full-mix') continue;
    const root = build();
    console.log(`${name}: ${fileCounts(root)}`);
    if (process.env.BENCH_PREPARE_ONLY) continue; // only build the set (ffmpeg transcodes, once)
    // mer-dev's 30-s clips are too short for extra views: views 1 and 3 do the same work there.
    const viewCounts = (list('BENCH_VIEWS') ?? (name === 'mer-dev' ? [1] : [1, 3])) as DescriptorViewCount[];
    for (let round = 1; round <= rounds; round++) {
      const runs: {
        label: string;
        workers: number;
        views: DescriptorViewCount;
        result: AnalysisResult;
        load: string;
        lowPriority?: boolean;
      }[] = [];
      let lastDataDir = '';
      for (const views of viewCounts) {
        for (const workers of workerCounts) {
          const builds = [['Cadenza', WORKER_BUNDLE], ...(before ? [['Cadenza before', before]] : [])] as [string, URL][];
          for (const [label, bundle, choice] of builds.flatMap(([l, b]) =>
            decoderChoices.map((c) => [c ? `${l} (${c} decoders)` : l, b, c] as const),
          )) {
            // the workers take the decoders from CADENZA_DECODERS (read when they start)
            if (choice) process.env.CADENZA_DECODERS = choice;
            const load = loadAverage();
            const { result, dataDir } = await analyseSet(name, root, workers, views, false, bundle);
            runs.push({ label, workers, views, result, load });
            console.log(
              `  ${label}, ${workers} worker(s), views ${views}: ${result.songsPerSecond.toFixed(1)} songs/s, ${result.views} clips described (load ${load})`,
            );
            if (result.failed.length)
              console.log(`  ${result.failed.length} failed, e.g. ${result.failed[0]!.path}: ${result.failed[0]!.reason}`);
            if (lastDataDir) fs.rmSync(lastDataDir, { recursive: true, force: true });
            lastDataDir = dataDir;
          }
        }
      }
      if (name === 'mer-dev' && process.env.BENCH_LOW_PRIORITY) {
        const load = loadAverage();
        const { result, dataDir } = await analyseSet(name, root, defaultWorkerCount(), 3, true);
        runs.push({ label: 'Cadenza', workers: defaultWorkerCount(), views: 1, result, load, lowPriority: true });
        console.log(`  default pool at low priority: ${result.songsPerSecond.toFixed(1)} songs/s`);
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
      const baseLoad = loadAverage();
      const base = baseline(lastDataDir, 2);
      console.log(`  baseline: ${base.songsPerSecond.toFixed(1)} songs/s (load ${baseLoad})`);
      const tag = rounds > 1 ? ` (round ${round})` : '';
      for (const { label, workers, views, result, load, lowPriority } of runs) {
        const s = result.stageMs;
        const pipeline = `${label}, ${workers} worker${workers > 1 ? 's' : ''}${lowPriority ? ' (nice 10)' : ''}, ${views === 1 ? '1 view' : '3 views'}`;
        rows.push(
          `| ${name}${tag} | ${pipeline} | ${load} | ${result.analysed} | ` +
            `${(result.views / Math.max(1, result.analysed)).toFixed(2)} | ${result.songsPerSecond.toFixed(1)} | ` +
            `${(result.songsPerSecond / base.songsPerSecond).toFixed(2)} | ${fmt(s.decodeMs)} | ${fmt(s.resampleMs)} | ` +
            `${fmt(s.mfccMs)} | ${fmt(s.descriptorsMs)} | ${fmt(s.loudnessMs)} | ${fmt(s.otherMs)} | ${Object.entries(
              result.decoders,
            )
              .map(([d, n]) => `${d} ${n}`)
              .join(', ')} |`,
        );
        for (const [decoder, d] of Object.entries(result.byDecoder ?? {})) {
          const t = d.stageMs;
          breakdowns.push(
            `| ${name}${tag} | ${pipeline} | ${decoder} | ${d.songs} | ${fmt(t.decodeMs)} | ${fmt(t.resampleMs)} | ${fmt(t.mfccMs)} | ` +
              `${fmt(t.descriptorsMs)} | ${fmt(t.loudnessMs)} | ${fmt(t.otherMs)} |`,
          );
        }
      }
      rows.push(
        `| ${name}${tag} | ffmpeg CLI + torchaudio (MFCC only), 2 processes | ${baseLoad} | ${base.songs} | 1 | ${base.songsPerSecond.toFixed(1)} | 1 | ` +
          `${base.decodeMs.toFixed(1)} (ffmpeg, incl. resample) | – | ${base.mfccMs.toFixed(1)} | – | – | – | ffmpeg |`,
      );
      fs.rmSync(lastDataDir, { recursive: true, force: true });
    }
  }
  console.log(
    '\n| set | pipeline | load | songs | clips/song | songs/s | ratio to baseline | read + decode ms/song | downmix + resample ms/song | MFCC ms/song | descriptors ms/song | loudness ms/song | other ms/song | decoders |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const row of rows) console.log(row);
  if (breakdowns.length) {
    console.log(
      '\n| set | pipeline | decoder | songs | decode ms | resample ms | MFCC ms | descriptors ms | loudness ms | other ms |',
    );
    console.log('|---|---|---|---|---|---|---|---|---|---|');
    for (const row of breakdowns) console.log(row);
  }
  console.log(
    '\n(ms per song are measured inside the workers, summed over the clips of a song; songs/s is wall time of the whole job, worker start included; ' +
      'other: the duration probe where the scan had none, silence checks, packing and the database write; – where a build did not measure it)',
  );
  if (memoryFiles > 0) await memoryRun(memoryFiles);
}

await main();
