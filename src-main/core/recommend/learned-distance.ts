/**
 * The model's learned distance D(a, b) = MLP((a − b)²), evaluated in plain loops for ranking: one
 * query against every stored embedding. Weights are the model's own (row-major [inputs × outputs],
 * as saved), with ReLU between layers and a scalar output.
 */
export interface DistanceLayer {
  w: Float32Array;
  b: Float32Array;
  inputs: number;
  outputs: number;
}

export class LearnedDistance {
  readonly dim: number;
  private readonly hidden: number;
  /** First layer transposed to [hidden × dim], so the inner loop walks memory in order. */
  private readonly w1t: Float32Array;
  private readonly b1: Float32Array;
  private readonly rest: DistanceLayer[];
  private readonly h: Float32Array;

  constructor(layers: DistanceLayer[]) {
    const first = layers[0];
    if (!first || layers.at(-1)?.outputs !== 1)
      throw new Error('a learned distance needs at least one layer and a scalar output');
    this.dim = first.inputs;
    this.hidden = first.outputs;
    this.w1t = new Float32Array(this.dim * this.hidden);
    for (let i = 0; i < this.dim; i++)
      for (let o = 0; o < this.hidden; o++) this.w1t[o * this.dim + i] = first.w[i * this.hidden + o]!;
    this.b1 = first.b;
    this.rest = layers.slice(1);
    this.h = new Float32Array(Math.max(this.hidden, ...this.rest.map((l) => l.outputs)));
  }

  /** D between one query and `count` embeddings stored back to back in `items`; results into `out`. */
  scoreAll(query: Float32Array, items: Float32Array, out: Float32Array, count = items.length / this.dim): void {
    const { dim, hidden, w1t, b1 } = this;
    const sq = new Float64Array(dim);
    for (let n = 0, base = 0; n < count; n++, base += dim) {
      for (let k = 0; k < dim; k++) {
        const d = query[k]! - items[base + k]!;
        sq[k] = d * d;
      }
      if (this.rest.length === 1 && this.rest[0]!.outputs === 1) {
        // The common shape (one hidden layer, then a scalar): fused, no scratch writes.
        const last = this.rest[0]!;
        let s = last.b[0]!;
        for (let o = 0, row = 0; o < hidden; o++, row += dim) {
          let a = b1[o]!;
          for (let k = 0; k < dim; k++) a += w1t[row + k]! * sq[k]!;
          if (a > 0) s += a * last.w[o]!;
        }
        out[n] = s;
      } else {
        out[n] = this.general(sq);
      }
    }
  }

  /** D(a, b) for two embeddings. */
  distance(a: Float32Array, b: Float32Array): number {
    const out = new Float32Array(1);
    this.scoreAll(a, b, out, 1);
    return out[0]!;
  }

  private general(sq: Float64Array): number {
    const { dim, hidden, w1t, b1, h } = this;
    for (let o = 0, row = 0; o < hidden; o++, row += dim) {
      let a = b1[o]!;
      for (let k = 0; k < dim; k++) a += w1t[row + k]! * sq[k]!;
      h[o] = a;
    }
    let width = hidden;
    this.rest.forEach((layer, li) => {
      const next = new Float32Array(layer.outputs);
      for (let i = 0; i < width; i++) {
        const x = h[i]! > 0 ? h[i]! : 0; // ReLU after every layer but the last
        if (x === 0) continue;
        for (let o = 0; o < layer.outputs; o++) next[o]! += x * layer.w[i * layer.outputs + o]!;
      }
      for (let o = 0; o < layer.outputs; o++) h[o] = next[o]! + layer.b[o]!;
      width = layer.outputs;
      if (li === this.rest.length - 1) return;
    });
    return h[0]!;
  }
}

/** Squared Euclidean distance, the measure for models without a learned D. */
export function squaredEuclideanAll(
  query: Float32Array,
  items: Float32Array,
  out: Float32Array,
  dim: number,
  count = items.length / dim,
): void {
  for (let n = 0, base = 0; n < count; n++, base += dim) {
    let s = 0;
    for (let k = 0; k < dim; k++) {
      const d = query[k]! - items[base + k]!;
      s += d * d;
    }
    out[n] = s;
  }
}
