// Training and embedding throughput of the triplet network on wasm and cpu in one run, against the
// matMul ceiling measured on the same backend, and the projected time at the paper's scale.
// Usage: npm run bench:train [-- --backends wasm,cpu --steps 20 --json]
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { isBackendName, selectBackend, type BackendName } from '../src-main/core/model/backend.ts';
import { paperDefinition } from '../src-main/core/model/definition.ts';
import { forwardMacs, initWeights, Network } from '../src-main/core/model/network.ts';
import { embedRows, Sgd, trainStep, type FeatureMatrix } from '../src-main/core/model/step.ts';
import { createRng } from '../src-main/core/topics/rng.ts';

const { values } = parseArgs({
  options: { backends: { type: 'string', default: 'wasm,cpu' }, steps: { type: 'string', default: '20' }, json: { type: 'boolean', default: false } },
});
const backends = String(values.backends).split(',').filter(isBackendName) as BackendName[];
const wasmSteps = Number(values.steps);
const BATCH = 256;
const config = paperDefinition.config(7560, 7);
const macs = forwardMacs(config);
const firstLayer = config.itemInput * config.item.layers[0]!;
// FLOPs per triplet: φ on 2 songs (forward, dW, dx except the input layer), π on 1 user, D on 2 pairs.
const flopPerTriplet = 2 * (2 * macs.item * 3 - 2 * firstLayer) + 3 * 2 * macs.user + 2 * 3 * 2 * macs.distance;

function randomMatrix(rows: number, width: number): FeatureMatrix {
  const rng = createRng(1);
  return { data: Float32Array.from({ length: rows * width }, () => rng.next() * 2 - 1), rows, width };
}

function timeIt(f: () => tf.Tensor, reps: number): number {
  f().dispose();
  const t = performance.now();
  for (let i = 0; i < reps; i++) {
    const r = f();
    r.dataSync();
    r.dispose();
  }
  return (performance.now() - t) / reps;
}

interface Row {
  backend: string;
  device: string;
  ceilingGflops: number;
  square1024Gflops: number;
  tripletsPerSecond: number;
  achievedGflops: number;
  ofCeiling: number;
  embedSongsPerSecond: number;
  projectedHours: number;
}

const SONGS = 2048;
const features = randomMatrix(SONGS, 7560);
const rows: Row[] = [];
for (const name of backends) {
  const info = await selectBackend(name);
  const slow = name === 'cpu';
  // Ceiling: the dominant matMul of a step ([2B × 7560] · [7560 × 128]) and a square 1024² one.
  const a = tf.randomUniform([2 * BATCH, 7560]);
  const w = tf.randomUniform([7560, config.item.layers[0]!]);
  const sq = tf.randomUniform([1024, 1024]);
  const ceilingMs = timeIt(() => tf.matMul(a, w), slow ? 1 : 5);
  const squareMs = timeIt(() => tf.matMul(sq, sq), slow ? 1 : 5);
  const ceilingGflops = (2 * 2 * BATCH * 7560 * config.item.layers[0]!) / ceilingMs / 1e6;
  const square1024Gflops = (2 * 1024 ** 3) / squareMs / 1e6;
  a.dispose();
  w.dispose();
  sq.dispose();

  const net = new Network(config, initWeights(config, 1));
  const sgd = new Sgd(net, { learningRate: 0.01, momentum: 0.9, weightDecay: 0 });
  const rng = createRng(2);
  const batch = () => {
    const users = new Float32Array(BATCH * 7);
    for (let i = 0; i < BATCH; i++) users[i * 7 + rng.int(7)] = 1;
    return { users, pos: Int32Array.from({ length: BATCH }, () => rng.int(SONGS)), neg: Int32Array.from({ length: BATCH }, () => rng.int(SONGS)) };
  };
  const steps = slow ? 2 : wasmSteps;
  const warm = trainStep('triplet', net, sgd, features, batch(), 0);
  await warm.loss.data();
  warm.loss.dispose();
  warm.correct.dispose();
  const t0 = performance.now();
  for (let s = 0; s < steps; s++) {
    const r = trainStep('triplet', net, sgd, features, batch(), s + 1);
    await r.loss.data();
    r.loss.dispose();
    r.correct.dispose();
  }
  const tripletsPerSecond = (steps * BATCH * 1000) / (performance.now() - t0);
  const embedSet: FeatureMatrix = slow ? { ...features, rows: 256, data: features.data.subarray(0, 256 * 7560) } : features;
  await embedRows(net, { ...embedSet, rows: 64, data: embedSet.data.subarray(0, 64 * 7560) });
  const e0 = performance.now();
  await embedRows(net, embedSet);
  const embedSongsPerSecond = (embedSet.rows * 1000) / (performance.now() - e0);
  sgd.dispose();
  net.dispose();
  const achievedGflops = (tripletsPerSecond * flopPerTriplet) / 1e9;
  // Paper scale: 26,000 songs, 90 % for training, unbalanced sampling (each song a positive for the
  // 64 groups holding its dominant topic) = 64 × 23,400 triplets per epoch, 200 epochs.
  const projectedHours = (200 * 64 * 23_400) / tripletsPerSecond / 3600;
  rows.push({ backend: info.name, device: info.device, ceilingGflops, square1024Gflops, tripletsPerSecond, achievedGflops, ofCeiling: achievedGflops / ceilingGflops, embedSongsPerSecond, projectedHours });
}

if (values.json) {
  console.log(JSON.stringify({ flopPerTriplet, batch: BATCH, rows }));
} else {
  console.log(`FLOP per triplet (both orders, forward + backward): ${(flopPerTriplet / 1e6).toFixed(1)} M; batch ${BATCH} triplets`);
  console.log('| backend | device | matMul ceiling (step shape) | 1024² matMul | training | achieved | of ceiling | embedding | paper scale, 200 epochs unbalanced |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) {
    console.log(
      `| ${r.backend} | ${r.device} | ${r.ceilingGflops.toFixed(1)} GFLOP/s | ${r.square1024Gflops.toFixed(1)} GFLOP/s | ${r.tripletsPerSecond.toFixed(0)} triplets/s | ` +
        `${r.achievedGflops.toFixed(1)} GFLOP/s | ${(100 * r.ofCeiling).toFixed(0)} % | ${r.embedSongsPerSecond.toFixed(0)} songs/s | ${r.projectedHours.toFixed(1)} h |`,
    );
  }
}
