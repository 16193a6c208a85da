// Quality of the issue-16 mixes on an analysed + trained library with quadrant labels (mer-dev):
// 1. song paths: largest and mean step (learned D, and the unlearned song metric as an independent check)
//    of `cadenza path A B -n N` against random orders of the same songs and the straight-interpolation baseline;
// 2. smooth order: total walk length against the original order and random orders;
// 3. energy: AUC against the arousal half of the quadrants (Q1/Q2 high, Q3/Q4 low). The score's form is
//    chosen on a choice half (artists split at random, seeded) and reported on the other (sealed) half.
// Usage: npx tsx bench/mixes-quality.ts --data-dir D --labels ../shared/datasets/mer-dev/tracks.csv [--pairs 100] [--n 12] [--json]
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openLibraryDatabase } from '../src-main/core/db/open.ts';
import { blobToFeatures } from '../src-main/core/analysis/feature-store.ts';
import {
  auc,
  energyFeatures,
  energyScores,
  ENERGY_FEATURES,
  ENERGY_FORM,
  energyTable,
  type EnergyFeature,
} from '../src-main/core/recommend/energy.ts';
import {
  GROUP_POINT,
  GROUP_POINTS,
  GroupIndex,
  MIXTURE_MIN_SONGS,
  type GroupPoint,
} from '../src-main/core/recommend/group-similarity.ts';
import { mixDistance } from '../src-main/core/recommend/mix-distance.ts';
import { moreLikeThis, RecommendIndex } from '../src-main/core/recommend/recommender.ts';
import { orderTracks, pathLength } from '../src-main/core/recommend/smooth-order.ts';
import { songSimilarity } from '../src-main/core/recommend/song-similarity.ts';
import { interpolationPath, pathIndices } from '../src-main/core/recommend/song-path.ts';
import { DESCRIPTORS_AT } from '../src-main/core/recommend/song-vectors.ts';
import { parseDelimited } from '../src-main/core/topics/tag-file.ts';
import { createRng } from '../src-main/core/topics/rng.ts';

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string' },
    labels: { type: 'string' },
    pairs: { type: 'string', default: '100' },
    n: { type: 'string', default: '12' },
    sets: { type: 'string', default: '50' },
    json: { type: 'boolean', default: false },
  },
});
if (!values['data-dir'] || !values.labels) throw new Error('usage: --data-dir D --labels tracks.csv');
const dataDir = path.resolve(values['data-dir']);
const db = openLibraryDatabase(dataDir);
const index = RecommendIndex.load(db, dataDir);
if (!index || index.count === 0) throw new Error('no trained, embedded model in that library');
const pairs = Number(values.pairs);
const n = Number(values.n);
const rng = createRng(16);
const distance = mixDistance(index);
const learned = (a: number, b: number) => distance.among([a, b])[1]!;
const similarity = songSimilarity(db, index);
const songRows = new Map<number, Float32Array>();
// The unlearned song metric (the chosen blend of z-normalised distances, before mutual proximity).
const unlearned = (a: number, b: number) => {
  let r = songRows.get(a);
  if (!r) songRows.set(a, (r = Float32Array.from(similarity.metricRow(a))));
  return r[b]!;
};
const shuffle = <T>(xs: T[]): T[] => {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
};
const steps = (p: readonly number[], d: (a: number, b: number) => number) => p.slice(1).map((x, k) => d(p[k]!, x));
const largest = (s: number[]) => Math.max(...s);
const mean = (s: number[]) => s.reduce((a, b) => a + b, 0) / s.length;
const rules = { recentWindow: 0, useFeedback: false } as const;

