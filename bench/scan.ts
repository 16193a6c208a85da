// npm run bench:scan — first scan and no-change rescan of a generated 10,000-file library, each a whole
// scan job as the app runs it (worker start, walk, parse, SQLite writes), through the built worker bundle.
// Files are copies of fixture tracks (mp3 / flac / ogg) each re-tagged with distinct tags.
// Baselines measured in the same run over the same files: a plain loop of music-metadata's parseFile
// (what a first scan costs without our pipeline) and a bare recursive readdir + stat (the floor of a rescan).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseFile } from 'music-metadata';
import { openLibraryDatabase } from '../src-main/core/db/open.ts';
import { startScanJob } from '../src-main/core/library/scan-job.ts';
import { buildId3v2, stripId3v2 } from '../test/fixtures/library/id3v2.ts';
import { makeFixtureLibrary } from '../test/fixtures/library/make-library.ts';
import { setFlacVorbisComment, setOggComments } from '../test/fixtures/library/vorbis-comment.ts';

const FILES = Number(process.env.BENCH_FILES ?? 10_000);
const GENRES = ['Rock', 'Jazz', 'Electronic', 'Folk', 'Hip-Hop', 'Classical', 'Pop/Rock', 'Blues', 'Ambient', 'Metal'];
const MOODS = ['Happy', 'Sad', 'Calm', 'Angry', 'Dreamy', 'Energetic', 'Dark', 'Warm'];

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cadenza-bench-scan-'));
  try {
    const fixtures = await makeFixtureLibrary(path.join(work, 'fixtures'));
    const pick = (container: string) => {
      const t = fixtures.tracks.find((x) => x.container === container && !x.relPathBytes && !x.relPathNfc && x.relPath.endsWith(`.${container}`));
      if (!t) throw new Error(`no ${container} fixture`);
      return fs.readFileSync(path.join(fixtures.root, t.relPath));
    };
    const bareMp3 = stripId3v2(pick('mp3'));
    const flac = pick('flac');
    const ogg = pick('ogg');
    const root = path.join(work, 'library');
    const t0 = performance.now();
    for (let i = 0; i < FILES; i++) {
      const dir = path.join(root, `Artist ${String(i % 400).padStart(3, '0')}`, `Album ${String(i % 40).padStart(2, '0')}`);
      fs.mkdirSync(dir, { recursive: true });
      const tags = { title: `Song ${i}`, artist: `Artist ${i % 400}`, genre: `${GENRES[i % 10]};${GENRES[(i * 7) % 10]}`, mood: MOODS[i % 8]! };
      const kind = i % 5;
      if (kind < 3) {
        const tag = buildId3v2(
          [
            { id: 'TIT2', values: [tags.title] },
            { id: 'TPE1', values: [tags.artist] },
            { id: 'TCON', values: tags.genre.split(';') },
            { id: 'TXXX', description: 'MOOD', values: [tags.mood] },
          ],
          { version: 4 },
        );
        fs.writeFileSync(path.join(dir, `${i}.mp3`), Buffer.concat([tag, bareMp3]));
      } else {
        const fields: [string, string][] = [['TITLE', tags.title], ['ARTIST', tags.artist], ['GENRE', tags.genre], ['MOOD', tags.mood]];
        if (kind === 3) fs.writeFileSync(path.join(dir, `${i}.flac`), setFlacVorbisComment(flac, fields));
        else fs.writeFileSync(path.join(dir, `${i}.ogg`), setOggComments(ogg, fields));
      }
    }
    console.log(`generated ${FILES} files (mp3 60%, flac 20%, ogg 20%) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const files = listFiles(root);

    const dataDir = path.join(work, 'data');
    // The worker bundle the app ships (built by `npm run build`, which this script's npm entry runs first).
    const workerBundle = new URL('../out/main/scan.worker.js', import.meta.url);
    if (!fs.existsSync(workerBundle)) throw new Error('out/main/scan.worker.js is missing: run `npm run build` first');
    const first = await timed(() => startScanJob({ dataDir, addRoots: [root], workerBundle }).result);
    const rescan = await timed(() => startScanJob({ dataDir, addRoots: [], workerBundle }).result);
    const db = openLibraryDatabase(dataDir);
    const indexed = (db.prepare('SELECT COUNT(*) AS n FROM tracks').get() as { n: number }).n;
    db.close();
    if (first.value.indexed !== FILES || indexed !== FILES || rescan.value.unchanged !== FILES) {
      throw new Error(`scan results are wrong: first ${first.value.indexed}, stored ${indexed}, rescan unchanged ${rescan.value.unchanged}`);
    }

    const parseBaseline = await timed(async () => {
      let i = 0;
      const worker = async () => {
        while (i < files.length) await parseFile(files[i++]!, { skipCovers: true });
      };
      await Promise.all(Array.from({ length: 8 }, worker));
    });
    const walkBaseline = await timed(async () => {
      let n = 0;
      for (const f of await fs.promises.readdir(root, { recursive: true, withFileTypes: true })) {
        if (f.isFile()) {
          await fs.promises.stat(path.join(f.parentPath, f.name));
          n++;
        }
      }
      return n;
    });

    const rate = (ms: number) => (FILES * 1000) / ms;
    const peakRssMb = process.resourceUsage().maxRSS / 1024;
    const rows = [
      ['first scan (worker, parse + SQLite)', rate(first.ms), 1000, rate(parseBaseline.ms), 'parseFile loop, no DB'],
      ['no-change rescan', rate(rescan.ms), 20_000, rate(walkBaseline.ms), 'readdir + stat only'],
    ] as const;
    console.log(`\n${FILES} files, ${os.cpus().length} cores, Node ${process.version}`);
    console.log('| run | files/s | target | baseline files/s | ratio to baseline | baseline |');
    console.log('|---|---|---|---|---|---|');
    for (const [name, r, target, base, baseName] of rows) {
      console.log(`| ${name} | ${r.toFixed(0)} | ≥ ${target} ${r >= target ? '✓' : '✗'} | ${base.toFixed(0)} | ${(r / base).toFixed(2)} | ${baseName} |`);
    }
    console.log(`peak RSS (main + worker threads): ${peakRssMb.toFixed(0)} MB`);
    console.log(`(the page cache is warm for every run: the generator just wrote the files)`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function listFiles(root: string): string[] {
  return fs
    .readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((f) => f.isFile())
    .map((f) => path.join(f.parentPath, f.name));
}

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - start };
}

await main();
