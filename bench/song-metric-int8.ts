// `npm run bench:int8 -- --data-dir D`: does holding the song metric's standardised parts (descriptors and
// fluctuation pattern) as int8 (the default; 4× less memory to read per "more like this") change what it finds? On an analysed, topic-fitted
// library D (e.g. mer-dev: `cadenza scan`, `analyze`, `topics fit`), every song's ten nearest by the
// float32 descriptors (the evaluation's numbers, the baseline) and by the int8 ones: the share of the ten
// both find, how often the nearest is the same, precision@10 by dominant topic each way, and how many
// standardised values the int8 grid clips. For the descriptors alone and for the metric "more like this"
// uses without a model (descriptors + fluctuation pattern, then mutual proximity), and, where the library
// has a trained model, for the default metric (the learned D blended with those).
import { parseArgs } from 'node:util';
import { blobToFeatures } from '../src-main/core/analysis/feature-store.ts';
import { openLibraryDatabase } from '../src-main/core/db/open.ts';
import { DESCRIPTOR_INPUT_LENGTH } from '../src-main/core/model/inputs.ts';
import { distanceScorer } from '../src-main/core/recommend/distance-kernel.ts';
import { RecommendIndex } from '../src-main/core/recommend/recommender.ts';
import {
  DESCRIPTOR_RANGE,
  MORE_LIKE_THIS,
  SongSimilarity,
  UNLEARNED_SONG_METRIC,
  type SimilarityNode,
  type SimilaritySpec,
} from '../src-main/core/recommend/song-similarity.ts';
import { DESCRIPTORS_AT, ensureSongVectors, FLUCTUATION_LENGTH } from '../src-main/core/recommend/song-vectors.ts';

const { values } = parseArgs({ options: { 'data-dir': { type: 'string' }, json: { type: 'boolean', default: false } } });
if (!values['data-dir']) throw new Error('--data-dir D: an analysed, topic-fitted library');
const db = openLibraryDatabase(values['data-dir']);
const songs = db
  .prepare(
    `SELECT t.id, t.path, t.artist, t.title, tt.dominant FROM tracks t
     JOIN track_topics tt ON tt.track_id = t.id JOIN topic_models m ON m.id = tt.model_id AND m.active = 1
     JOIN track_features f ON f.track_id = t.id ORDER BY t.id`,
  )
  .all() as { id: number; path: string; artist: string; title: string; dominant: number }[];
const n = songs.length;
if (n < 20) throw new Error(`the library has ${n} analysed, topic-tagged songs: too few to compare`);
ensureSongVectors(db);

// The metric without a model needs no learned D: a one-value placeholder index (no learned term is read).
const one = { w: Float32Array.of(1), b: new Float32Array(1), inputs: 1, outputs: 1 };
const index = new RecommendIndex(null, songs, distanceScorer([one, one]), new Float32Array(n));
// With a trained model (`cadenza train`), also the metric "more like this" uses by default, on its index.
const modelIndex = RecommendIndex.load(db, values['data-dir']);

// How many standardised values of each int8 part lie beyond the grid's range (clipped).
const vectors = (db.prepare('SELECT track_id AS id, vector FROM track_song_vectors').all() as { id: number; vector: Buffer }[])
  .filter((r) => index.indexOf(r.id) !== undefined)
  .map((r) => blobToFeatures(r.vector));
const clipping = (at: number, width: number) => {
  let clipped = 0;
  let maxAbs = 0;
  for (let d = 0; d < width; d++) {
    let mean = 0;
    for (const v of vectors) mean += v[at + d]! / vectors.length;
    let sq = 0;
    for (const v of vectors) sq += (v[at + d]! - mean) ** 2;
    const sd = Math.sqrt(sq / vectors.length) || 1;
    for (const v of vectors) {
      const z = Math.abs((v[at + d]! - mean) / sd);
      if (z > DESCRIPTOR_RANGE) clipped++;
      maxAbs = Math.max(maxAbs, z);
    }
  }
  return { clipped, values: n * width, maxAbs };
};
const clips = { descriptors: clipping(DESCRIPTORS_AT, DESCRIPTOR_INPUT_LENGTH), fluctuation: clipping(0, FLUCTUATION_LENGTH) };

const nearest = (scores: Float32Array, q: number, count: number) =>
  Array.from({ length: count }, (_, i) => i)
    .filter((i) => i !== q)
    .sort((a, b) => scores[a]! - scores[b]!)
    .slice(0, 10);
const results: Record<string, unknown>[] = [];
const cases: [string, SimilarityNode, 'none' | 'mp', RecommendIndex][] = [
  ['descriptors alone', { base: 'descriptors' }, 'none', index],
  ['fluctuation pattern alone', { base: 'fluctuation' }, 'none', index],
  ['descriptors + fluctuation, mutual proximity (more like this without a model)', UNLEARNED_SONG_METRIC, 'mp', index],
];
if (modelIndex)
  cases.push([
    'the default: learned D blended with the above, mutual proximity (with the active model)',
    MORE_LIKE_THIS.metric,
    'mp',
    modelIndex,
  ]);
else console.error('no trained model: the default metric (with the learned D) is not compared (run `cadenza train`)');
for (const [label, metric, hubness, on] of cases) {
  const make = (precision: 'int8' | 'float32') =>
    SongSimilarity.load(db, on, { metric, hubness, precision } satisfies SimilaritySpec);
  const float32 = make('float32');
  const int8 = make('int8');
  const count = on.count;
  const dominant = new Map(songs.map((s) => [s.id, s.dominant]));
  const topicOf = (i: number) => dominant.get(on.tracks.id(i));
  let pFloat = 0;
  let pInt8 = 0;
  let overlap = 0;
  let sameNearest = 0;
  for (let q = 0; q < count; q++) {
    const a = nearest(float32.score([q]).slice(), q, count);
    const b = nearest(int8.score([q]).slice(), q, count);
    const hit = (i: number) => topicOf(i) === topicOf(q);
    pFloat += a.filter(hit).length / 10 / count;
    pInt8 += b.filter(hit).length / 10 / count;
    overlap += a.filter((i) => b.includes(i)).length / 10 / count;
    if (a[0] === b[0]) sameNearest += 1 / count;
  }
  results.push({
    metric: label,
    songs: count,
    precisionAt10Float32: pFloat,
    precisionAt10Int8: pInt8,
    top10Overlap: overlap,
    sameNearest,
  });
}
const pct = (x: unknown) => `${(100 * (x as number)).toFixed(1)} %`;
if (values.json) console.log(JSON.stringify({ songs: n, range: DESCRIPTOR_RANGE, clips, results }));
else {
  for (const [part, c] of Object.entries(clips))
    console.log(
      `${n} songs; standardised ${part} values beyond ±${DESCRIPTOR_RANGE} sd (clipped by the int8 grid): ${c.clipped} of ${c.values} (largest |z| ${c.maxAbs.toFixed(1)})`,
    );
  console.log('| metric | top-10 both find | same nearest | P@10 (dominant topic) float32 → int8 |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const r of results)
    console.log(
      `| ${String(r.metric)} | ${pct(r.top10Overlap)} | ${pct(r.sameNearest)} | ${pct(r.precisionAt10Float32)} → ${pct(r.precisionAt10Int8)} |`,
    );
}
db.close();
