// Features-only libraries for the benches (issue 12): the analysed rows of a real source library (mer-dev
// analysed once by the real scan + analysis jobs) replicated to N tracks with ±1 % jitter, each with its
// source song's genre / mood tags and a distinct artist / album / title from the Jamendo ids. Used by
// bench/library.ts (then every later stage runs through the app) and bench/model-inputs.ts (which also
// copies the source's fitted topics and can stop at an older schema, to time a migration on it).
import fs from 'node:fs';
import path from 'node:path';
import { saveModelInputs } from '../src-main/core/analysis/feature-store.ts';
import { AppService } from '../src-main/core/app/app-service.ts';
import { migrate } from '../src-main/core/db/migrate.ts';
import { openLibraryDatabase } from '../src-main/core/db/open.ts';

export const BENCH_ROOT = path.resolve(import.meta.dirname, '..');
export const LIBRARY_CACHE = path.join(BENCH_ROOT, '.cache', 'bench-library');
const MER_DEV = path.resolve(BENCH_ROOT, '../shared/datasets/mer-dev');
const JAMENDO = path.resolve(BENCH_ROOT, '../shared/datasets/jamendo-tags/tracks.tsv');

export interface TagRow {
  artist: string;
  album: string;
  genres: string[];
  moods: string[];
}

/** Distinct artists / albums and genre + mood tags of real Jamendo tracks. */
export function jamendoRows(): TagRow[] {
  const lines = fs.readFileSync(JAMENDO, 'utf8').split('\n').slice(1).filter(Boolean);
  return lines
    .map((line) => {
      const [, artist, album, , ...tags] = line.split('\t');
      const all = tags.join('\t').split(/\t/).filter(Boolean);
      return {
        artist: artist!,
        album: album!,
        genres: all.filter((t) => t.startsWith('genre---')).map((t) => t.slice(8)),
        moods: all.filter((t) => t.startsWith('mood/theme---')).map((t) => t.slice(13)),
      };
    })
    .filter((r) => r.genres.length + r.moods.length > 0);
}

const WORDS = [
  'Blue',
  'Night',
  'River',
  'Echo',
  'Glass',
  'Summer',
  'Iron',
  'Velvet',
  'Paper',
  'Silver',
  'Storm',
  'Garden',
  'Neon',
  'Quiet',
  'Golden',
  'Hollow',
];
export const nameOf = (prefix: string, id: string) => {
  const n = Number(id.replace(/\D/g, '')) || 0;
  return `${WORDS[n % 16]} ${WORDS[Math.floor(n / 16) % 16]} ${prefix}${n}`;
};

/** The features source: `source` when given, else mer-dev analysed once by the real scan + analysis jobs (cached). */
export async function analysedSource(source?: string): Promise<string> {
  if (source) return path.resolve(source);
  const dir = path.join(LIBRARY_CACHE, 'source-mer-dev');
  if (fs.existsSync(path.join(dir, '.complete'))) return dir;
  fs.rmSync(dir, { recursive: true, force: true });
  console.error('analysing mer-dev once as the features source (real scan + analysis jobs)…');
  const app = new AppService(dir, () => {}, { mode: 'browser', version: 'bench' });
  await app.handle('library.scan', { folders: [path.join(MER_DEV, 'audio')] });
  await app.handle('analysis.start', null);
  await app.close();
  fs.writeFileSync(path.join(dir, '.complete'), '');
  return dir;
}

interface SourceRow {
  trackId: number;
  genres: string;
  moods: string;
  features: Buffer;
  descriptors: Buffer;
  descriptor_views: string;
  duration: number | null;
}

function jitter(blob: Buffer, rng: () => number): Buffer {
  const v = new Float32Array(blob.byteLength / 4);
  new Uint8Array(v.buffer).set(blob);
  for (let i = 0; i < v.length; i++) v[i] = v[i]! * (1 + 0.02 * (rng() - 0.5));
  return Buffer.from(v.buffer);
}

export interface ReplicateOptions {
  /**
   * Copy the source's active topic model and give every replica its source song's topics (instead of
   * fitting topics on the replicas, which bench/library.ts times as a stage). Default false.
   */
  copyTopics?: boolean;
  /** Build at this schema version (older than the latest: the rows a migration then has to convert). */
  schema?: number;
}

