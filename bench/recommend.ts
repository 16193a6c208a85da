// Latency of the topic queue and "more like this" over generated embeddings (100,000 and 1,000,000
// songs): one query = feedback and recent plays from SQLite, one D pass over every song (wasm SIMD),
// top-k, the queue rules, and explanations for the N results. Targets: p99 ≤ 20 ms at 100k, ≤ 150 ms at 1M.
// The topic queue is timed twice per query: the blend (the default: one top-k per selected topic over the
// lane table, built once on the first blended query and timed apart) and the paper's nearest (the baseline).
// Issue 16's mixes are timed too (the same queries' more like this is their baseline): a song path (n = 12,
// random ends), a blend with subtraction (more like A, less like B), an energy-shaped topic queue (more
// energetic, a tempo range, rising) with caps per artist and album, and a smooth order of 50 songs.
// Usage: npm run bench:recommend [-- --sizes 100000,1000000 --queries 200 --n 20 --json]
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { blobToFeatures } from '../src-main/core/analysis/feature-store.ts';
import { openLibraryDatabase } from '../src-main/core/db/open.ts';
import { modelDefinition } from '../src-main/core/model/definition.ts';
import { DESCRIPTOR_INPUT_LENGTH } from '../src-main/core/model/inputs.ts';
import { initWeights } from '../src-main/core/model/network.ts';
import { loadModel, type LoadedModel } from '../src-main/core/model/store.ts';
import { TRAIN_DEFAULTS } from '../src-main/core/model/trainer.ts';
import { distanceScorer } from '../src-main/core/recommend/distance-kernel.ts';
import { recordFeedback } from '../src-main/core/recommend/feedback.ts';
import { setEnergyTable } from '../src-main/core/recommend/energy.ts';
import { distanceLayers } from '../src-main/core/recommend/model-math.ts';
import { orderTracks } from '../src-main/core/recommend/smooth-order.ts';
import { pathIndices } from '../src-main/core/recommend/song-path.ts';
import { moreLikeThis, RecommendIndex, topicQueue } from '../src-main/core/recommend/recommender.ts';
import { MORE_LIKE_THIS, setSongSimilarity, SongSimilarity } from '../src-main/core/recommend/song-similarity.ts';
import { SONG_VECTOR_LENGTH } from '../src-main/core/recommend/song-vectors.ts';
import { createRng } from '../src-main/core/topics/rng.ts';
import { setKernelSplitting, splitPasses } from '../src-main/core/wasm/kernel-split.ts';
import { heapSmallestK, smallestK } from '../src-main/core/recommend/top-k.ts';
import { radio } from '../src-main/core/recommend/radio.ts';
import { similarGroups } from '../src-main/core/recommend/group-similarity.ts';
import { seedUiLibrary } from './ui-library.ts';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '100000,1000000' },
    queries: { type: 'string', default: '200' },
    n: { type: 'string', default: '20' },
    // The D shape to score with: the default model's (32-d) or the paper's (7-d).
    model: { type: 'string', default: 'default' },
    json: { type: 'boolean', default: false },
  },
});
const sizes = String(values.sizes).split(',').map(Number);
const queries = Number(values.queries);
const n = Number(values.n);

const definition = modelDefinition(String(values.model));
const config = definition.config(definition.input === 'mfcc' ? 7560 : DESCRIPTOR_INPUT_LENGTH, 7);
console.log(
  `model ${definition.name}: ${config.embedding}-d embeddings, D ${config.embedding} → ${config.distance.join(' → ')} → 1`,
);
const model: LoadedModel = {
  id: 1,
  weights: initWeights(config, 7),
  standardizer: { mean: new Float32Array(0), std: new Float32Array(0) },
  meta: {
    format: 'cadenza-model-1',
    config,
    options: TRAIN_DEFAULTS,
    featureVersion: 1,
    topicFingerprint: 'bench',
    backend: 'none',
    device: 'none',
    metrics: {
      valAccuracy: null,
      bestEpoch: 0,
      epochsRun: 0,
      stoppedEarly: false,
      trainSongs: 0,
      valSongs: 0,
      trainMs: 0,
      tripletsPerSecond: 0,
    },
    history: [],
    createdAt: 0,
  },
};

