// A seeded library for the UI bench: N track rows as a scan leaves them (artists, albums, titles,
// formats, genres, durations), a fitted topic model with every track's topics, and an active model with
// every track's embedding (clustered by topic, so the map has structure). Written straight into a real
// SQLite file through the core's schema; no audio (the UI reads none of it until a song plays).
import type { Database } from 'better-sqlite3';
import { FEATURE_VERSION } from '../src-main/core/analysis/dsp/index.ts';
import { modelDefinition } from '../src-main/core/model/definition.ts';
import { DESCRIPTOR_INPUT_LENGTH } from '../src-main/core/model/inputs.ts';
import { initWeights } from '../src-main/core/model/network.ts';
import { embeddingToBlob, saveModel } from '../src-main/core/model/store.ts';
import { TRAIN_DEFAULTS } from '../src-main/core/model/trainer.ts';
import { createRng } from '../src-main/core/topics/rng.ts';

const FORMATS: [container: string, codec: string, ext: string][] = [
  ['MPEG', 'MPEG 1 Layer 3', 'mp3'],
  ['FLAC', 'FLAC', 'flac'],
  ['Ogg', 'Vorbis I', 'ogg'],
  ['Ogg', 'Opus', 'opus'],
  ['M4A/mp42/isom', 'MPEG-4/AAC', 'm4a'],
];
const GENRES = [
  'rock',
  'pop',
  'electronic',
  'jazz',
  'ambient',
  'classical',
  'hiphop',
  'folk',
  'metal',
  'soundtrack',
  'world',
  'blues',
];
const WORDS = ['glass', 'harbor', 'night', 'river', 'static', 'echo', 'paper', 'summer', 'iron', 'velvet', 'north', 'signal'];
const K = 7;
const FINGERPRINT = 'bench-ui';

export interface SeededLibrary {
  tracks: number;
  modelId: number;
  embedding: number;
}

export function seedUiLibrary(db: Database, dataDir: string, n: number, seed = 1): SeededLibrary {
  const rng = createRng(seed);
  const word = () => WORDS[rng.int(WORDS.length)]!;
  const now = Date.now();
  const definition = modelDefinition('default');
  const config = definition.config(DESCRIPTOR_INPUT_LENGTH, K);
  const d = config.embedding;
  const centres = Array.from({ length: K }, () => Float32Array.from({ length: d }, () => (rng.next() - 0.5) * 4));
  db.transaction(() => {
    db.prepare("INSERT INTO library_roots (id, path, added_at) VALUES (1, '/bench-music', ?)").run(now);
    const topicModel = Number(
      db
        .prepare(
          `INSERT INTO topic_models (fingerprint, k, seed, alpha, beta, sweeps, min_doc_freq, vocab, topic_word, topic_share, labels, top_tags, num_docs, num_tokens, created_at, active)
           VALUES (?, ?, 1, 0.3, 0.1, 1, 1, ?, ?, ?, ?, ?, ?, ?, ?, 1)`,
        )
        .run(
          FINGERPRINT,
          K,
          JSON.stringify(GENRES.slice(0, K)),
          blob(new Float32Array(K * K).fill(1 / K)),
          blob(new Float32Array(K).fill(1 / K)),
          JSON.stringify(GENRES.slice(0, K)),
          JSON.stringify(GENRES.slice(0, K).map((tag) => [{ tag, weight: 1 }])),
          n,
          n,
          now,
        ).lastInsertRowid,
    );
    const insertTrack = db.prepare(
      `INSERT INTO tracks (id, root_id, path, size, mtime_ms, duration, codec, container, title, artist, album, album_artist, track_no, year, genres, available, added_at, updated_at)
       VALUES (?, 1, ?, 5000000, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
    );
    const insertTopics = db.prepare(
      'INSERT INTO track_topics (track_id, model_id, theta, topic_set, dominant) VALUES (?, ?, ?, ?, ?)',
    );
    for (let id = 1; id <= n; id++) {
      // ~12 songs per album, 1-3 albums per artist.
      const album = Math.floor((id - 1) / 12);
      const artist = Math.floor(album / 2);
      const [container, codec, ext] = FORMATS[artist % FORMATS.length]!;
      const title = `${word()} ${word()} ${id}`;
      const artistName = `The ${WORDS[artist % WORDS.length]} ${artist}`;
      const albumName = `${WORDS[album % WORDS.length]} sessions ${album}`;
      const trackNo = ((id - 1) % 12) + 1;
      const genres = [GENRES[artist % GENRES.length]!, ...(rng.next() < 0.3 ? [GENRES[rng.int(GENRES.length)]!] : [])];
      insertTrack.run(
        id,
        `/bench-music/${artistName}/${albumName}/${String(trackNo).padStart(2, '0')} ${title}.${ext}`,
        now,
        120 + rng.next() * 420,
        codec,
        container,
        title,
        artistName,
        albumName,
        artistName,
        trackNo,
        1970 + (artist % 55),
        JSON.stringify([...new Set(genres)]),
        id,
        now,
      );
      const dominant = artist % K;
      const theta = new Float32Array(K);
      theta[dominant] = 0.7;
      theta[(dominant + 1) % K] = 0.3;
      insertTopics.run(id, topicModel, blob(theta), JSON.stringify([dominant + 1, ((dominant + 1) % K) + 1]), dominant + 1);
    }
  })();
  const weights = initWeights(config, K);
  const saved = saveModel(
    db,
    dataDir,
    {
      config,
      options: { ...TRAIN_DEFAULTS, objective: 'triplet' },
      weights,
      standardizer: { mean: new Float32Array(DESCRIPTOR_INPUT_LENGTH), std: new Float32Array(DESCRIPTOR_INPUT_LENGTH).fill(1) },
      history: [],
      bestEpoch: 0,
      valAccuracy: 0.5,
      trainSongs: n,
      valSongs: 0,
      stoppedEarly: false,
      cancelled: false,
      resumedFromEpoch: null,
      trainMs: 0,
      tripletsPerSecond: 0,
    },
    { name: 'cpu', device: 'seeded by bench:ui' },
    { featureVersion: FEATURE_VERSION, topicFingerprint: FINGERPRINT },
  );
  const insertEmbedding = db.prepare(
    'INSERT INTO track_embeddings (track_id, model_id, embedding, feature_version) VALUES (?, ?, ?, ?)',
  );
  db.transaction(() => {
    const e = new Float32Array(d);
    for (let id = 1; id <= n; id++) {
      const centre = centres[Math.floor((id - 1) / 24) % K]!;
      for (let j = 0; j < d; j++) e[j] = centre[j]! + (rng.next() + rng.next() + rng.next() - 1.5);
      insertEmbedding.run(id, saved.modelId, embeddingToBlob(e), FEATURE_VERSION);
    }
  })();
  return { tracks: n, modelId: saved.modelId, embedding: d };
}

function blob(values: Float32Array): Buffer {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
}
