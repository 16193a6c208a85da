// The recommendation index off the host's main thread (issue 12): the index cache's builds page by page
// (a caller during a build waits and gets the current data, a change abandons the build, close stops
// it), and the real app service answering through its reader worker, on real SQLite files.
import type { Database } from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/helpers/temp-dir.ts';
import { FEATURE_VERSION } from '../analysis/dsp/index.ts';
import { openLibraryDatabase } from '../db/open.ts';
import { modelDefinition } from '../model/definition.ts';
import { DESCRIPTOR_INPUT_LENGTH } from '../model/inputs.ts';
import { initWeights } from '../model/network.ts';
import { activateModel, embeddingToBlob, saveModel } from '../model/store.ts';
import { syntheticDataset, writeSyntheticLibrary } from '../model/synthetic.ts';
import { TRAIN_DEFAULTS } from '../model/trainer.ts';
import { moreLikeThis, RecommendIndex, topicQueue } from '../recommend/recommender.ts';
import { createRng } from '../topics/rng.ts';
import { JsonText } from '../../api/contract.ts';
import { AppService } from './app-service.ts';
import { embeddingMap, RecommendIndexCache } from './recommend-service.ts';

const K = 7;

interface Library {
  dataDir: string;
  ids: number[];
  fingerprint: string;
}

/** A synthetic analysed, topic-fitted library (features, descriptors, topics) in a real data folder. */
function library(songs: number): Library {
  const dataDir = tempDir();
  const db = openLibraryDatabase(dataDir);
  const dataset = syntheticDataset({ songs, seed: 7, signal: 1 });
  const ids = writeSyntheticLibrary(db, dataset);
  db.close();
  return { dataDir, ids, fingerprint: dataset.topicFingerprint };
}

/** An untrained default-shape model (random weights) saved active, with embeddings for `embedded` (default: every song). */
function addModel(db: Database, lib: Library, seed: number, embedded: readonly number[] = lib.ids): number {
  const config = modelDefinition('default').config(DESCRIPTOR_INPUT_LENGTH, K);
  const saved = saveModel(
    db,
    lib.dataDir,
    {
      config,
      options: { ...TRAIN_DEFAULTS, objective: 'triplet', seed },
      weights: initWeights(config, seed),
      standardizer: { mean: new Float32Array(DESCRIPTOR_INPUT_LENGTH), std: new Float32Array(DESCRIPTOR_INPUT_LENGTH).fill(1) },
      history: [],
      bestEpoch: 0,
      valAccuracy: 0.5,
      trainSongs: lib.ids.length,
      valSongs: 0,
      stoppedEarly: false,
      cancelled: false,
      resumedFromEpoch: null,
      trainMs: 0,
      tripletsPerSecond: 0,
    },
    { name: 'cpu', device: 'test' },
    { featureVersion: FEATURE_VERSION, topicFingerprint: lib.fingerprint },
  );
  embed(db, saved.modelId, embedded, seed);
  return saved.modelId;
}

function embed(db: Database, modelId: number, ids: readonly number[], seed: number): void {
  const rng = createRng(seed);
  const insert = db.prepare('INSERT INTO track_embeddings (track_id, model_id, embedding, feature_version) VALUES (?, ?, ?, ?)');
  const e = new Float32Array(modelDefinition('default').config(DESCRIPTOR_INPUT_LENGTH, K).embedding);
  db.transaction(() => {
    for (const id of ids) {
      for (let j = 0; j < e.length; j++) e[j] = rng.next() * 2 - 1;
      insert.run(id, modelId, embeddingToBlob(e), FEATURE_VERSION);
    }
  })();
}

const open: Database[] = [];
const services: AppService[] = [];
afterEach(async () => {
  for (const s of services.splice(0)) await s.close();
  for (const db of open.splice(0)) if (db.open) db.close();
});
function connect(dataDir: string): Database {
  const db = openLibraryDatabase(dataDir);
  open.push(db);
  return db;
}