// D as a trained model's is, a dissimilarity that grows with each (a − b)²: random weights with both signs
// give D < 0 for many pairs, clipped to 0 by the mixes, and the path then took the lowest-index ties.
for (const [name, values] of model.weights.values)
  if (/^dist\d+\/w$/.test(name)) values.forEach((x, k) => (values[k] = Math.abs(x)));

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;
const stats = (xs: number[]) => ({ p50: pct(xs, 50), p99: pct(xs, 99), max: Math.max(...xs) });

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cadenza-bench-rec-'));
const db = openLibraryDatabase(dir);
// A few real track rows (ids 1..40) so that feedback can point at them: 10 recent plays, 4 likes, 4 dislikes.
db.prepare("INSERT INTO library_roots (id, path, added_at) VALUES (1, '/bench', 0)").run();
const insert = db.prepare(
  'INSERT INTO tracks (id, root_id, path, size, mtime_ms, title, artist, added_at, updated_at) VALUES (?, 1, ?, 1, 0, ?, ?, 0, 0)',
);
for (let id = 1; id <= 40; id++) insert.run(id, `/bench/${id}.mp3`, `song ${id}`, `artist ${id % 97}`);
for (let id = 1; id <= 10; id++) recordFeedback(db, { trackId: id, kind: 'play' });
for (let id = 11; id <= 14; id++) recordFeedback(db, { trackId: id, kind: 'like', topics: [1] });
for (let id = 15; id <= 18; id++) recordFeedback(db, { trackId: id, kind: 'dislike', topics: [1] });

