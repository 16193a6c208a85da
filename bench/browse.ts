// Browse at library scale (issue 14: "100,000 tracks remain smooth"): a real SQLite library of N
// generated tracks (artists, albums, 1–3 genres each), then the calls the Albums, Artists and Genres
// views make, timed: the first page, a deep page and a search of artists, one artist's tracks and albums,
// the album grid's first and a deep page, and genres and one genre's tracks. The first call after a
// change computes the album, artist and genre lists (kept until the database changes); the rest read them. Baseline in the same run: the first page of artists as a COUNT
// and a page query per call (what browse.groups did before the lists were kept).
// Usage: npm run bench:browse [-- --tracks 100000 --runs 7 --json]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { listAlbums } from '../src-main/core/app/albums.ts';
import { groupTracks, listGroups } from '../src-main/core/app/browse.ts';
import { openLibraryDatabase } from '../src-main/core/db/open.ts';
import { createRng } from '../src-main/core/topics/rng.ts';

const { values } = parseArgs({
  options: {
    tracks: { type: 'string', default: '100000' },
    runs: { type: 'string', default: '7' },
    json: { type: 'boolean', default: false },
  },
});
const n = Number(values.tracks);
const runs = Number(values.runs);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cadenza-bench-browse-'));
const db = openLibraryDatabase(dataDir);
const rng = createRng(1);
const artists = Math.max(10, Math.round(n / 20));
const genres = 300;
const t0 = performance.now();
db.transaction(() => {
  db.prepare("INSERT INTO library_roots (id, path, added_at) VALUES (1, '/bench', 0)").run();
  const insert = db.prepare(
    `INSERT INTO tracks (root_id, path, size, mtime_ms, title, artist, album, album_artist, track_no, genres, available, added_at, updated_at)
     VALUES (1, ?, 1, 1, ?, ?, ?, ?, ?, ?, 1, 0, 0)`,
  );
  for (let i = 0; i < n; i++) {
    const artist = rng.int(artists);
    const album = `Album ${artist}-${rng.int(4)}`;
    const g = Array.from({ length: 1 + rng.int(3) }, () => `Genre ${rng.int(genres)}`);
    insert.run(
      `/bench/${i}.flac`,
      `Song ${i}`,
      `Artist ${artist}`,
      album,
      rng.next() < 0.1 ? 'Various Artists' : null,
      1 + (i % 12),
      JSON.stringify(g),
    );
  }
})();
const built = performance.now() - t0;

/** The first run (after a change: the group lists are computed) and the median and worst of the rest (kept). */
function time(fn: () => unknown): { first: number; median: number; worst: number } {
  const ms: number[] = [];
  for (let r = 0; r < runs; r++) {
    const start = performance.now();
    fn();
    ms.push(performance.now() - start);
  }
  const rest = ms.slice(1).sort((a, b) => a - b);
  return { first: ms[0]!, median: rest[Math.floor(rest.length / 2)] ?? ms[0]!, worst: rest.at(-1) ?? ms[0]! };
}

const someArtist = `Artist ${Math.floor(artists / 2)}`;
const calls: [string, () => unknown][] = [
  ['artists: first page (200)', () => listGroups(db, { by: 'artist', offset: 0, limit: 200 })],
  ['artists: a deep page', () => listGroups(db, { by: 'artist', offset: Math.floor(artists * 0.8), limit: 200 })],
  ['artists: search "12"', () => listGroups(db, { by: 'artist', offset: 0, limit: 200, search: '12' })],
  ['an artist: tracks', () => groupTracks(db, { by: 'artist', name: someArtist })],
  ['an artist: albums', () => listAlbums(db, { offset: 0, limit: 500, artist: someArtist })],
  ['albums: first page (120)', () => listAlbums(db, { offset: 0, limit: 120 })],
  ['albums: a deep page', () => listAlbums(db, { offset: Math.floor(artists * 3), limit: 120 })],
  ['genres: first page (200)', () => listGroups(db, { by: 'genre', offset: 0, limit: 200 })],
  ['a genre: tracks (first 2,000)', () => groupTracks(db, { by: 'genre', name: 'Genre 7' })],
];
const results = calls.map(([name, fn]) => ({ name, ...time(fn) }));

// The baseline: what browse.groups did per call before the lists were kept: the total (a COUNT over
// the grouping) and the page (LIMIT/OFFSET over it), both from the library's rows.
const WHO = 'COALESCE(album_artist, artist)';
const grouped = `FROM tracks WHERE available = 1 AND ${WHO} IS NOT NULL AND ${WHO} <> '' GROUP BY ${WHO} COLLATE NOCASE`;
const baselineCount = db.prepare(`SELECT COUNT(*) AS n FROM (SELECT 1 ${grouped})`);
const baselinePage = db.prepare(
  `SELECT MIN(${WHO}) AS name, COUNT(*) AS tracks, COUNT(DISTINCT album COLLATE NOCASE) AS albums, MIN(tracks.id) AS c
   ${grouped} ORDER BY ${WHO} COLLATE NOCASE LIMIT 200 OFFSET 0`,
);
const baseline = time(() => [baselineCount.get(), baselinePage.all()]);
const indexed = results[0]!;
db.close();
fs.rmSync(dataDir, { recursive: true, force: true });

const report = {
  tracks: n,
  artists,
  genres,
  buildMs: Math.round(built),
  runs,
  calls: results.map((r) => ({
    name: r.name,
    firstMs: +r.first.toFixed(1),
    medianMs: +r.median.toFixed(1),
    worstMs: +r.worst.toFixed(1),
  })),
  baseline: {
    name: 'artists: first page as a COUNT and a page query per call',
    medianMs: +baseline.median.toFixed(1),
    worstMs: +baseline.worst.toFixed(1),
  },
  ratio: +(baseline.median / indexed.median).toFixed(1),
};
if (values.json) console.log(JSON.stringify(report));
else {
  console.log(
    `browse at ${n.toLocaleString('en')} tracks (${artists.toLocaleString('en')} artists, ${genres} genres; built in ${report.buildMs} ms), ${runs} runs each:`,
  );
  for (const c of report.calls)
    console.log(
      `  ${c.name.padEnd(32)} first ${c.firstMs.toFixed(1).padStart(7)} ms; then median ${c.medianMs.toFixed(1).padStart(6)} ms, worst ${c.worstMs.toFixed(1).padStart(6)} ms`,
    );
  console.log(
    `  baseline: ${report.baseline.name}: median ${report.baseline.medianMs} ms → a kept page is ${report.ratio}× faster`,
  );
}