/** Writes N replicated tracks (and their features rows) into the library of `dataDir`. */
export function writeReplicatedLibrary(
  dataDir: string,
  sourceDir: string,
  n: number,
  tags: TagRow[],
  options: ReplicateOptions = {},
): void {
  const source = openLibraryDatabase(sourceDir);
  const rows = source
    .prepare(
      'SELECT t.id AS trackId, t.genres, t.moods, f.features, f.descriptors, f.descriptor_views, t.duration FROM track_features f JOIN tracks t ON t.id = f.track_id WHERE f.descriptors IS NOT NULL ORDER BY t.path',
    )
    .all() as SourceRow[];
  const sourceModel = options.copyTopics
    ? (source.prepare('SELECT * FROM topic_models WHERE active = 1').get() as Record<string, unknown> | undefined)
    : undefined;
  if (options.copyTopics && !sourceModel) throw new Error(`${sourceDir} has no topic model: run \`cadenza topics fit\` on it`);
  const sourceTopics = new Map(
    (sourceModel
      ? (source
          .prepare('SELECT track_id AS trackId, theta, topic_set AS topicSet, dominant FROM track_topics WHERE model_id = ?')
          .all(sourceModel.id) as {
          trackId: number;
          theta: Buffer;
          topicSet: string;
          dominant: number;
        }[])
      : []
    ).map((r) => [r.trackId, r]),
  );
  source.close();
  if (rows.length === 0) throw new Error(`${sourceDir} has no analysed rows with descriptors`);
  const db = openLibraryDatabase(dataDir, { migrate: options.schema === undefined });
  if (options.schema !== undefined) migrate(db, undefined, options.schema);
  const withInputs = options.schema === undefined || options.schema >= 10;
  const now = Date.now();
  let seed = 12345;
  const rng = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const root = Number(
    db.prepare('INSERT INTO library_roots (path, added_at) VALUES (?, ?)').run('/bench-library', now).lastInsertRowid,
  );
  let modelId = 0;
  if (sourceModel) {
    const { id: _id, ...model } = sourceModel;
    const names = Object.keys(model);
    modelId = Number(
      db.prepare(`INSERT INTO topic_models (${names.join(', ')}) VALUES (${names.map((c) => `@${c}`).join(', ')})`).run(model)
        .lastInsertRowid,
    );
  }
  const insertTrack = db.prepare(
    `INSERT INTO tracks (root_id, path, size, mtime_ms, duration, codec, container, title, artist, album, album_artist, genres, moods, available, added_at, updated_at)
     VALUES (?, ?, 5000000, ?, ?, 'Vorbis', 'Ogg', ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
  );
  const insertFeatures = db.prepare(
    `INSERT INTO track_features (track_id, feature_version, features, source_size, source_mtime_ms, clip_start, clip_seconds, decoder, analysed_at, descriptors, descriptor_views)
     VALUES (?, 2, ?, 5000000, ?, 0, 30, 'replicated', ?, ?, ?)`,
  );
  const insertTopics = db.prepare(
    'INSERT INTO track_topics (track_id, model_id, theta, topic_set, dominant) VALUES (?, ?, ?, ?, ?)',
  );
  const page = 5000;
  for (let start = 0; start < n; start += page) {
    db.transaction(() => {
      for (let i = start; i < Math.min(n, start + page); i++) {
        const src = rows[i % rows.length]!;
        const tag = tags[(i * 7919) % tags.length]!;
        const artist = nameOf('Band ', tag.artist);
        const album = nameOf('Album ', tag.album);
        const id = Number(
          insertTrack.run(
            root,
            `/bench-library/${artist}/${album}/${String(i).padStart(6, '0')} Track ${i}.ogg`,
            now,
            src.duration ?? 240,
            `Track ${i}`,
            artist,
            album,
            artist,
            src.genres,
            src.moods,
            now,
            now,
          ).lastInsertRowid,
        );
        const descriptors = jitter(src.descriptors, rng);
        insertFeatures.run(id, jitter(src.features, rng), now, now, descriptors, src.descriptor_views);
        if (withInputs)
          saveModelInputs(db, id, 2, new Float32Array(descriptors.buffer, descriptors.byteOffset, descriptors.byteLength / 4));
        const topics = sourceTopics.get(src.trackId);
        if (topics) insertTopics.run(id, modelId, topics.theta, topics.topicSet, topics.dominant);
      }
    })();
  }
  db.close();
}
