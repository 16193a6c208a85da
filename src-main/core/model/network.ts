import * as tf from '@tensorflow/tfjs';
import { branchLayers, distanceLayers, type DenseLayer, type ParamSpec, type WeightSet } from './params.ts';

export { hasTopicHead, initWeights, paramSpecs, type ParamSpec, type WeightSet } from './params.ts';
import type { ModelConfig } from './definition.ts';

/**
 * The network as TF.js computations over named parameters. Weights live in plain Float32Arrays
 * (`WeightSet`, what is saved) and are turned into tf.Variables for training or inference.
 *
 * Speed on the wasm backend: a matMul with a transposed operand runs 10–40× slower there than a
 * plain one, and TF.js's own dense-layer gradient uses exactly those (dW = xᵀ·dy, dx = dy·Wᵀ). Every
 * dense layer here is a tf.customGrad whose gradient transposes explicitly and then calls a plain
 * matMul; the first layer of φ (the 7560-wide input, ~95 % of all FLOPs) computes no dx at all.
 */

export type Mode =
  | { training: false }
  | {
      training: true;
      /** Seeds the dropout masks of this step (deterministic per seed). */
      seed: number;
      /** Batch statistics collected during the forward pass, folded into the running ones after the step. */
      bnUpdates: { mean: string; variance: string; batchMean: tf.Tensor; batchVariance: tf.Tensor }[];
    };

let networkCount = 0;

/** A model's parameters as tf.Variables, and its forward computations. */
export class Network {
  readonly vars = new Map<string, tf.Variable>();
  /** TF.js variable names are global: each network prefixes its own (`net3:item0/w`). */
  readonly prefix = `net${++networkCount}:`;
  private readonly userLayers: DenseLayer[];
  private readonly itemLayers: DenseLayer[];
  private readonly distLayers: { w: string; b: string }[];

  constructor(
    readonly config: ModelConfig,
    weights: WeightSet,
  ) {
    this.userLayers = branchLayers('user', config.userInput, config.user.layers);
    this.itemLayers = branchLayers('item', config.itemInput, config.item.layers);
    this.distLayers = distanceLayers(config);
    for (const spec of weights.specs) {
      const values = weights.values.get(spec.name);
      if (!values) throw new Error(`weights lack ${spec.name}`);
      this.vars.set(spec.name, tf.variable(tf.tensor(values, spec.shape, 'float32'), spec.trainable, this.prefix + spec.name));
    }
  }

  /** The parameter name of one of this network's variables (without the prefix). */
  paramName(variable: tf.Variable): string {
    return variable.name.startsWith(this.prefix) ? variable.name.slice(this.prefix.length) : variable.name;
  }

  v(name: string): tf.Variable {
    const variable = this.vars.get(name);
    if (!variable) throw new Error(`no parameter ${name}`);
    return variable;
  }

  trainable(): tf.Variable[] {
    return [...this.vars.values()].filter((v) => v.trainable);
  }

  /** Copies the current values out (what is saved). */
  async weights(specs: ParamSpec[]): Promise<WeightSet> {
    const values = new Map<string, Float32Array>();
    for (const spec of specs) values.set(spec.name, (await this.v(spec.name).data()) as Float32Array);
    return { specs, values };
  }

  setWeights(weights: WeightSet): void {
    for (const spec of weights.specs) this.v(spec.name).assign(tf.tensor(weights.values.get(spec.name)!, spec.shape, 'float32'));
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }

  /** φ: standardised features [n, itemInput] → embeddings [n, embedding]. */
  item(x: tf.Tensor2D, mode: Mode): tf.Tensor2D {
    return this.branch(this.itemLayers, x, mode, 1000);
  }

  /** π: k-hot topic vectors [n, K] → embeddings [n, embedding]. */
  user(u: tf.Tensor2D, mode: Mode): tf.Tensor2D {
    return this.branch(this.userLayers, u, mode, 2000);
  }

