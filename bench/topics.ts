/**
 * Topic-model benchmark: `npm run bench:topics [-- --k 7 --sweeps 500 --seed 1 --alpha 0.1 --beta 0.01 --file PATH]`.
 * Loads the Jamendo tag table, normalises the tags, fits LDA, prints timing,
 * the top tags of each topic and NPMI / UMass coherence next to random topics
 * of the same sizes. Reads the data set in place; writes nothing.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  LDA_DEFAULTS,
  buildVocabulary,
  docTheta,
  fitLda,
  labelTopics,
  mean,
  npmiCoherence,
  randomTopicsBaseline,
  tagsFromJamendo,
  topTags,
  topicModelFingerprint,
  topicSet,
  umassCoherence,
} from '../src-main/core/topics/index.ts';

const { values } = parseArgs({
  options: {
    file: { type: 'string', default: '/work/shared/datasets/jamendo-tags/tracks.tsv' },
    k: { type: 'string', default: String(LDA_DEFAULTS.k) },
    sweeps: { type: 'string', default: String(LDA_DEFAULTS.sweeps) },
    seed: { type: 'string', default: String(LDA_DEFAULTS.seed) },
    alpha: { type: 'string', default: String(LDA_DEFAULTS.alpha) },
    beta: { type: 'string', default: String(LDA_DEFAULTS.beta) },
    top: { type: 'string', default: '10' },
    baselines: { type: 'string', default: '20' },
  },
});
const k = Number(values.k);
const sweeps = Number(values.sweeps);
const seed = Number(values.seed);
const alpha = Number(values.alpha);
const beta = Number(values.beta);
const top = Number(values.top);
const baselines = Number(values.baselines);

const t0 = performance.now();
const lines = readFileSync(values.file, 'utf8').split('\n');
const header = lines[0]?.split('\t') ?? [];
const tagCol = header.indexOf('tags');
if (tagCol < 0) throw new Error(`${values.file}: no "tags" column`);
const rawDocs: string[][] = [];
for (const line of lines.slice(1)) {
  if (line.trim() === '') continue;
  rawDocs.push(tagsFromJamendo(line.split('\t')[tagCol] ?? '').map((t) => t.tag));
}
const { vocab, docs } = buildVocabulary(rawDocs);
const tokens = docs.reduce((s, d) => s + d.length, 0);
const t1 = performance.now();
console.log(`data: ${values.file}`);
console.log(`docs ${docs.length}, vocabulary ${vocab.length} tags, tokens ${tokens} (${(tokens / docs.length).toFixed(2)} per doc); load+normalise ${((t1 - t0) / 1000).toFixed(2)} s`);
console.log(`fit: K=${k} sweeps=${sweeps} seed=${seed} alpha=${alpha} beta=${beta}`);

let lastReport = performance.now();
const model = fitLda(docs, vocab.length, {
  k,
  sweeps,
  seed,
  alpha,
  beta,
  onProgress: (s, total) => {
    const now = performance.now();
    if (now - lastReport > 5000 || s === total) {
      lastReport = now;
      process.stderr.write(`  sweep ${s}/${total} (${((now - t1) / 1000).toFixed(1)} s)\n`);
    }
  },
});
const t2 = performance.now();
const fitS = (t2 - t1) / 1000;
console.log(
  `fit time ${fitS.toFixed(2)} s, ${(sweeps / fitS).toFixed(1)} sweeps/s, ${((tokens * sweeps) / fitS / 1e6).toFixed(1)} M token-samples/s; log p(w,z) ${model.logLikelihood.toFixed(0)}`,
);
console.log(`fingerprint ${topicModelFingerprint(model, vocab)}`);

const tops = topTags(model, vocab, top);
const topIds = tops.map((t) => t.map((x) => x.id));
const npmi = npmiCoherence(topIds, docs);
const umass = umassCoherence(topIds, docs);
const labels = labelTopics(model, vocab);
console.log('');
tops.forEach((tags, t) => {
  const share = (model.topicShare[t] ?? 0) * 100;
  console.log(`topic ${t + 1} [${labels[t]}] share ${share.toFixed(1)}%  NPMI ${npmi[t]!.toFixed(3)}  UMass ${umass[t]!.toFixed(3)}`);
  console.log(`  ${tags.map((x) => `${x.tag}(${x.weight.toFixed(3)})`).join(' ')}`);
});

const sizes = topIds.map((t) => t.length);
const pool = [...new Set(topIds.flat())];
const randNpmi: number[] = [];
const randUmass: number[] = [];
const shufNpmi: number[] = [];
for (let s = 1; s <= baselines; s++) {
  const r = randomTopicsBaseline(sizes, vocab.length, { seed: s });
  randNpmi.push(mean(npmiCoherence(r, docs)));
  randUmass.push(mean(umassCoherence(r, docs)));
  shufNpmi.push(mean(npmiCoherence(randomTopicsBaseline(sizes, vocab.length, { seed: s, pool }), docs)));
}
const m = mean(npmi);
const rn = mean(randNpmi);
const sn = mean(shufNpmi);
console.log('');
console.log(`NPMI (top ${top}) mean ${m.toFixed(3)}`);
console.log(`  random topics, same sizes, whole vocabulary (${baselines} seeds): ${rn.toFixed(3)}  → difference ${(m - rn).toFixed(3)}${rn < 0 ? '' : `, ratio ${(m / rn).toFixed(2)}`}`);
console.log(`  random topics, same sizes, the fitted top tags shuffled (${baselines} seeds): ${sn.toFixed(3)}  → difference ${(m - sn).toFixed(3)}${sn <= 0 ? '' : `, ratio ${(m / sn).toFixed(2)}`}`);
const um = mean(umass);
const ru = mean(randUmass);
console.log(`UMass (top ${top}) mean ${um.toFixed(3)}; random ${ru.toFixed(3)}; ratio random/fitted ${(ru / um).toFixed(2)} (UMass ≤ 0: higher is better)`);

const setSizes = new Map<number, number>();
let tagged = 0;
for (let d = 0; d < docs.length; d++) {
  if ((docs[d]?.length ?? 0) === 0) continue;
  tagged++;
  const n = topicSet(docTheta(model, d)).length;
  setSizes.set(n, (setSizes.get(n) ?? 0) + 1);
}
const dist = [...setSizes.entries()].sort((a, b) => a[0] - b[0]).map(([n, c]) => `${n}: ${((c / tagged) * 100).toFixed(1)}%`);
console.log(`topic sets (θ ≥ 0.2, at least the top one) over ${tagged} tagged songs: ${dist.join(', ')}`);
console.log(`total ${((performance.now() - t0) / 1000).toFixed(2)} s`);