interface Row {
  songs: number;
  scorer: string;
  buildMs: number;
  /** Building the song metric: copying its vectors in, the normalisations and mutual-proximity moments from the sample. */
  similarityBuildMs: number;
  kernel: { p50: number; p99: number; max: number };
  /** Blend (the default). */
  queue: { p50: number; p99: number; max: number };
  /** The paper's nearest ranking, same selections. */
  nearest: { p50: number; p99: number; max: number };
  /** The lane table: K D passes and the tags, once per index. */
  laneTableMs: number;
  /** CPU time of this process per query (user + system): what a loaded machine's waiting leaves out. */
  queueCpu: { p50: number; p99: number; max: number };
  nearestCpu: { p50: number; p99: number; max: number };
  similar: { p50: number; p99: number; max: number };
  /** Issue 16's mixes. */
  path: { p50: number; p99: number; max: number };
  blendAway: { p50: number; p99: number; max: number };
  shaped: { p50: number; p99: number; max: number };
  smoothOrder: { p50: number; p99: number; max: number };
  /** CPU time of this process per path and per blend with subtraction. */
  pathCpu: { p50: number; p99: number; max: number };
  blendAwayCpu: { p50: number; p99: number; max: number };
  similarCpu: { p50: number; p99: number; max: number };
  /** The same queries with every kernel pass on one thread, and split over both cores, alternating. */
  oneCore: Record<'similar' | 'blendAway' | 'path', { p50: number; p99: number; max: number }>;
  bothCores: Record<'similar' | 'blendAway' | 'path', { p50: number; p99: number; max: number }>;
  /** Split kernel passes per query of the both-cores loop (more like this, the blend and the path together). */
  splitShare: number;
  /** More like this and the blend with the descriptors held as int8 (the default) and as float32, alternating. */
  descriptorsInt8: Record<'similar' | 'blendAway', { p50: number; p99: number; max: number }>;
  descriptorsFloat32: Record<'similar' | 'blendAway', { p50: number; p99: number; max: number }>;
  /** Issue 16's other mixes: radio from a track and from an artist, similar artists and albums (first call apart). */
  more: Record<'radioTrack' | 'radioArtist' | 'radioAlbum' | 'artists' | 'albums', { p50: number; p99: number; max: number }>;
  groupsFirstMs: { artists: number; albums: number };
}
const rows: Row[] = [];
for (const songs of sizes) {
  const rng = createRng(songs);
  const gauss = () => Math.sqrt(-2 * Math.log(Math.max(rng.next(), 1e-12))) * Math.cos(2 * Math.PI * rng.next());
  const embeddings = Float32Array.from({ length: songs * config.embedding }, gauss);
  // Names as long as a real library's; the objects are dropped once indexed, as the app's build drops its rows.
  const indexOf = () => {
    const tracks = Array.from({ length: songs }, (_, i) => {
      // Albums of 12 songs by one artist, two albums per artist (a radio from an artist has 24 songs to seed from).
      const artist = `artist ${Math.floor(i / 24)}`;
      const album = `album ${Math.floor(i / 12)}`;
      const title = `song ${i + 1}`;
      return { id: i + 1, path: `/home/listener/Music/${artist}/${album}/${(i % 12) + 1} - ${title}.mp3`, artist, title, album };
    });
    const t0 = performance.now();
    const built = new RecommendIndex(model, tracks, distanceScorer(distanceLayers(model)), embeddings);
    return { index: built, buildMs: performance.now() - t0 };
  };
  const { index, buildMs } = indexOf();
  // "More like this" runs on the song metric (song-similarity.ts) over generated song vectors.
  const vectors = Float32Array.from({ length: songs * SONG_VECTOR_LENGTH }, gauss);
  const t1 = performance.now();
  const similarity = new SongSimilarity(index, vectors);
  setSongSimilarity(index, similarity);
  const similarityBuildMs = performance.now() - t1;
  // Energy (z-scores) and tempo (60–180 BPM) per song, as the energy table would hold them.
  setEnergyTable(index, {
    energy: Float32Array.from({ length: songs }, gauss),
    tempo: Float32Array.from({ length: songs }, () => 60 + 120 * rng.next()),
  });
  const q = Float32Array.from(index.scorer.item(12345 % songs));
  const kernel: number[] = [];
  for (let i = 0; i < 50; i++) {
    const t = performance.now();
    index.scorer.score(q);
    kernel.push(performance.now() - t);
  }
  const queue: number[] = [];
  const nearest: number[] = [];
  const queueCpu: number[] = [];
  const nearestCpu: number[] = [];
  const similar: number[] = [];
  const pathMs: number[] = [];
  const blendAway: number[] = [];
  const shaped: number[] = [];
  const smooth: number[] = [];
  const pathCpu: number[] = [];
  const blendAwayCpu: number[] = [];
  const similarCpu: number[] = [];
  const cpuMs = (since: NodeJS.CpuUsage) => {
    const u = process.cpuUsage(since);
    return (u.user + u.system) / 1000;
  };
  const tl = performance.now();
  index.topicLanes(db);
  const laneTableMs = performance.now() - tl;
  topicQueue(db, index, [1], { n, seed: 1 }); // warm-up: the feedback anchors' neighbour lists are computed once
  for (let i = 0; i < queries; i++) {
    const topics = [1 + (i % 7), ...(i % 3 === 0 ? [1 + ((i * 5) % 7)] : [])];
    let c = process.cpuUsage();
    let t = performance.now();
    const qres = topicQueue(db, index, topics, { n, seed: i, adventurous: i % 2 === 0 ? 0 : 0.3 });
    queue.push(performance.now() - t);
    queueCpu.push(cpuMs(c));
    c = process.cpuUsage();
    t = performance.now();
    const nres = topicQueue(db, index, topics, { n, seed: i, adventurous: i % 2 === 0 ? 0 : 0.3, ranking: 'nearest' });
    nearest.push(performance.now() - t);
    nearestCpu.push(cpuMs(c));
    c = process.cpuUsage();
    t = performance.now();
    const sres = moreLikeThis(db, index, [1 + Math.floor(rng.next() * songs)], { n, seed: i });
    similar.push(performance.now() - t);
    similarCpu.push(cpuMs(c));
    if (qres.length !== n || sres.length !== n || nres.length !== n) throw new Error('short queue');
    const pick = () => 41 + Math.floor(rng.next() * (songs - 41));
    c = process.cpuUsage();
    t = performance.now();
    const p = pathIndices(db, index, [pick(), pick()], { n: 12 });
    pathMs.push(performance.now() - t);
    pathCpu.push(cpuMs(c));
    c = process.cpuUsage();
    t = performance.now();
    const bres = moreLikeThis(db, index, [pick()], { n, seed: i, unlike: [pick()], adventurous: 0.3 });
    blendAway.push(performance.now() - t);
    blendAwayCpu.push(cpuMs(c));
    t = performance.now();
    const eres = topicQueue(db, index, topics, {
      n,
      seed: i,
      energy: 1,
      tempo: { min: 90, max: 140 },
      energyCurve: 'rising',
      maxPerArtist: 2,
      maxPerAlbum: 1,
    });
    shaped.push(performance.now() - t);
    const list = Array.from({ length: 50 }, pick);
    t = performance.now();
    orderTracks(index, list, list[0]);
    smooth.push(performance.now() - t);
    if (p.length !== 12 || bres.length !== n || eres.length !== n)
      throw new Error(`short mix: path ${p.length}, blend ${bres.length}, shaped ${eres.length}`);
  }
  /**
   * The same kinds of query under two settings, alternating query by query so that both see the same
   * machine: each setting's `apply` runs before its queries; times go into its own lists.
   */
  type Timed = { similar: number[]; blendAway: number[]; path: number[] };
  const alternate = (settings: readonly { apply: () => void; into: Timed }[], withPath: boolean) => {
    for (let i = 0; i < queries; i++) {
      const pick = () => 41 + Math.floor(rng.next() * (songs - 41));
      for (const { apply, into } of settings) {
        apply();
        const seed = pick();
        let away = pick();
        while (away === seed) away = pick();
        let t = performance.now();
        moreLikeThis(db, index, [seed], { n, seed: i });
        into.similar.push(performance.now() - t);
        t = performance.now();
        moreLikeThis(db, index, [seed], { n, seed: i, unlike: [away], adventurous: 0.3 });
        into.blendAway.push(performance.now() - t);
        if (!withPath) continue;
        t = performance.now();
        pathIndices(db, index, [pick(), pick()], { n: 12 });
        into.path.push(performance.now() - t);
      }
    }
  };
  const timed = (): Timed => ({ similar: [], blendAway: [], path: [] });
  // The baseline in the same run: every kernel pass on this thread alone (kernel-split.ts off).
  const oneCore = timed();
  const bothCores = timed();
  const splitBefore = splitPasses();
  alternate(
    [
      { apply: () => setKernelSplitting(false), into: oneCore },
      { apply: () => setKernelSplitting(true), into: bothCores },
    ],
    true,
  );
  setKernelSplitting(true);
  const splitShare = (splitPasses() - splitBefore) / Math.max(1, queries);
  // The descriptors' baseline in the same run: held as float32 (before they were int8).
  const float32 = new SongSimilarity(index, vectors, { ...MORE_LIKE_THIS, precision: 'float32' });
  const byPrecision = { int8: timed(), float32: timed() };
  alternate(
    [
      { apply: () => setSongSimilarity(index, float32), into: byPrecision.float32 },
      { apply: () => setSongSimilarity(index, similarity), into: byPrecision.int8 },
    ],
    false,
  );
  setSongSimilarity(index, similarity);
  // Issue 16's other mixes; the first similar-artists / -albums call builds the group points (timed apart).
  const more = {
    radioTrack: [] as number[],
    radioArtist: [] as number[],
    radioAlbum: [] as number[],
    artists: [] as number[],
    albums: [] as number[],
  };
  let t = performance.now();
  similarGroups(index, 'artist', index.tracks.field(0, 'artist')!, 10);
  const artistsFirstMs = performance.now() - t;
  t = performance.now();
  similarGroups(index, 'album', index.tracks.field(0, 'album')!, 10);
  const albumsFirstMs = performance.now() - t;
  for (let i = 0; i < queries; i++) {
    const pick = () => 41 + Math.floor(rng.next() * (songs - 41));
    t = performance.now();
    radio(db, index, { trackIds: [index.tracks.id(pick())] }, { n });
    more.radioTrack.push(performance.now() - t);
    t = performance.now();
    radio(db, index, { artist: index.tracks.field(pick(), 'artist')! }, { n });
    more.radioArtist.push(performance.now() - t);
    t = performance.now();
    radio(db, index, { album: index.tracks.field(pick(), 'album')! }, { n });
    more.radioAlbum.push(performance.now() - t);
    t = performance.now();
    similarGroups(index, 'artist', index.tracks.field(pick(), 'artist')!, 10);
    more.artists.push(performance.now() - t);
    t = performance.now();
    similarGroups(index, 'album', index.tracks.field(pick(), 'album')!, 10);
    more.albums.push(performance.now() - t);
  }
  rows.push({
    more: {
      radioTrack: stats(more.radioTrack),
      radioArtist: stats(more.radioArtist),
      radioAlbum: stats(more.radioAlbum),
      artists: stats(more.artists),
      albums: stats(more.albums),
    },
    groupsFirstMs: { artists: artistsFirstMs, albums: albumsFirstMs },
    descriptorsInt8: { similar: stats(byPrecision.int8.similar), blendAway: stats(byPrecision.int8.blendAway) },
    descriptorsFloat32: { similar: stats(byPrecision.float32.similar), blendAway: stats(byPrecision.float32.blendAway) },
    oneCore: { similar: stats(oneCore.similar), blendAway: stats(oneCore.blendAway), path: stats(oneCore.path) },
    bothCores: { similar: stats(bothCores.similar), blendAway: stats(bothCores.blendAway), path: stats(bothCores.path) },
    splitShare,
    songs,
    scorer: index.scorer.kind,
    buildMs,
    laneTableMs,
    similarityBuildMs,
    kernel: stats(kernel),
    queue: stats(queue),
    nearest: stats(nearest),
    queueCpu: stats(queueCpu),
    nearestCpu: stats(nearestCpu),
    similar: stats(similar),
    path: stats(pathMs),
    blendAway: stats(blendAway),
    shaped: stats(shaped),
    smoothOrder: stats(smooth),
    pathCpu: stats(pathCpu),
    blendAwayCpu: stats(blendAwayCpu),
    similarCpu: stats(similarCpu),
  });
}
db.close();
fs.rmSync(dir, { recursive: true, force: true });

