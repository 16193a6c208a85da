import Database from 'better-sqlite3';
import fs from 'node:fs';
import { blobToFeatures } from '/work/main/src-main/core/analysis/feature-store.ts';
import { descriptorInput } from '/work/main/src-main/core/model/inputs.ts';
import { createRng } from '/work/main/src-main/core/topics/rng.ts';
const db = new Database('/tmp/ft-merdev/lib/library.db', { readonly: true });
const csv = fs.readFileSync('/work/shared/datasets/mer-dev/tracks.csv', 'utf8').trim().split('\n').slice(1);
const quad = new Map<string, string>();
for (const line of csv) { const [id, , , , q] = line.split(','); quad.set(id!, q!); }
const model = db.prepare('SELECT id FROM models WHERE active = 1').get() as { id: number };
const rows = db.prepare(`SELECT t.id, t.path, e.embedding, f.descriptors FROM tracks t JOIN track_embeddings e ON e.track_id = t.id AND e.model_id = ? JOIN track_features f ON f.track_id = t.id ORDER BY t.id`).all(model.id) as any[];
const labels: string[] = [];
const phi: Float32Array[] = [];
const desc: Float32Array[] = [];
for (const r of rows) {
  const m = /(MT\d+)/.exec(r.path); if (!m || !quad.has(m[1]!)) continue;
  labels.push(quad.get(m[1]!)!); phi.push(blobToFeatures(r.embedding)); desc.push(Float32Array.from(descriptorInput(blobToFeatures(r.descriptors))));
}
// standardise descriptors
const n = desc.length, w = desc[0]!.length;
const mu = new Float64Array(w), sd = new Float64Array(w);
for (const v of desc) for (let d = 0; d < w; d++) mu[d] += v[d]! / n;
for (const v of desc) for (let d = 0; d < w; d++) sd[d] += (v[d]! - mu[d]!) ** 2 / n;
const descZ = desc.map((v) => Float32Array.from(v, (x, d) => (x - mu[d]!) / Math.sqrt(sd[d]! + 1e-12)));
function auc(space: Float32Array[], q: string, seed: number, nPos: number, nNeg: number) {
  const rng = createRng(seed);
  const idx = [...space.keys()].sort(() => rng.next() - 0.5);
  const pos = idx.filter((i) => labels[i] === q).slice(0, nPos);
  const neg = idx.filter((i) => labels[i] !== q).slice(0, nNeg);
  const dim = space[0]!.length;
  const c = (s: number[]) => { const o = new Float64Array(dim); for (const i of s) for (let d = 0; d < dim; d++) o[d] += space[i]![d]! / s.length; return o; };
  const cp = c(pos), cn = c(neg);
  const dir = cp.map((x, d) => x - cn[d]!);
  const used = new Set([...pos, ...neg]);
  const rest = [...space.keys()].filter((i) => !used.has(i));
  const proj = (i: number) => { let s = 0; for (let d = 0; d < dim; d++) s += dir[d]! * space[i]![d]!; return s; };
  const P = rest.filter((i) => labels[i] === q).map(proj), N = rest.filter((i) => labels[i] !== q).map(proj);
  let a = 0; for (const p of P) for (const x of N) a += p > x ? 1 : p === x ? 0.5 : 0;
  return a / (P.length * N.length);
}
for (const [nPos, nNeg] of [[2, 8], [5, 15], [10, 30]]) {
  for (const [name, space] of [['phi', phi], ['descZ', descZ]] as const) {
    const out: string[] = [];
    for (const q of ['Q1', 'Q2', 'Q3', 'Q4']) {
      let s = 0; for (let seed = 1; seed <= 20; seed++) s += auc(space, q, seed, nPos, nNeg);
      out.push(`${q} ${(s / 20).toFixed(3)}`);
    }
    console.log(`${nPos}+/${nNeg}- ${name}: ${out.join('  ')}`);
  }
}
