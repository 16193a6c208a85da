/**
 * Micro-benchmark of the DSP front end: ms per 30-s clip.
 * Run: npx tsx bench/dsp.ts
 */
import { CLIP_SAMPLES, SAMPLE_RATE } from '../src-main/core/analysis/dsp/constants.ts';
import { mfcc } from '../src-main/core/analysis/dsp/mfcc.ts';
import { resample } from '../src-main/core/analysis/dsp/resample.ts';
import { downmixToMono } from '../src-main/core/analysis/dsp/mono.ts';
import { testSignal, timeMedian } from './micro.ts';

const time = (label: string, runs: number, fn: () => unknown) => timeMedian(label, runs, fn, 34);
const signal = (rate: number, seconds: number, seed: number) => testSignal(rate, seconds, seed);

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
