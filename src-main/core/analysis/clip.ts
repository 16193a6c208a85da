import { CLIP_SAMPLES, SAMPLE_RATE } from './dsp/index.ts';

/** The clip is 30 s from the middle of the track. */
export const CLIP_SECONDS = 30;
/** Below this much non-silent audio a track is not analysed: looping it would be mostly repetition. */
export const MIN_AUDIO_SECONDS = 5;
/** A block quieter than this (RMS, dBFS) counts as silence. */
export const SILENCE_DBFS = -60;
/** A clip whose blocks are silent this often is "silent"; other positions of the track are tried. */
export const SILENT_SHARE = 0.8;

/** Where to take the clip from: centred on `position` (0..1) of the track, clamped to it. */
export function clipStart(trackSeconds: number | null | undefined, position = 0.5): number {
  if (!trackSeconds || !Number.isFinite(trackSeconds) || trackSeconds <= CLIP_SECONDS) return 0;
  const start = trackSeconds * position - CLIP_SECONDS / 2;
  return Math.min(Math.max(0, start), trackSeconds - CLIP_SECONDS);
}

const BLOCK = 2048;

function blockIsSilent(x: Float32Array, from: number, to: number): boolean {
  let sum = 0;
  for (let i = from; i < to; i++) sum += x[i]! * x[i]!;
  const rms = Math.sqrt(sum / Math.max(1, to - from));
  return 20 * Math.log10(rms + 1e-12) < SILENCE_DBFS;
}

/** Share of 2048-sample blocks that are silent. */
export function silentShare(x: Float32Array): number {
  const blocks = Math.ceil(x.length / BLOCK);
  if (blocks === 0) return 1;
  let silent = 0;
  for (let b = 0; b < blocks; b++) if (blockIsSilent(x, b * BLOCK, Math.min(x.length, (b + 1) * BLOCK))) silent++;
  return silent / blocks;
}

/** Cuts silent blocks from both ends (a short track's lead-in and tail). */
export function trimSilence(x: Float32Array): Float32Array {
  let start = 0;
  while (start < x.length && blockIsSilent(x, start, Math.min(x.length, start + BLOCK))) start += BLOCK;
  let end = x.length;
  while (end > start && blockIsSilent(x, Math.max(start, end - BLOCK), end)) end -= BLOCK;
  return x.subarray(start, Math.max(start, end));
}

/**
 * Makes exactly 30 s at 22,050 Hz from a mono clip. A clip shorter than 30 s (a short track) has its
 * silent ends trimmed and is then repeated end to end, so the features describe the music rather than
 * the zero padding. Returns null when less than MIN_AUDIO_SECONDS of audio remains.
 */
export function fillClip(mono: Float32Array): Float32Array | null {
  if (mono.length >= CLIP_SAMPLES) return mono.subarray(0, CLIP_SAMPLES);
  const audio = trimSilence(mono);
  if (audio.length < MIN_AUDIO_SECONDS * SAMPLE_RATE) return null;
  const out = new Float32Array(CLIP_SAMPLES);
  for (let at = 0; at < CLIP_SAMPLES; at += audio.length) out.set(audio.subarray(0, Math.min(audio.length, CLIP_SAMPLES - at)), at);
  return out;
}