// ---- 1. Song paths ----
type Arm = 'path' | 'shuffled' | 'interpolation' | 'random songs';
const arms: Arm[] = ['path', 'shuffled', 'interpolation', 'random songs'];
const sums = new Map(arms.flatMap((a) => [`${a}|D|max`, `${a}|D|mean`, `${a}|S|max`, `${a}|S|mean`].map((k) => [k, 0])));
let pathWins = 0;
let pathMs = 0;
const add = (arm: Arm, p: readonly number[], weight = 1) => {
  for (const [tag, d] of [
    ['D', learned],
    ['S', unlearned],
  ] as const) {
    const s = steps(p, d);
    sums.set(`${arm}|${tag}|max`, sums.get(`${arm}|${tag}|max`)! + (weight * largest(s)) / pairs);
    sums.set(`${arm}|${tag}|mean`, sums.get(`${arm}|${tag}|mean`)! + (weight * mean(s)) / pairs);
  }
};
for (let t = 0; t < pairs; t++) {
  const a = rng.int(index.count);
  let b = rng.int(index.count);
  while (b === a) b = rng.int(index.count);
  const ids = [index.tracks.id(a), index.tracks.id(b)];
  const start = performance.now();
  const p = pathIndices(db, index, ids, { n, ...rules });
  pathMs += performance.now() - start;
  add('path', p);
  for (let s = 0; s < 20; s++) add('shuffled', [p[0]!, ...shuffle(p.slice(1, -1)), p.at(-1)!], 1 / 20);
  const straight = interpolationPath(db, index, ids, { n, ...rules });
  add('interpolation', straight);
  if (largest(steps(p, learned)) <= largest(steps(straight, learned)) + 1e-9) pathWins++;
  const others = shuffle(Array.from({ length: index.count }, (_, i) => i).filter((i) => i !== a && i !== b)).slice(0, n - 2);
  add('random songs', [a, ...others, b]);
}

// ---- 2. Smooth order ----
const sets = Number(values.sets);
const order = { queue: { original: 0, random: 0, smooth: 0 }, random: { original: 0, random: 0, smooth: 0 } };
let orderMs = 0;
for (let s = 0; s < sets; s++) {
  const seed = index.tracks.id(rng.int(index.count));
  const queue = moreLikeThis(db, index, [seed], { n: 30, ...rules, artistSpacing: 0 }).map((r) => r.id);
  const drawn = shuffle(Array.from({ length: index.count }, (_, i) => index.tracks.id(i))).slice(0, 30);
  for (const [kind, ids] of [
    ['queue', [seed, ...queue]],
    ['random', drawn],
  ] as const) {
    const at = ids.map((id) => index.indexOf(id)!);
    const dist = distance.among(at);
    const start = performance.now();
    const result = orderTracks(index, ids, ids[0]);
    orderMs += performance.now() - start;
    let random = 0;
    for (let r = 0; r < 20; r++) random += pathLength(dist, at.length, [0, ...shuffle(at.slice(1).map((_, k) => k + 1))]) / 20;
    order[kind].original += result.before / sets;
    order[kind].random += random / sets;
    order[kind].smooth += result.after / sets;
  }
}

// ---- 3. Energy AUC ----
const csv = parseDelimited(fs.readFileSync(path.resolve(values.labels), 'utf8'), ',', true).map((r) => r.fields);
const header = csv[0]!;
const quadrantOf = new Map<string, string>();
const artistOf = new Map<string, string>();
for (const row of csv.slice(1)) {
  const rec = Object.fromEntries(header.map((h, i) => [h, row[i] ?? '']));
  quadrantOf.set(path.basename(rec.path!), rec.quadrant!);
  artistOf.set(path.basename(rec.path!), rec.artist!);
}
const features: Record<EnergyFeature, number>[] = [];
const labelled: { i: number; high: boolean; artist: string }[] = [];
const vectors = db.prepare('SELECT vector FROM track_song_vectors WHERE track_id = ?');
index.tracks.toArray().forEach((t, i) => {
  const row = vectors.get(t.id) as { vector: Buffer } | undefined;
  features.push(
    row ? energyFeatures(blobToFeatures(row.vector).subarray(DESCRIPTORS_AT)) : { loudness: NaN, onset: NaN, tempo: 0 },
  );
  const q = quadrantOf.get(path.basename(t.path));
  if (q) labelled.push({ i, high: q === 'Q1' || q === 'Q2', artist: artistOf.get(path.basename(t.path)) ?? t.path });
});
// Artists to halves at random (its own seed, so the split does not depend on --pairs): no artist in both.
const splitRng = createRng(1616);
const artists = [...new Set(labelled.map((l) => l.artist))].sort();
for (let i = artists.length - 1; i > 0; i--) {
  const j = splitRng.int(i + 1);
  [artists[i], artists[j]] = [artists[j]!, artists[i]!];
}
const choiceArtists = new Set(artists.slice(0, Math.floor(artists.length / 2)));
const choice = labelled.filter((l) => choiceArtists.has(l.artist));
const sealed = labelled.filter((l) => !choiceArtists.has(l.artist));
const forms: EnergyFeature[][] = [];
for (let mask = 1; mask < 1 << ENERGY_FEATURES.length; mask++) forms.push(ENERGY_FEATURES.filter((_, k) => mask & (1 << k)));
const aucOf = (form: readonly EnergyFeature[], part: typeof labelled) => {
  const score = energyScores(features, form);
  return auc(
    part.map((l) => score[l.i]!),
    part.map((l) => l.high),
  );
};
const byChoice = forms.map((f) => ({ form: f.join('+'), choice: aucOf(f, choice), sealed: aucOf(f, sealed) }));
const best = byChoice.reduce((a, b) => (b.choice > a.choice ? b : a));
const table = energyTable(db, index);
const codedSealed = auc(
  sealed.map((l) => table.energy[l.i]!),
  sealed.map((l) => l.high),
);
// Bootstrap (1,000 resamples of the sealed songs) for the coded form's sealed AUC.
const boot: number[] = [];
for (let r = 0; r < 1000; r++) {
  const sample = sealed.map(() => sealed[rng.int(sealed.length)]!);
  boot.push(
    auc(
      sample.map((l) => table.energy[l.i]!),
      sample.map((l) => l.high),
    ),
  );
}
boot.sort((x, y) => x - y);

