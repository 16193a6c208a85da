/**
 * The network's parameter layout without TF.js: every named weight with its shape, fresh weights, and
 * the layer lists the network is built from. Kept apart from network.ts so that what only reads a saved
 * model (the recommendation index, in the reader worker) does not load TF.js.
 */
import { createRng, type Rng } from '../topics/rng.ts';
import type { ModelConfig } from './definition.ts';

export interface ParamSpec {
  name: string;
  shape: number[];
  /** Trained by SGD, or a running statistic (batch norm) updated during training. */
  trainable: boolean;
}

export interface WeightSet {
  specs: ParamSpec[];
  values: Map<string, Float32Array>;
}

export interface DenseLayer {
  w: string;
  b: string;
  gamma: string;
  beta: string;
  mean: string;
  variance: string;
  inputs: number;
  outputs: number;
  /** ReLU + dropout after the batch norm (every layer but the embedding). */
  hidden: boolean;
}

export function branchLayers(prefix: string, inputs: number, widths: readonly number[]): DenseLayer[] {
  const layers: DenseLayer[] = [];
  let width = inputs;
  widths.forEach((outputs, i) => {
    const p = `${prefix}${i}`;
    layers.push({
      w: `${p}/w`,
      b: `${p}/b`,
      gamma: `${p}/gamma`,
      beta: `${p}/beta`,
      mean: `${p}/mean`,
      variance: `${p}/var`,
      inputs: width,
      outputs,
      hidden: i < widths.length - 1,
    });
    width = outputs;
  });
  return layers;
}

export function distanceLayers(config: ModelConfig): { w: string; b: string; inputs: number; outputs: number }[] {
  const widths = [...config.distance, 1];
  let width = config.embedding;
  return widths.map((outputs, i) => {
    const layer = { w: `dist${i}/w`, b: `dist${i}/b`, inputs: width, outputs };
    width = outputs;
    return layer;
  });
}

export function paramSpecs(config: ModelConfig): ParamSpec[] {
  const specs: ParamSpec[] = [];
  for (const layer of [
    ...branchLayers('user', config.userInput, config.user.layers),
    ...branchLayers('item', config.itemInput, config.item.layers),
  ]) {
    specs.push({ name: layer.w, shape: [layer.inputs, layer.outputs], trainable: true });
    specs.push({ name: layer.b, shape: [layer.outputs], trainable: true });
    specs.push({ name: layer.gamma, shape: [layer.outputs], trainable: true });
    specs.push({ name: layer.beta, shape: [layer.outputs], trainable: true });
    specs.push({ name: layer.mean, shape: [layer.outputs], trainable: false });
    specs.push({ name: layer.variance, shape: [layer.outputs], trainable: false });
  }
  for (const layer of distanceLayers(config)) {
    specs.push({ name: layer.w, shape: [layer.inputs, layer.outputs], trainable: true });
    specs.push({ name: layer.b, shape: [layer.outputs], trainable: true });
  }
  if (hasTopicHead(config)) {
    specs.push({ name: 'head/w', shape: [config.embedding, config.userInput], trainable: true });
    specs.push({ name: 'head/b', shape: [config.userInput], trainable: true });
  }
  return specs;
}

/** A dominant-topic head (embedding → K logits) is part of the model when its loss weight is set. */
export function hasTopicHead(config: ModelConfig): boolean {
  return (config.loss?.topicHead ?? 0) > 0;
}

function gaussian(rng: Rng): number {
  const u = Math.max(rng.next(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

/** Fresh weights: He-normal dense kernels, zero biases, γ = 1, β = 0, running mean 0 and variance 1. */
export function initWeights(config: ModelConfig, seed: number): WeightSet {
  const rng = createRng(seed);
  const specs = paramSpecs(config);
  const values = new Map<string, Float32Array>();
  for (const spec of specs) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const v = new Float32Array(size);
    const leaf = spec.name.slice(spec.name.lastIndexOf('/') + 1);
    if (leaf === 'w') {
      const std = Math.sqrt(2 / spec.shape[0]!);
      for (let i = 0; i < size; i++) v[i] = gaussian(rng) * std;
    } else if (leaf === 'gamma' || leaf === 'var') {
      v.fill(1);
    }
    values.set(spec.name, v);
  }
  return { specs, values };
}
