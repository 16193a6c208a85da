// How many seed songs a radio from a large seed (an artist, album or playlist) needs, and which: each seed
// costs one pass of the song metric per query, so 8 seeds miss issue 16's 50 ms at 100,000 songs.
// Playlists of one label (a mer-dev quadrant, or a primary genre) are the seeds; for each arm, the radio's
// next 20 songs (the playlist's own songs left out) are scored by
//   - precision: the share with the playlist's label;
//   - agreement: the share of the 20 that the exact radio (every playlist song a seed) also gives.
// Arms: every song (exact), 8 / 4 / 3 spread over the list (the old rule: 8), the k-medoids under the
// learned D for k = 4, 3, and the core (the k songs with the least summed D to the others: radio.ts,
// radioSeeds) for k = 4, 3, 2. Draws split into a choice part (seeds 1..R) and a
// sealed part (fresh seeds), reported apart.
// Usage: npm run bench:radio-seeds -- --data-dir D --labels ../shared/datasets/mer-dev/tracks.csv [--draws 40] [--json]
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openLibraryDatabase } from '../src-main/core/db/open.ts';
import { radioSeeds } from '../src-main/core/recommend/radio.ts';
import { moreLikeThis, RecommendIndex } from '../src-main/core/recommend/recommender.ts';
import { distanceScorer } from '../src-main/core/recommend/distance-kernel.ts';
import { embeddingsOf, kMedoids, spread } from '../src-main/core/recommend/medoids.ts';
import { distanceLayers } from '../src-main/core/recommend/model-math.ts';
import { createRng } from '../src-main/core/topics/rng.ts';
import { parseDelimited } from '../src-main/core/topics/tag-file.ts';

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string' },
    labels: { type: 'string' },
    draws: { type: 'string', default: '40' },
    json: { type: 'boolean', default: false },
  },
});
if (!values['data-dir'] || !values.labels) throw new Error('usage: --data-dir D --labels tracks.csv');
const dataDir = path.resolve(values['data-dir']);
const db = openLibraryDatabase(dataDir);
const loaded = RecommendIndex.load(db, dataDir);
if (!loaded || loaded.count === 0 || !loaded.model) throw new Error('no trained, embedded model in that library');
const index = loaded;
const draws = Number(values.draws);
const pair = distanceScorer(distanceLayers(loaded.model));

const csv = parseDelimited(fs.readFileSync(path.resolve(values.labels), 'utf8'), ',', true).map((r) => r.fields);
const header = csv[0]!;
const labelsOf = new Map<string, { quadrant: string; genre: string }>();
for (const row of csv.slice(1)) {
  const rec = Object.fromEntries(header.map((h, i) => [h, row[i] ?? '']));
  labelsOf.set(path.basename(rec.path!), { quadrant: rec.quadrant!, genre: (rec.genres ?? '').split(';')[0]! });
}
type Kind = 'quadrant' | 'genre';
const byLabel: Record<Kind, Map<string, number[]>> = { quadrant: new Map(), genre: new Map() };
const labelOfId = new Map<number, { quadrant: string; genre: string }>();
for (const t of index.tracks.toArray()) {
  const l = labelsOf.get(path.basename(t.path));
  if (!l) continue;
  labelOfId.set(t.id, l);
  for (const kind of ['quadrant', 'genre'] as const) {
    const list = byLabel[kind].get(l[kind]) ?? [];
    list.push(t.id);
    byLabel[kind].set(l[kind], list);
  }
}
// Playlists: 24 songs of a quadrant, 16 of a genre with at least 30 songs.
const sizeOf: Record<Kind, number> = { quadrant: 24, genre: 16 };
const labels: Record<Kind, string[]> = {
  quadrant: [...byLabel.quadrant.keys()].sort(),
  genre: [...byLabel.genre.entries()]
    .filter(([, ids]) => ids.length >= 30)
    .map(([g]) => g)
    .sort(),
};

