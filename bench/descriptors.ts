/**
 * Micro-benchmark of the richer descriptors (docs/features.md, "Descriptors"): ms per 30-s clip.
 * Run: npx tsx bench/descriptors.ts
 */
import { CLIP_SAMPLES, SAMPLE_RATE } from '../src-main/core/analysis/dsp/constants.ts';
import { describeClip, frameDescriptors, summarize } from '../src-main/core/analysis/dsp/descriptors.ts';
import { mfcc, newMfccSpectra } from '../src-main/core/analysis/dsp/mfcc.ts';

function signal(n: number, seed: number): Float32Array {
  const x = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    const noise = s / 4294967296 - 0.5;
    const click = i % 11025 < 64 ? 0.5 : 0;
    x[i] =
      0.3 * Math.sin((2 * Math.PI * 440 * i) / SAMPLE_RATE) +
      0.2 * Math.sin((2 * Math.PI * 6000 * i) / SAMPLE_RATE) +
      0.1 * noise +
      click;
  }
  return x;
}

function time(label: string, runs: number, fn: () => unknown): number {
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
  console.log(`${label.padEnd(40)} median ${median.toFixed(2)} ms  min ${min.toFixed(2)} ms  (${runs} runs)`);
  return median;
}

const runs = Number(process.env['RUNS'] ?? 15);
const clip = signal(CLIP_SAMPLES, 5);
const cc = mfcc(clip);
time('mfcc (420×18)', runs, () => mfcc(clip));
time('descriptors, given the mfcc', runs, () => describeClip(clip, { mfcc: cc }));
time('  frame-level only (incl. tempo)', runs, () => frameDescriptors(clip, { mfcc: cc }));
const fd = frameDescriptors(clip, { mfcc: cc });
time('  summary only', runs, () => summarize(fd));
time('mfcc + descriptors in one pass', runs, () => describeClip(clip));
// What analysis does: the MFCC keeps its spectra, the descriptors reuse them (no second STFT).
const spectra = newMfccSpectra();
const mfccKeep = time('mfcc keeping its spectra', runs, () => mfcc(clip, { spectra }));
const ccKept = mfcc(clip, { spectra });
const reuse = time('descriptors reusing the mfcc spectra', runs, () => describeClip(clip, { mfcc: ccKept, spectra }));
console.log(`analysis path: mfcc ${mfccKeep.toFixed(2)} ms + descriptors ${reuse.toFixed(2)} ms per clip (target ≤ 15 ms)`);
console.log(`tempo of the bench signal (clicks every 0.5 s): ${fd.tempo.toFixed(2)} BPM`);
