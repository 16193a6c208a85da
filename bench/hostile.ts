// npm run bench:hostile [-- --files 2000 --baseline-files 200 --workers 2 --seed 15] — the hostile-audio corpus at scale:
//   N damaged files (test/fixtures/hostile: every format, truncated, bytes flipped in headers and frames,
//   huge declared sizes, zero-filled frames, a sample table that loops a naive walker; seeded), scanned and
//   analysed through the real jobs (source workers, as the CLI runs them). Prints, per outcome, how many files
//   ended analysed / recorded as a scan failure / recorded as an analysis failure (by code), the wall time of
//   each stage, the slowest files, the peak RSS, and, in the same run, the baseline: as many undamaged copies
//   of the same fixture tracks analysed by the same pool (copies, --baseline-files of them, default 200),
//   with the ratio of the damaged run's files/s to it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startAnalysisJob } from '../src-main/core/analysis/analysis-job.ts';
import { openLibraryDatabase } from '../src-main/core/db/open.ts';
import { scanLibrary } from '../src-main/core/library/scanner.ts';
import { makeAnalysisLibrary } from '../test/fixtures/analysis/make-analysis-library.ts';
import { makeHostileCorpus } from '../test/fixtures/hostile/make-hostile-corpus.ts';

const { values } = parseArgs({
  options: {
    files: { type: 'string', default: '2000' },
    workers: { type: 'string', default: '2' },
    seed: { type: 'string', default: '15' },
    'baseline-files': { type: 'string', default: '200' },
  },
});
const baselineFiles = Number(values['baseline-files']);
const files = Number(values.files);
const workers = Number(values.workers);
const seed = Number(values.seed);

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 100);

async function run(root: string, dataDir: string) {
  const db = openLibraryDatabase(dataDir);
  try {
    let t = performance.now();
    const scan = await scanLibrary(db, { addRoots: [root] });
    const scanMs = performance.now() - t;
    t = performance.now();
    const analysis = await startAnalysisJob({ dataDir, workers, lowPriority: false, fileTimeoutMs: 30_000 }).result;
    const analysisMs = performance.now() - t;
    const codes = db.prepare('SELECT code, COUNT(*) AS n FROM analysis_failures GROUP BY code ORDER BY n DESC').all() as {
      code: string;
      n: number;
    }[];
    const tracks = (db.prepare('SELECT COUNT(*) AS n FROM tracks').get() as { n: number }).n;
    return { scan, scanMs, analysis, analysisMs, codes, tracks };
  } finally {
    db.close();
  }
}

const base = fs.mkdtempSync(path.join(os.tmpdir(), 'cadenza-bench-hostile-'));
try {
  const t0 = performance.now();
  const corpus = await makeHostileCorpus(path.join(base, 'hostile'), files, seed);
  console.log(`corpus: ${corpus.length} damaged files (seed ${seed}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const damaged = await run(path.join(base, 'hostile'), path.join(base, 'data-hostile'));

  // Baseline: as many undamaged copies of the same sources, through the same scan and pool.
  const clean = path.join(base, 'clean');
  const lib = await makeAnalysisLibrary(path.join(base, 'sources'));
  const sources = lib.files.filter((f) => f.expect === 'features' || f.name === 'tiny-3s.mp3');
  fs.mkdirSync(clean);
  // Copies, not hard links: the scanner treats links to one file as one track.
  for (let i = 0; i < baselineFiles; i++) {
    const s = sources[i % sources.length]!;
    fs.copyFileSync(s.path, path.join(clean, `${String(i).padStart(4, '0')}-${s.name}`));
  }
  const baseline = await run(clean, path.join(base, 'data-clean'));

  const d = damaged;
  const accounted = d.analysis.analysed + d.analysis.failed.length + d.analysis.removed + d.scan.failed.length;
  const rate = (r: typeof d) => (r.scan.indexed + r.scan.failed.length) / ((r.scanMs + r.analysisMs) / 1000);
  console.log(`\ndamaged corpus, ${workers} workers:`);
  console.log(
    `  scan: ${d.scan.indexed} indexed, ${d.scan.failed.length} recorded as scan failures, ${(d.scanMs / 1000).toFixed(1)} s`,
  );
  console.log(
    `  analysis: ${d.analysis.analysed} analysed, ${d.analysis.failed.length} recorded as failures, ${(d.analysisMs / 1000).toFixed(1)} s, workers replaced ${d.analysis.workersReplaced}`,
  );
  console.log(`  failure codes: ${d.codes.map((c) => `${c.code} ${c.n}`).join(', ')}`);
  console.log(`  accounted for: ${accounted} of ${files} files${accounted === files ? '' : '  <-- MISSING'}`);
  console.log(`  files/s (scan + analysis): ${rate(d).toFixed(1)}`);
  console.log(
    `baseline (${baselineFiles} undamaged copies, same pool): ${baseline.analysis.analysed} analysed, ${baseline.analysis.failed.length} failed, ` +
      `scan ${(baseline.scanMs / 1000).toFixed(1)} s, analysis ${(baseline.analysisMs / 1000).toFixed(1)} s, files/s ${rate(baseline).toFixed(1)}`,
  );
  console.log(`ratio damaged / baseline files/s: ${(rate(d) / rate(baseline)).toFixed(2)}×`);
  console.log(
    `peak RSS of this process (scan in-thread + pool; workers are threads of it): ${(peakRss / 2 ** 20).toFixed(0)} MB`,
  );
} finally {
  clearInterval(sampler);
  fs.rmSync(base, { recursive: true, force: true });
}
