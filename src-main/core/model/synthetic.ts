import type { Database } from 'better-sqlite3';
import { FEATURE_LENGTH, FEATURE_VERSION } from '../analysis/dsp/index.ts';
import { CLIP_DESCRIPTOR_LENGTH, SEGMENTS_DESCRIPTOR_LENGTH } from '../analysis/dsp/descriptors.ts';
import { saveModelInputs } from '../analysis/feature-store.ts';
import { createRng } from '../topics/rng.ts';
import { inputMatrix, type Dataset, type Song } from './data.ts';
import { DESCRIPTOR_INPUT_LENGTH } from './inputs.ts';

/**
 * A synthetic library for tests and the benchmark: each song's dominant topic t adds a topic
 * prototype (a fixed random pattern) to Gaussian noise; a third of the songs get a second topic, with
 * half the weight. `signal` scales the prototypes (0 = pure noise, nothing to learn).
 */
export function syntheticDataset(options: { songs: number; k?: number; width?: number; seed?: number; signal?: number; songsPerArtist?: number }): Dataset {
  const k = options.k ?? 7;
  const width = options.width ?? 7560;
  const rng = createRng(options.seed ?? 1);
  const signal = options.signal ?? 0.5;
  const gauss = () => Math.sqrt(-2 * Math.log(Math.max(rng.next(), 1e-12))) * Math.cos(2 * Math.PI * rng.next());
  const prototypes = Array.from({ length: k }, () => Float32Array.from({ length: width }, gauss));
  const songs: Song[] = [];
  const features = new Float32Array(options.songs * width);

  const perArtist = options.songsPerArtist ?? 4;
  for (let i = 0; i < options.songs; i++) {
    const dominant = i % k;
    const topics = [dominant];
    if (rng.next() < 1 / 3) topics.push((dominant + 1 + rng.int(k - 1)) % k);
    songs.push({ trackId: i + 1, artist: `artist ${Math.floor(i / perArtist)}`, topics, dominant });
    const base = i * width;
    for (let d = 0; d < width; d++) {
      let v = gauss() * 3 + 10;
      v += signal * prototypes[dominant]![d]!;
      if (topics[1] !== undefined) v += 0.5 * signal * prototypes[topics[1]]![d]!;
      features[base + d] = v;
    }
  }
  // Descriptor inputs carry the same topic signal (descriptor models train on them), from their own
  // random stream so the MFCC-like features stay what they were.
  const drng = createRng((options.seed ?? 1) + 7_777);
  const dgauss = () => Math.sqrt(-2 * Math.log(Math.max(drng.next(), 1e-12))) * Math.cos(2 * Math.PI * drng.next());
  const dw = DESCRIPTOR_INPUT_LENGTH;
  const descriptorPrototypes = Array.from({ length: k }, () => Float32Array.from({ length: dw }, dgauss));
  const descriptors = new Float32Array(options.songs * dw);
  songs.forEach((song, i) => {
    for (let d = 0; d < dw; d++) {
      let v = dgauss() * 3 + 10 + signal * descriptorPrototypes[song.dominant]![d]!;
      if (song.topics[1] !== undefined) v += 0.5 * signal * descriptorPrototypes[song.topics[1]]![d]!;
      descriptors[i * dw + d] = v;
    }
  });
  return { k, songs, features, width, descriptors, descriptorWidth: dw, featureVersion: FEATURE_VERSION, topicFingerprint: `synthetic-${options.seed ?? 1}` };
}

/**
 * Writes a synthetic dataset into a library database as if it had been scanned, analysed and
 * topic-fitted (tests and the benchmark): one root, one track per song, its features, a topic model
 * with the dataset's fingerprint and every song's topics. Returns the track ids in song order.
 */
export function writeSyntheticLibrary(db: Database, dataset: Dataset, now = Date.now()): number[] {
  if (dataset.width !== FEATURE_LENGTH) throw new Error(`a library stores ${FEATURE_LENGTH} features per song`);
  return db.transaction(() => {
    const root = Number(db.prepare('INSERT INTO library_roots (path, added_at) VALUES (?, ?)').run(`/synthetic/${now}`, now).lastInsertRowid);
    const k = dataset.k;
    db.prepare('UPDATE topic_models SET active = 0 WHERE active = 1').run();
    const model = Number(
      db
        .prepare(
          `INSERT INTO topic_models (fingerprint, k, seed, alpha, beta, sweeps, min_doc_freq, vocab, topic_word, topic_share, labels, top_tags, num_docs, num_tokens, created_at, active)
           VALUES (?, ?, 1, 0.3, 0.1, 1, 1, ?, ?, ?, ?, ?, ?, ?, ?, 1)`,
        )
        .run(
          dataset.topicFingerprint,
          k,
          JSON.stringify(Array.from({ length: k }, (_, t) => `tag${t}`)),
          float32Blob(new Float32Array(k * k).fill(1 / k)),
          float32Blob(new Float32Array(k).fill(1 / k)),
          JSON.stringify(Array.from({ length: k }, (_, t) => `topic ${t + 1}`)),
          JSON.stringify(Array.from({ length: k }, (_, t) => [{ tag: `tag${t}`, weight: 1 }])),
          dataset.songs.length,
          dataset.songs.length,
          now,
        ).lastInsertRowid,
    );
    const insertTrack = db.prepare(
      `INSERT INTO tracks (root_id, path, size, mtime_ms, title, artist, added_at, updated_at) VALUES (?, ?, 1000, ?, ?, ?, ?, ?)`,
    );
    const insertFeatures = db.prepare(
      `INSERT INTO track_features (track_id, feature_version, features, source_size, source_mtime_ms, clip_start, clip_seconds, decoder, analysed_at, descriptors, descriptor_views)
       VALUES (?, ?, ?, 1000, ?, 0, 30, 'synthetic', ?, ?, '[{"start":0,"seconds":30}]')`,
    );
    // One stored view per song: the input values, then zeros for the per-segment part.
    const storedView = (i: number) => {
      const view = new Float32Array(CLIP_DESCRIPTOR_LENGTH + SEGMENTS_DESCRIPTOR_LENGTH);
      if (dataset.descriptors && dataset.descriptorWidth) view.set(dataset.descriptors.subarray(i * dataset.descriptorWidth, (i + 1) * dataset.descriptorWidth));
      return view;
    };
    const insertTopics = db.prepare('INSERT INTO track_topics (track_id, model_id, theta, topic_set, dominant) VALUES (?, ?, ?, ?, ?)');
    return dataset.songs.map((song, i) => {
      const id = Number(insertTrack.run(root, `/synthetic/${now}/song-${String(i).padStart(5, '0')}.mp3`, now, `song ${i}`, song.artist, now, now).lastInsertRowid);
      const view = storedView(i);
      insertFeatures.run(id, FEATURE_VERSION, float32Blob(inputMatrix(dataset, 'mfcc').data.subarray(i * dataset.width, (i + 1) * dataset.width)), now, now, float32Blob(view));
      saveModelInputs(db, id, FEATURE_VERSION, view);
      const theta = new Float32Array(k);
      for (const t of song.topics) theta[t] = 1 / song.topics.length;
      insertTopics.run(id, model, float32Blob(theta), JSON.stringify(song.topics.map((t) => t + 1)), song.dominant + 1);
      return id;
    });
  })();
}

function float32Blob(values: Float32Array): Buffer {
  return Buffer.from(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
}
