/**
 * Micro-benchmark of the richer descriptors (docs/features.md, "Descriptors"): ms per 30-s clip.
 * Run: npx tsx bench/descriptors.ts
 */
import { CLIP_SAMPLES, SAMPLE_RATE } from '../src-main/core/analysis/dsp/constants.ts';
import { describeClip, frameDescriptors, summarize } from '../src-main/core/analysis/dsp/descriptors.ts';
import { mfcc, newMfccSpectra } from '../src-main/core/analysis/dsp/mfcc.ts';
import { testSignal, timeMedian } from './micro.ts';

const time = timeMedian;

const runs = Number(process.env['RUNS'] ?? 15);
// Clicks every 0.5 s: an onset train for the tempo estimate.
const clip = testSignal(SAMPLE_RATE, CLIP_SAMPLES / SAMPLE_RATE, 5, 2);
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
