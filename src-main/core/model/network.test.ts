import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from './backend.ts';
import { paperDefinition } from './definition.ts';
import { dense, denseNoInputGrad, initWeights, Network } from './network.ts';
import { embedRows, Sgd, trainStep } from './step.ts';

const config = paperDefinition.config(7560, 7);

function features(rows: number, seed = 3): { data: Float32Array; rows: number; width: number } {
  let s = seed;
  const data = Float32Array.from({ length: rows * 7560 }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) | 0;
    return ((s >>> 8) / 16777216) * 4 - 2;
  });
  return { data, rows, width: 7560 };
}

describe('network', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('the custom dense gradients equal TF.js autodiff of x·W + b', () => {
    const x = tf.randomNormal([6, 9], 0, 1, 'float32', 1) as tf.Tensor2D;
    const w = tf.variable(tf.randomNormal([9, 4], 0, 1, 'float32', 2)) as unknown as tf.Tensor2D;
    const b = tf.variable(tf.randomNormal([4], 0, 1, 'float32', 3)) as unknown as tf.Tensor1D;
    const reference = tf.variableGrads(() => tf.sum(tf.square(tf.add(tf.matMul(x, w), b))) as tf.Scalar);
    const custom = tf.variableGrads(() => tf.sum(tf.square(dense(x, w, b))) as tf.Scalar);
    const noInput = tf.variableGrads(() => tf.sum(tf.square(denseNoInputGrad(x, w, b))) as tf.Scalar);
    for (const name of Object.keys(reference.grads)) {
      const ref = reference.grads[name]!.dataSync();
      expect(Math.max(...custom.grads[name]!.dataSync().map((v, i) => Math.abs(v - ref[i]!)))).toBeLessThan(1e-4);
      expect(Math.max(...noInput.grads[name]!.dataSync().map((v, i) => Math.abs(v - ref[i]!)))).toBeLessThan(1e-4);
    }
    const dxRef = tf.grad((xx: tf.Tensor) => tf.sum(tf.square(tf.add(tf.matMul(xx, w), b))))(x).dataSync();
    const dx = tf.grad((xx: tf.Tensor) => tf.sum(tf.square(dense(xx as tf.Tensor2D, w, b))))(x).dataSync();
    expect(Math.max(...dx.map((v, i) => Math.abs(v - dxRef[i]!)))).toBeLessThan(1e-4);
  });

  it('a training step leaks no tensors and changes the weights', async () => {
    const net = new Network(config, initWeights(config, 1));
    const sgd = new Sgd(net, { learningRate: 0.05, momentum: 0.9, weightDecay: 0 });
    const m = features(16);
    const batch = { users: new Float32Array(8 * 7).map((_, i) => (i % 8 === 0 ? 1 : 0)), pos: Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7]), neg: Int32Array.from([8, 9, 10, 11, 12, 13, 14, 15]) };
    const before = (await net.v('item0/w').data()).slice(0, 100);
    const first = trainStep('triplet', net, sgd, m, batch, 1);
    first.loss.dispose();
    first.correct.dispose();
    const count = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      const r = trainStep(i % 2 ? 'twonet' : 'triplet', net, sgd, m, batch, i + 2);
      expect(Number.isFinite((await r.loss.data())[0]!)).toBe(true);
      r.loss.dispose();
      r.correct.dispose();
    }
    expect(tf.memory().numTensors).toBe(count);
    const after = (await net.v('item0/w').data()).slice(0, 100);
    expect(after.some((v, i) => v !== before[i])).toBe(true);
    sgd.dispose();
    net.dispose();
  });

  it('the same weights give the same embeddings on wasm and cpu (within 1e-4)', async () => {
    const weights = initWeights(config, 7);
    // Non-trivial batch-norm statistics, so inference mode is exercised.
    weights.values.get('item0/mean')!.fill(0.3);
    weights.values.get('item0/var')!.fill(2);
    const m = features(12);
    await selectBackend('wasm');
    const wasmNet = new Network(config, weights);
    const onWasm = await embedRows(wasmNet, m);
    wasmNet.dispose();
    await selectBackend('cpu');
    const cpuNet = new Network(config, weights);
    const onCpu = await embedRows(cpuNet, m);
    cpuNet.dispose();
    await selectBackend('wasm');
    expect(onWasm).toHaveLength(12 * 7);
    expect(onWasm.some((v) => Math.abs(v) > 0.1)).toBe(true);
    const maxDiff = Math.max(...onWasm.map((v, i) => Math.abs(v - onCpu[i]!)));
    expect(maxDiff).toBeLessThan(1e-4);
  });

  it('two networks can be alive at once (variable names do not clash)', () => {
    const a = new Network(config, initWeights(config, 1));
    const b = new Network(config, initWeights(config, 2));
    expect(a.v('item0/w').name).not.toBe(b.v('item0/w').name);
    expect(a.paramName(a.v('item0/w'))).toBe('item0/w');
    a.dispose();
    b.dispose();
  });

  it('selectBackend reports the backend and device, and why native TensorFlow was skipped', async () => {
    const info = await selectBackend();
    expect(['tensorflow-gpu', 'tensorflow', 'wasm']).toContain(info.name);
    expect(info.device).toMatch(/cpu|gpu/);
    if (info.name === 'wasm') expect(info.skipped.join('\n')).toMatch(/tfjs-node/);
    await selectBackend('wasm');
  });
});