describe('RecommendIndexCache (the reader worker’s index), on a real SQLite file', () => {
  // 16 rows per page: a 300-song build spans ~19 pages, each handing the thread back.
  const PAGE = 16;

  it('a caller during a build waits for that build; concurrent callers share it', async () => {
    const lib = library(300);
    const writer = connect(lib.dataDir);
    const model = addModel(writer, lib, 1);
    const cache = new RecommendIndexCache(connect(lib.dataDir), lib.dataDir, PAGE);
    const first = cache.get();
    const second = cache.get();
    expect(cache.status().state).toBe('building');
    expect(cache.ready()).toBeNull();
    const [a, b] = await Promise.all([first, second]);
    expect(a).toBe(b);
    expect(a!.model!.id).toBe(model);
    expect(a!.count).toBe(300);
    expect(cache.status()).toMatchObject({ state: 'ready', modelId: model, songs: 300, builds: 1 });
    // The paged build holds what the one-shot load holds.
    const whole = RecommendIndex.load(writer, lib.dataDir)!;
    expect(a!.tracks).toEqual(whole.tracks);
    expect(Array.from(a!.artistKey)).toEqual(Array.from(whole.artistKey));
    expect(Array.from(a!.scorer.score(whole.scorer.item(5)))).toEqual(Array.from(whole.scorer.score(whole.scorer.item(5))));
    expect(await cache.get()).toBe(a); // nothing changed: no rebuild
    expect(cache.status().builds).toBe(1);
  });

  it('a change during a build abandons it: the waiting caller gets the index of the data after the change', async () => {
    const lib = library(300);
    const writer = connect(lib.dataDir);
    addModel(writer, lib, 1);
    const cache = new RecommendIndexCache(connect(lib.dataDir), lib.dataDir, PAGE);
    const pending = cache.get();
    await new Promise((resolve) => setImmediate(resolve)); // the build is a few pages in
    expect(cache.status().state).toBe('building');
    const second = addModel(writer, lib, 2); // another model activated, as `cadenza model activate` would
    cache.invalidate(); // library.changed
    const index = await pending;
    expect(index!.model!.id).toBe(second);
    expect(cache.status()).toMatchObject({ modelId: second, builds: 1 }); // the abandoned build is not counted
  });

  it('picks up what another process committed without being told: another active model, new embeddings', async () => {
    const lib = library(300);
    const writer = connect(lib.dataDir);
    const first = addModel(writer, lib, 1, lib.ids.slice(0, 250));
    const cache = new RecommendIndexCache(connect(lib.dataDir), lib.dataDir, PAGE);
    expect((await cache.get())!.count).toBe(250);
    embed(writer, first, lib.ids.slice(250), 9); // songs embedded meanwhile (the embed job, another connection)
    const grown = (await cache.get())!;
    expect(grown.count).toBe(300);
    expect(grown.indexOf(lib.ids[299]!)).toBeDefined();
    const second = addModel(writer, lib, 2);
    expect((await cache.get())!.model!.id).toBe(second);
    activateModel(writer, first); // a rollback from the CLI
    expect((await cache.get())!.model!.id).toBe(first);
    // A commit that changes nothing the index reads (feedback) keeps it.
    const kept = await cache.get();
    writer.prepare("INSERT INTO feedback_events (track_id, kind, created_at) VALUES (?, 'play', 0)").run(lib.ids[0]);
    expect(await cache.get()).toBe(kept);
  });

  it('invalidate() rebuilds on the next call: tracks made unavailable leave the index', async () => {
    const lib = library(120);
    const writer = connect(lib.dataDir);
    addModel(writer, lib, 1);
    const cache = new RecommendIndexCache(connect(lib.dataDir), lib.dataDir, PAGE);
    expect((await cache.get())!.count).toBe(120);
    writer.prepare('UPDATE tracks SET available = 0 WHERE id <= ?').run(lib.ids[9]);
    cache.invalidate();
    const index = (await cache.get())!;
    expect(index.count).toBe(110);
    expect(index.indexOf(lib.ids[0]!)).toBeUndefined();
  });

  it('close during a build: the waiting caller is refused and the build reads nothing more (the connection closes at once)', async () => {
    const lib = library(300);
    addModel(connect(lib.dataDir), lib, 1);
    const reader = connect(lib.dataDir);
    const cache = new RecommendIndexCache(reader, lib.dataDir, PAGE);
    const pending = cache.get();
    await new Promise((resolve) => setImmediate(resolve));
    cache.close();
    reader.close(); // a build that kept reading would fail with "The database connection is not open" instead
    await expect(pending).rejects.toThrow(/the app is closing/);
    await expect(cache.get()).rejects.toThrow(/the app is closing/);
  });

  it('without a model there is no index, and a model trained later is found', async () => {
    const lib = library(60);
    const cache = new RecommendIndexCache(connect(lib.dataDir), lib.dataDir, PAGE);
    expect(await cache.get()).toBeNull();
    await expect(cache.require()).rejects.toThrow(/no trained model/);
    const model = addModel(connect(lib.dataDir), lib, 1);
    expect((await cache.get())!.model!.id).toBe(model);
  });
});