  /** D(a, b) row by row: [n, e] × [n, e] → [n]. */
  distance(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor1D {
    return this.distanceOfSquares(tf.squaredDifference(a, b));
  }

  /** The dominant-topic head: φ embeddings [n, e] → K logits [n, K] (models with a head only). */
  topicLogits(emb: tf.Tensor2D): tf.Tensor2D {
    return dense(emb, this.v('head/w') as tf.Tensor2D, this.v('head/b') as tf.Tensor1D);
  }

  /** D over precomputed (a − b)²: [n, e] → [n]. */
  distanceOfSquares(sq: tf.Tensor2D): tf.Tensor1D {
    let h = sq;
    this.distLayers.forEach((layer, i) => {
      h = dense(h, this.v(layer.w) as tf.Tensor2D, this.v(layer.b) as tf.Tensor1D);
      if (i < this.distLayers.length - 1) h = tf.relu(h);
    });
    return tf.reshape(h, [-1]);
  }

  private branch(layers: DenseLayer[], x: tf.Tensor2D, mode: Mode, seedOffset: number): tf.Tensor2D {
    let h = x;
    layers.forEach((layer, i) => {
      const w = this.v(layer.w) as tf.Tensor2D;
      const b = this.v(layer.b) as tf.Tensor1D;
      // The input of a branch needs no gradient: skip dx (for φ that is a 7560-wide matMul).
      h = i === 0 ? denseNoInputGrad(h, w, b) : dense(h, w, b);
      h = this.batchNorm(h, layer, mode);
      if (layer.hidden) {
        h = tf.relu(h);
        if (mode.training && this.config.dropout > 0) h = tf.dropout(h, this.config.dropout, undefined, mode.seed * 7919 + seedOffset + i) as tf.Tensor2D;
      }
    });
    return h;
  }

  private batchNorm(h: tf.Tensor2D, layer: DenseLayer, mode: Mode): tf.Tensor2D {
    const gamma = this.v(layer.gamma);
    const beta = this.v(layer.beta);
    const eps = this.config.bnEpsilon;
    if (!mode.training) {
      const scale = tf.mul(gamma, tf.rsqrt(tf.add(this.v(layer.variance), eps)));
      return tf.add(tf.mul(tf.sub(h, this.v(layer.mean)), scale), beta);
    }
    const { mean, variance } = tf.moments(h, 0);
    mode.bnUpdates.push({ mean: layer.mean, variance: layer.variance, batchMean: tf.keep(mean), batchVariance: tf.keep(variance) });
    return tf.add(tf.mul(tf.div(tf.sub(h, mean), tf.sqrt(tf.add(variance, eps))), gamma), beta);
  }
}

/** x·W + b, with a gradient made of explicit transposes and plain matMuls. */
export function dense(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xi, wi, bi, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
    const value = tf.fused.matMul({ a: xi, b: wi, bias: bi });
    save([xi, wi]);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
      const g = dy as tf.Tensor2D;
      return [tf.matMul(g, tf.transpose(ws)), tf.matMul(tf.transpose(xs), g), tf.sum(g, 0)];
    };
    return { value, gradFunc };
  });
  return op(x, w, b) as tf.Tensor2D;
}

/** x·W + b where x needs no gradient (a branch's input): only dW and db. */
export function denseNoInputGrad(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [wi, bi, save] = args as [tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
    const value = tf.fused.matMul({ a: x, b: wi, bias: bi });
    save([x]);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs] = saved as [tf.Tensor2D];
      const g = dy as tf.Tensor2D;
      // dW = xᵀ·dy computed as (dyᵀ·x)ᵀ: transposing dy [n × out] and the result [out × in] is ~4×
      // cheaper than transposing x [n × in], and the matMul itself is a plain one.
      return [tf.transpose(tf.matMul(tf.transpose(g), xs)), tf.sum(g, 0)];
    };
    return { value, gradFunc };
  });
  return op(w, b) as tf.Tensor2D;
}

/** Multiply-adds of one forward pass per row, per branch (for GFLOP/s figures). */
export function forwardMacs(config: ModelConfig): { item: number; user: number; distance: number } {
  const macs = (inputs: number, widths: readonly number[]) => {
    let total = 0;
    let width = inputs;
    for (const w of widths) {
      total += width * w;
      width = w;
    }
    return total;
  };
  return { item: macs(config.itemInput, config.item.layers), user: macs(config.userInput, config.user.layers), distance: macs(config.embedding, [...config.distance, 1]) };
}