type Arm = string;
const arms: { arm: Arm; seeds: (ids: number[]) => number[] }[] = [
  { arm: 'every song (exact)', seeds: (ids) => ids },
  { arm: 'spread 8 (before)', seeds: (ids) => spread(ids, 8) },
  { arm: 'spread 4', seeds: (ids) => spread(ids, 4) },
  { arm: 'spread 3', seeds: (ids) => spread(ids, 3) },
  { arm: 'k-medoids 4', seeds: (ids) => medoids(ids, 4) },
  { arm: 'k-medoids 3', seeds: (ids) => medoids(ids, 3) },
  { arm: 'core 4', seeds: (ids) => radioSeeds(index, ids, 4) },
  { arm: 'core 3 (the coded RADIO_SEEDS)', seeds: (ids) => radioSeeds(index, ids, 3) },
  { arm: 'core 2', seeds: (ids) => radioSeeds(index, ids, 2) },
];
// k-medoids under the learned D (each sound of the playlist a seed, an outlier's too).
const medoids = (ids: number[], k: number): number[] => {
  const split = kMedoids(
    embeddingsOf(
      index.scorer,
      ids.map((id) => index.indexOf(id)!),
    ),
    index.scorer.dim,
    k,
    pair,
    { rounds: 4 },
  )!;
  return split.medoids.sort((a, b) => a - b).map((j) => ids[j]!);
};
const rules = { n: 20, recentWindow: 0, useFeedback: false } as const;

// Per playlist and arm: precision and agreement, kept for paired differences against the old rule.
const runs = new Map<string, { precision: number[]; agreement: number[] }>();
const add = (key: string, precision: number, agreement: number) => {
  const t = runs.get(key) ?? { precision: [], agreement: [] };
  t.precision.push(precision);
  t.agreement.push(agreement);
  runs.set(key, t);
};
const meanOf = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
/** Mean and standard error of the paired differences a − b. */
const paired = (a: number[], b: number[]) => {
  const d = a.map((x, k) => x - b[k]!);
  const m = meanOf(d);
  const sd = Math.sqrt(d.reduce((s, x) => s + (x - m) ** 2, 0) / Math.max(1, d.length - 1));
  return { mean: m, se: sd / Math.sqrt(d.length) };
};

for (const [part, firstSeed] of [
  ['choice', 1],
  ['sealed', 1001],
] as const) {
  for (let d = 0; d < draws; d++) {
    const rng = createRng(firstSeed + d);
    for (const kind of ['quadrant', 'genre'] as const) {
      for (const label of labels[kind]) {
        const pool = [...byLabel[kind].get(label)!];
        for (let i = pool.length - 1; i > 0; i--) {
          const j = Math.floor(rng.next() * (i + 1));
          [pool[i], pool[j]] = [pool[j]!, pool[i]!];
        }
        const playlist = pool.slice(0, sizeOf[kind]);
        let exact: Set<number> | null = null;
        for (const { arm, seeds } of arms) {
          const queue = moreLikeThis(db, index, seeds(playlist), { ...rules, exclude: playlist }).map((r) => r.id);
          if (!exact) exact = new Set(queue);
          const precision = queue.filter((id) => labelOfId.get(id)?.[kind] === label).length / queue.length;
          const agreement = queue.filter((id) => exact!.has(id)).length / queue.length;
          add(`${part}|${kind}|${arm}`, precision, agreement);
        }
      }
    }
  }
}

const BEFORE = 'spread 8 (before)';
const result = [...runs].map(([key, t]) => {
  const [part, kind, arm] = key.split('|') as [string, Kind, string];
  const before = runs.get(`${part}|${kind}|${BEFORE}`)!;
  return {
    part,
    kind,
    arm,
    precision: meanOf(t.precision),
    agreement: meanOf(t.agreement),
    /** Precision minus the old rule's on the same playlists (mean ± standard error). */
    againstBefore: paired(t.precision, before.precision),
    playlists: t.precision.length,
  };
});
if (values.json) console.log(JSON.stringify({ songs: index.count, draws, labels, result }, null, 2));
else {
  console.log(
    `${index.count} songs; ${draws} draws per part; quadrant playlists of 24, genre playlists of 16 (${labels.genre.join(', ')})`,
  );
  console.log(
    'precision of the next 20 / agreement with the exact radio (%); Δ = precision − spread 8 on the same playlists, ± s.e.',
  );
  console.log('| seeds | choice: quadrant | choice: genre | sealed: quadrant | sealed: genre |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  const pct = (x: number) => (100 * x).toFixed(1);
  for (const { arm } of arms) {
    const cell = (part: string, kind: string) => {
      const r = result.find((x) => x.part === part && x.kind === kind && x.arm === arm)!;
      const delta =
        arm === BEFORE
          ? ''
          : ` (Δ ${r.againstBefore.mean >= 0 ? '+' : ''}${pct(r.againstBefore.mean)} ± ${pct(r.againstBefore.se)})`;
      return `${pct(r.precision)} / ${pct(r.agreement)}${delta}`;
    };
    console.log(
      `| ${arm} | ${cell('choice', 'quadrant')} | ${cell('choice', 'genre')} | ${cell('sealed', 'quadrant')} | ${cell('sealed', 'genre')} |`,
    );
  }
}