// The index build from SQLite, as the app does it (issue 12: in the reader worker, in keyset pages), on a
// seeded library of the same size (bench/ui-library.ts: tracks, topics, an active default-shape model and
// every embedding), against main's one-shot load before the change (one SELECT of every row as an object,
// then copies) timed in the same run. `longest step` is the longest stretch between two hand-backs of the
// thread: what a build costs the thread it runs on at once.
interface BuildRow {
  songs: number;
  oneShot: { wall: number; cpu: number };
  paged: { wall: number; cpu: number; longestStepMs: number; steps: number };
}
const buildRows: BuildRow[] = [];
const best = (xs: { wall: number; cpu: number }[]) => xs.reduce((a, b) => (b.wall < a.wall ? b : a));
for (const songs of sizes.filter((s) => s <= 100_000)) {
  const seededDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cadenza-bench-rec-index-'));
  const seededDb = openLibraryDatabase(seededDir);
  seedUiLibrary(seededDb, seededDir, songs);
  const timed = <T>(f: () => T): { wall: number; cpu: number; value: T } => {
    const c = process.cpuUsage();
    const t = performance.now();
    const value = f();
    const u = process.cpuUsage(c);
    return { wall: performance.now() - t, cpu: (u.user + u.system) / 1000, value };
  };
  const oneShot: { wall: number; cpu: number }[] = [];
  const paged: { wall: number; cpu: number; longestStepMs: number; steps: number }[] = [];
  for (let run = 0; run < 3; run++) {
    const a = timed(() => oneShotLoad(seededDb, seededDir));
    if (a.value.count !== songs) throw new Error('one-shot index short');
    oneShot.push(a);
    let steps = 0;
    let longest = 0;
    let last = performance.now();
    const c = process.cpuUsage();
    const t = performance.now();
    const index = await RecommendIndex.build(seededDb, seededDir, async () => {
      longest = Math.max(longest, performance.now() - last);
      steps++;
      await new Promise((resolve) => setImmediate(resolve));
      last = performance.now();
    });
    longest = Math.max(longest, performance.now() - last);
    const u = process.cpuUsage(c);
    if (index?.count !== songs) throw new Error('paged index short');
    paged.push({ wall: performance.now() - t, cpu: (u.user + u.system) / 1000, longestStepMs: longest, steps });
  }
  const p = best(paged) as (typeof paged)[number];
  buildRows.push({
    songs,
    oneShot: best(oneShot),
    paged: { ...p, longestStepMs: Math.max(...paged.map((x) => x.longestStepMs)) },
  });
  seededDb.close();
  fs.rmSync(seededDir, { recursive: true, force: true });
}