// ---- 4. Similar artists: which artist form retrieves a held-out song's own artist best ----
// Every song of an artist with ≥ 2 songs is held out in turn; the artists' points are built without it,
// and the song's own artist is ranked among all artists by D(φ(song), group). The held-out songs' artists
// are split at random (own seed) into a choice half, on which the form is chosen, and a sealed half that
// reports it. The mixture differs from the medoid only for artists with ≥ MIXTURE_MIN_SONGS songs left.
const heldOut = Array.from({ length: index.count }, (_, i) => i).filter((i) => {
  const a = index.artistKey[i]!;
  return a >= 0 && index.artistKey.filter((b) => b === a).length >= 2;
});
const heldOutArtists = [...new Set(heldOut.map((i) => index.artistKey[i]!))].sort((a, b) => a - b);
const artistRng = createRng(1717);
for (let i = heldOutArtists.length - 1; i > 0; i--) {
  const j = artistRng.int(i + 1);
  [heldOutArtists[i], heldOutArtists[j]] = [heldOutArtists[j]!, heldOutArtists[i]!];
}
const choiceArtistKeys = new Set(heldOutArtists.slice(0, Math.ceil(heldOutArtists.length / 2)));
type Retrieval = { songs: number; top1: number; top10: number; mrr: number };
const emptyRetrieval = (): Retrieval => ({ songs: 0, top1: 0, top10: 0, mrr: 0 });
const artistRetrieval = Object.fromEntries(
  GROUP_POINTS.map((p) => [p, { choice: emptyRetrieval(), sealed: emptyRetrieval(), all: emptyRetrieval(), artists: 0 }]),
) as Record<GroupPoint, { choice: Retrieval; sealed: Retrieval; all: Retrieval; artists: number }>;
/** Held-out songs whose artist had ≥ MIXTURE_MIN_SONGS songs left (where the mixture can differ). */
let mixtureEligible = 0;
for (const point of GROUP_POINTS) {
  for (const i of heldOut) {
    const groups = new GroupIndex(index, 'artist', point, new Set([i]));
    const own = groups.groupOf(index.tracks.at(i).artist ?? '')!;
    if (point === 'mixture' && groups.members[own]!.length >= MIXTURE_MIN_SONGS) mixtureEligible++;
    const scores = groups.scores(distance.point(i));
    let rank = 1;
    for (let g = 0; g < scores.length; g++) if (g !== own && scores[g]! < scores[own]!) rank++;
    const r = artistRetrieval[point];
    r.artists = scores.length;
    const half = choiceArtistKeys.has(index.artistKey[i]!) ? r.choice : r.sealed;
    for (const x of [half, r.all]) {
      x.songs++;
      x.top1 += rank === 1 ? 1 : 0;
      x.top10 += rank <= 10 ? 1 : 0;
      x.mrr += 1 / rank;
    }
  }
}
for (const r of Object.values(artistRetrieval))
  for (const x of [r.choice, r.sealed, r.all]) {
    x.top1 /= Math.max(1, x.songs);
    x.top10 /= Math.max(1, x.songs);
    x.mrr /= Math.max(1, x.songs);
  }
