/**
 * Micro-benchmark of the DSP front end: ms per 30-s clip.
 * Run: npx tsx bench/dsp.ts
 */
import { CLIP_SAMPLES, SAMPLE_RATE } from '../src-main/core/analysis/dsp/constants.ts';
import { mfcc } from '../src-main/core/analysis/dsp/mfcc.ts';
import { resample } from '../src-main/core/analysis/dsp/resample.ts';
import { downmixToMono } from '../src-main/core/analysis/dsp/mono.ts';

function signal(rate: number, seconds: number, seed: number): Float32Array {
  const n = rate * seconds;
  const x = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    const noise = s / 4294967296 - 0.5;
    x[i] = 0.3 * Math.sin((2 * Math.PI * 440 * i) / rate) + 0.2 * Math.sin((2 * Math.PI * 6000 * i) / rate) + 0.1 * noise;
  }
  return x;
}

function time(label: string, runs: number, fn: () => unknown): void {
  fn(); // warm-up (includes one-off table construction)
  fn();
  const ms: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    fn();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  const median = ms[Math.floor(ms.length / 2)] ?? NaN;
  const min = ms[0] ?? NaN;
  console.log(`${label.padEnd(34)} median ${median.toFixed(2)} ms  min ${min.toFixed(2)} ms  (${runs} runs)`);
}

const runs = Number(process.env['RUNS'] ?? 10);
const stereo44 = [signal(44100, 30, 1), signal(44100, 30, 2)];
const x44 = stereo44[0] ?? new Float32Array(0);
const x48 = signal(48000, 30, 3);
const x32 = signal(32000, 30, 4);
const clip = signal(SAMPLE_RATE, 30, 5).subarray(0, CLIP_SAMPLES);

time('downmix stereo 44.1k (30 s)', runs, () => downmixToMono(stereo44));
time('resample 44.1k→22.05k (30 s)', runs, () => resample(x44, 44100, SAMPLE_RATE));
time('resample 48k→22.05k (30 s)', runs, () => resample(x48, 48000, SAMPLE_RATE));
time('resample 32k→22.05k (30 s)', runs, () => resample(x32, 32000, SAMPLE_RATE));
time('mfcc 30 s @22.05k (420×18)', runs, () => mfcc(clip));
const out = new Float32Array(420 * 18);
time('mfcc 30 s, preallocated out', runs, () => mfcc(clip, { out }));
time('pipeline 44.1k stereo→mfcc', runs, () => mfcc(resample(downmixToMono(stereo44), 44100, SAMPLE_RATE)));