/** Main's RecommendIndex.load before issue 12's paged build: the baseline. */
function oneShotLoad(database: typeof db, dataDir: string): RecommendIndex {
  const stored = loadModel(database, dataDir)!;
  const all = database
    .prepare(
      `SELECT t.id, t.path, t.artist, t.title, e.embedding FROM tracks t CROSS JOIN track_embeddings e ON e.track_id = t.id AND e.model_id = ?
       WHERE t.available = 1 ORDER BY t.id`,
    )
    .all(stored.id) as { id: number; path: string; artist: string | null; title: string | null; embedding: Buffer }[];
  const dim = stored.meta.config.embedding;
  const embeddings = new Float32Array(all.length * dim);
  all.forEach((r, i) => embeddings.set(blobToFeatures(r.embedding), i * dim));
  const tracks = all.map(({ id, path: p, artist, title }) => ({ id, path: p, artist, title }));
  return new RecommendIndex(stored, tracks, distanceScorer(distanceLayers(stored)), embeddings);
}

if (values.json) console.log(JSON.stringify({ n, queries, rows, buildRows }));
else {
  const f = (x: number) => x.toFixed(1);
  console.log(
    `Recommendation latency (ms), N = ${n}, ${queries} queries each, ${os.cpus().length} cores, Node ${process.version}`,
  );
  console.log(
    '| songs | scorer | index build | song metric build | lane table (once) | D pass p50 / p99 | topic queue, blend p50 / p99 / max | topic queue, nearest p50 / p99 / max | blend / nearest p99 | more like this p50 / p99 / max |',
  );
  console.log('| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows)
    console.log(
      `| ${r.songs.toLocaleString('en')} | ${r.scorer} | ${f(r.buildMs)} | ${f(r.similarityBuildMs)} | ${f(r.laneTableMs)} | ${f(r.kernel.p50)} / ${f(r.kernel.p99)} | ${f(r.queue.p50)} / ${f(r.queue.p99)} / ${f(r.queue.max)} | ${f(r.nearest.p50)} / ${f(r.nearest.p99)} / ${f(r.nearest.max)} | ${(r.queue.p99 / r.nearest.p99).toFixed(2)} | ${f(r.similar.p50)} / ${f(r.similar.p99)} / ${f(r.similar.max)} |`,
    );
  console.log('\nIssue 16 mixes (ms): p50 / p99 / max; ratio = p99 / more like this p99 of the same run');
  console.log(
    '| songs | path n = 12 | blend with subtraction | energy-shaped queue + caps | smooth order of 50 | more like this (baseline) |',
  );
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows) {
    const cell = (x: { p50: number; p99: number; max: number }) =>
      `${f(x.p50)} / ${f(x.p99)} / ${f(x.max)} (×${(x.p99 / r.similar.p99).toFixed(2)})`;
    console.log(
      `| ${r.songs.toLocaleString('en')} | ${cell(r.path)} | ${cell(r.blendAway)} | ${cell(r.shaped)} | ${cell(r.smoothOrder)} | ${f(r.similar.p50)} / ${f(r.similar.p99)} / ${f(r.similar.max)} |`,
    );
  }
  console.log(
    '\nKernel passes over both cores (kernel-split.ts) against one core, the same queries alternating (ms p50 / p99 / max; ratio of p50s):',
  );
  console.log(
    '| songs | more like this: both / one | blend with subtraction: both / one | path n = 12: both / one | split passes per round |',
  );
  console.log('| ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows) {
    const pair = (k: 'similar' | 'blendAway' | 'path') =>
      `${f(r.bothCores[k].p50)} / ${f(r.bothCores[k].p99)} / ${f(r.bothCores[k].max)} · ${f(r.oneCore[k].p50)} / ${f(r.oneCore[k].p99)} / ${f(r.oneCore[k].max)} (×${(r.oneCore[k].p50 / r.bothCores[k].p50).toFixed(2)})`;
    console.log(
      `| ${r.songs.toLocaleString('en')} | ${pair('similar')} | ${pair('blendAway')} | ${pair('path')} | ${r.splitShare.toFixed(1)} |`,
    );
  }
  console.log(
    "\nThe song metric's descriptors as int8 (default) against float32 (the baseline), both cores, alternating (ms p50 / p99 / max; ratio of p50s):",
  );
  console.log('| songs | more like this: int8 / float32 | blend with subtraction: int8 / float32 |');
  console.log('| ---: | ---: | ---: |');
  for (const r of rows) {
    const pair = (k: 'similar' | 'blendAway') =>
      `${f(r.descriptorsInt8[k].p50)} / ${f(r.descriptorsInt8[k].p99)} / ${f(r.descriptorsInt8[k].max)} · ${f(r.descriptorsFloat32[k].p50)} / ${f(r.descriptorsFloat32[k].p99)} / ${f(r.descriptorsFloat32[k].max)} (×${(r.descriptorsFloat32[k].p50 / r.descriptorsInt8[k].p50).toFixed(2)})`;
    console.log(`| ${r.songs.toLocaleString('en')} | ${pair('similar')} | ${pair('blendAway')} |`);
  }
  console.log('\nCPU time per mix (ms, user + system): path n = 12 | blend with subtraction | more like this');
  for (const r of rows)
    console.log(
      `| ${r.songs.toLocaleString('en')} | ${f(r.pathCpu.p50)} / ${f(r.pathCpu.p99)} / ${f(r.pathCpu.max)} | ${f(r.blendAwayCpu.p50)} / ${f(r.blendAwayCpu.p99)} / ${f(r.blendAwayCpu.max)} | ${f(r.similarCpu.p50)} / ${f(r.similarCpu.p99)} / ${f(r.similarCpu.max)} |`,
    );
  console.log('\nCPU time per topic queue (ms, user + system of this process; robust to a loaded machine):');
  console.log('| songs | blend p50 / p99 / max | nearest p50 / p99 / max |');
  console.log('| ---: | ---: | ---: |');
  for (const r of rows)
    console.log(
      `| ${r.songs.toLocaleString('en')} | ${f(r.queueCpu.p50)} / ${f(r.queueCpu.p99)} / ${f(r.queueCpu.max)} | ${f(r.nearestCpu.p50)} / ${f(r.nearestCpu.p99)} / ${f(r.nearestCpu.max)} |`,
    );
  console.log('\nIssue 16, the other mixes (ms p50 / p99 / max; ratio = p99 / more like this p99 of the same run):');
  console.log(
    '| songs | radio from a track | radio from an artist | radio from an album | similar artists | similar albums | first similar artists / albums (builds the groups) |',
  );
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows) {
    const cell = (k: keyof Row['more']) =>
      `${f(r.more[k].p50)} / ${f(r.more[k].p99)} / ${f(r.more[k].max)} (×${(r.more[k].p99 / r.similar.p99).toFixed(2)})`;
    console.log(
      `| ${r.songs.toLocaleString('en')} | ${cell('radioTrack')} | ${cell('radioArtist')} | ${cell('radioAlbum')} | ${cell('artists')} | ${cell('albums')} | ${f(r.groupsFirstMs.artists)} / ${f(r.groupsFirstMs.albums)} |`,
    );
  }
  // The selection under every mix (top-k.ts) against its heap baseline, the same scores, alternating.
  console.log(
    '\nk smallest of n scores (top-k.ts threshold selection against the heap it replaced; ms p50 of 200, alternating):',
  );
  console.log('| songs | k = 20: selection / heap | k = 1,000 (the shortlist): selection / heap |');
  console.log('| ---: | ---: | ---: |');
  for (const r of rows) {
    const rng = createRng(r.songs + 1);
    const scores = Float32Array.from({ length: r.songs }, () => rng.next());
    const cell = (k: number) => {
      const fast: number[] = [];
      const heap: number[] = [];
      for (let i = 0; i < 200; i++) {
        const skip = (j: number) => j === i;
        let t = performance.now();
        smallestK(scores, k, skip);
        fast.push(performance.now() - t);
        t = performance.now();
        heapSmallestK(scores, k, skip);
        heap.push(performance.now() - t);
      }
      const a = stats(fast).p50;
      const b = stats(heap).p50;
      return `${a.toFixed(2)} / ${b.toFixed(2)} (×${(b / a).toFixed(2)})`;
    };
    console.log(`| ${r.songs.toLocaleString('en')} | ${cell(20)} | ${cell(1000)} |`);
  }
  console.log('\nIndex build from SQLite (ms; best of 3; seeded library, the default model shape):');
  console.log(
    '| songs | one-shot load (before) wall / CPU | paged build (after) wall / CPU | after / before | pages | longest step |',
  );
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const b of buildRows)
    console.log(
      `| ${b.songs.toLocaleString('en')} | ${f(b.oneShot.wall)} / ${f(b.oneShot.cpu)} | ${f(b.paged.wall)} / ${f(b.paged.cpu)} | ${(b.paged.wall / b.oneShot.wall).toFixed(2)} | ${b.paged.steps + 1} | ${f(b.paged.longestStepMs)} |`,
    );
}