// The choice: the best MRR on the choice half (ties: the earlier, simpler form).
const chosenPoint = GROUP_POINTS.reduce((best, p) =>
  artistRetrieval[p].choice.mrr > artistRetrieval[best].choice.mrr + 1e-12 ? p : best,
);

const result = {
  songs: index.count,
  path: {
    pairs,
    n,
    msPerPath: pathMs / pairs,
    winsOverInterpolation: pathWins / pairs,
    arms: Object.fromEntries(
      arms.map((a) => [
        a,
        {
          learnedLargest: sums.get(`${a}|D|max`),
          learnedMean: sums.get(`${a}|D|mean`),
          songMetricLargest: sums.get(`${a}|S|max`),
          songMetricMean: sums.get(`${a}|S|mean`),
        },
      ]),
    ),
  },
  smoothOrder: { sets, songs: 30, msPerOrder: orderMs / (2 * sets), ...order },
  energy: {
    choiceSongs: choice.length,
    sealedSongs: sealed.length,
    chosenOnChoiceHalf: best.form,
    codedForm: ENERGY_FORM.join('+'),
    sealedAuc: codedSealed,
    sealedAuc95: [boot[25], boot[974]],
    forms: byChoice,
  },
  artistRetrieval: {
    heldOutSongs: heldOut.length,
    mixtureEligible,
    chosenOnChoiceHalf: chosenPoint,
    coded: GROUP_POINT,
    ...artistRetrieval,
  },
};
if (values.json) console.log(JSON.stringify(result, null, 2));
else {
  console.log(`songs ${index.count}; paths: ${pairs} random pairs, n = ${n}, ${(pathMs / pairs).toFixed(1)} ms per path`);
  console.log('arm | largest step D | mean step D | largest step song metric | mean step song metric');
  for (const a of arms) {
    const r = result.path.arms[a]!;
    console.log(
      `${a} | ${r.learnedLargest!.toFixed(3)} | ${r.learnedMean!.toFixed(3)} | ${r.songMetricLargest!.toFixed(3)} | ${r.songMetricMean!.toFixed(3)}`,
    );
  }
  console.log(`path's largest step ≤ interpolation's in ${((100 * pathWins) / pairs).toFixed(0)} % of pairs`);
  console.log(`smooth order (${sets} sets of 30, ${result.smoothOrder.msPerOrder.toFixed(1)} ms each):`, JSON.stringify(order));
  console.log(
    `energy: choice half ${choice.length} songs, sealed ${sealed.length}; chosen form ${best.form} (coded: ${result.energy.codedForm}); sealed AUC ${codedSealed.toFixed(3)} [${boot[25]!.toFixed(3)}, ${boot[974]!.toFixed(3)}]`,
  );
  for (const f of byChoice) console.log(`  ${f.form}: choice ${f.choice.toFixed(3)}, sealed ${f.sealed.toFixed(3)}`);
  console.log(
    `similar artists: ${heldOut.length} held-out songs of artists with ≥ 2 songs (${mixtureEligible} where the mixture can differ); chosen on the choice half: ${chosenPoint} (coded: ${GROUP_POINT})`,
  );
  const fmt = (x: Retrieval) =>
    `top-1 ${(100 * x.top1).toFixed(1)} %, top-10 ${(100 * x.top10).toFixed(1)} %, MRR ${x.mrr.toFixed(3)} (${x.songs} songs)`;
  for (const [point, r] of Object.entries(artistRetrieval))
    console.log(`  ${point} (of ${r.artists} artists): choice ${fmt(r.choice)} | sealed ${fmt(r.sealed)} | all ${fmt(r.all)}`);
}
db.close();
