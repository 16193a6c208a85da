/**
 * The small parts of a trained model evaluated in plain JavaScript at recommendation time: π (the
 * user branch, K → 32 → 32 → 32 → embedding, batch norm in inference mode) for a topic selection, and the
 * layers of D in the shape the scorers take. No TF.js: a query must not wait for a backend.
 */
import type { LoadedModel } from '../model/store.ts';
import type { DistanceLayer } from './learned-distance.ts';

function param(model: LoadedModel, name: string): Float32Array {
  const v = model.weights.values.get(name);
  if (!v) throw new Error(`model ${model.id} lacks ${name}`);
  return v;
}

/** D's layers from the model's weights (row-major [inputs × outputs]). */
export function distanceLayers(model: LoadedModel): DistanceLayer[] {
  const widths = [...model.meta.config.distance, 1];
  let inputs = model.meta.config.embedding;
  return widths.map((outputs, i) => {
    const layer = { w: param(model, `dist${i}/w`), b: param(model, `dist${i}/b`), inputs, outputs };
    inputs = outputs;
    return layer;
  });
}

/** π(u) for a k-hot topic vector (index = topic id − 1). */
export function userEmbedding(model: LoadedModel, khot: Float32Array): Float32Array {
  const { config } = model.meta;
  let h: Float32Array = khot;
  config.user.layers.forEach((outputs, i) => {
    const p = `user${i}`;
    const w = param(model, `${p}/w`);
    const b = param(model, `${p}/b`);
    const gamma = param(model, `${p}/gamma`);
    const beta = param(model, `${p}/beta`);
    const mean = param(model, `${p}/mean`);
    const variance = param(model, `${p}/var`);
    const inputs = h.length;
    const next = new Float32Array(outputs);
    for (let o = 0; o < outputs; o++) {
      let a = b[o]!;
      for (let k = 0; k < inputs; k++) a += h[k]! * w[k * outputs + o]!;
      a = ((a - mean[o]!) * gamma[o]!) / Math.sqrt(variance[o]! + config.bnEpsilon) + beta[o]!;
      next[o] = i < config.user.layers.length - 1 ? Math.max(0, a) : a;
    }
    h = next;
  });
  return h;
}

/** The k-hot vector for 1-based topic ids. */
export function topicVector(topics: readonly number[], k: number): Float32Array {
  const v = new Float32Array(k);
  for (const t of topics) {
    if (!Number.isInteger(t) || t < 1 || t > k) throw new RangeError(`topic ids run from 1 to ${k}, got ${t}`);
    v[t - 1] = 1;
  }
  return v;
}