describe('the app service answers through its reader worker', () => {
  function service(dataDir: string): AppService {
    const s = new AppService(dataDir, () => {}, { mode: 'browser', version: 'test' });
    services.push(s);
    return s;
  }

  it('queues, more like this and the map from the worker are the ones computed in-thread on the same data', async () => {
    const lib = library(400);
    const db = connect(lib.dataDir);
    const model = addModel(db, lib, 3);
    const app = service(lib.dataDir);
    app.open(); // starts the build in the worker
    const [summary, page, queue, similar, map] = await Promise.all([
      app.handle('library.summary', null),
      app.handle('tracks.list', { offset: 0, limit: 50 }),
      app.handle('queue.fromTopics', { topics: [1, 3], n: 12 }),
      app.handle('tracks.moreLike', { trackIds: [lib.ids[7]!], n: 12 }),
      app.handle('model.map', { topics: [2] }),
    ]);
    expect(summary.tracks).toBe(400);
    expect(page.total).toBe(400);
    expect(page.tracks).toHaveLength(50);
    const index = RecommendIndex.load(db, lib.dataDir)!;
    const ids = (recs: readonly { id: number }[]) => recs.map((r) => r.id);
    expect(ids(queue.tracks)).toEqual(ids(topicQueue(db, index, [1, 3], { n: 12, adventurous: 0 })));
    expect(ids(similar.tracks)).toEqual(ids(moreLikeThis(db, index, [lib.ids[7]!], { n: 12 })));
    expect(similar.tracks.every((t) => typeof t.path === 'string' && t.why.text.length > 0)).toBe(true);
    expect(map).toEqual(embeddingMap(db, index, [2]));
    expect(map.modelId).toBe(model);
    // For a transport the map stays the JSON text the worker wrote: the host neither parses nor writes it.
    const forTransport = await app.handleForTransport('model.map', { topics: [2] });
    expect(forTransport).toBeInstanceOf(JsonText);
    expect(JSON.parse((forTransport as JsonText).text)).toEqual(map);
    expect(await app.indexStatus()).toMatchObject({ state: 'ready', modelId: model, songs: 400, builds: 1 });
    // The topics and facets come from the worker too.
    expect((await app.handle('topics.show', null)).topics).toHaveLength(K);
    expect((await app.handle('tracks.facets', null)).formats[0]!.count).toBe(400);
  }, 60_000);

  it('follows the library: another model activated elsewhere, a removed folder, a rollback', async () => {
    const lib = library(200);
    const db = connect(lib.dataDir);
    const first = addModel(db, lib, 1);
    const app = service(lib.dataDir);
    app.open();
    expect((await app.handle('model.map', {})).modelId).toBe(first);
    const second = addModel(db, lib, 2); // `cadenza train` in another process activates it
    const map = await app.handle('model.map', {});
    expect(map.modelId).toBe(second);
    expect(map.ids).toHaveLength(200);
    expect(await app.handle('model.rollback', null)).toEqual({ from: second, to: first });
    expect((await app.handle('queue.fromTopics', { topics: [2], n: 5 })).tracks).toHaveLength(5);
    expect((await app.handle('model.map', {})).modelId).toBe(first);
    const root = (db.prepare('SELECT path FROM library_roots').get() as { path: string }).path;
    await app.handle('library.removeFolder', { folder: root });
    expect((await app.handle('library.summary', null)).tracks).toBe(0);
    expect((await app.handle('model.map', {})).ids).toEqual([]);
    await expect(app.handle('tracks.moreLike', { trackIds: [lib.ids[0]!] })).rejects.toThrow(/no embedding/);
  }, 60_000);

  it('closing while the index builds is clean: the waiting call answers or is refused, the file stays sound, a new start answers', async () => {
    const lib = library(3000);
    addModel(connect(lib.dataDir), lib, 1);
    const app = service(lib.dataDir);
    app.open();
    const queue = app.handle('queue.fromTopics', { topics: [1], n: 10 }).then(
      (r) => ({ answered: r.tracks.length }),
      (error: Error) => ({ refused: error.message }),
    );
    await app.close();
    const outcome = await queue;
    if ('refused' in outcome) expect(outcome.refused).toMatch(/the app is closing/);
    else expect(outcome.answered).toBe(10);
    await expect(app.handle('library.summary', null)).rejects.toThrow(/closing/);
    const check = connect(lib.dataDir);
    expect(check.pragma('quick_check', { simple: true })).toBe('ok');
    const again = service(lib.dataDir);
    again.open();
    expect((await again.handle('queue.fromTopics', { topics: [1], n: 10 })).tracks).toHaveLength(10);
  }, 60_000);
});
