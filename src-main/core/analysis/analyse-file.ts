import { decodeClip, probeDuration } from './decode/index.ts';
import { downmixToMono, FEATURE_LENGTH, mfcc, resample, SAMPLE_RATE, toSegments } from './dsp/index.ts';
import { CLIP_SECONDS, clipStart, fillClip, SILENT_SHARE, silentShare } from './clip.ts';

export interface StageTimings {
  /** Reading the needed bytes and decoding them to PCM. */
  decodeMs: number;
  /** Downmix to mono and resample to 22,050 Hz. */
  resampleMs: number;
  mfccMs: number;
}

export type AnalysisOutcome =
  | {
      ok: true;
      /** 20 × 378 float32, segment-major (see docs/features.md). */
      features: Float32Array;
      clipStart: number;
      /** Seconds of distinct audio used (less than 30 for a short track, which is looped). */
      clipSeconds: number;
      decoder: string;
      bytesRead: number;
      timings: StageTimings;
    }
  | { ok: false; code: string; reason: string; timings: StageTimings };

/** Clip positions tried in order: the middle, then a quarter and three quarters in (a silent middle). */
const POSITIONS = [0.5, 0.25, 0.75];

/**
 * The whole item pipeline for one file: decode the middle 30 s, mono, 22,050 Hz, MFCC 420 × 18,
 * read as 20 × 378. Bad files come back as values; only an abort throws.
 */
export async function analyseFile(
  file: string | Buffer,
  options: { trackSeconds?: number | null; signal?: AbortSignal; allowFfmpeg?: boolean } = {},
): Promise<AnalysisOutcome> {
  const timings: StageTimings = { decodeMs: 0, resampleMs: 0, mfccMs: 0 };
  // The decoders open files with fs (which takes raw-byte Buffer paths too); their signature says string.
  const target = file as string;
  const trackSeconds = options.trackSeconds ?? (await probeDuration(target)) ?? null;
  let lastSilent = false;
  for (const position of POSITIONS) {
    let t = performance.now();
    const decoded = await decodeClip(target, {
      startSec: clipStart(trackSeconds, position),
      durationSec: CLIP_SECONDS,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.allowFfmpeg === undefined ? {} : { allowFfmpeg: options.allowFfmpeg }),
    });
    timings.decodeMs += performance.now() - t;
    if (!decoded.ok) return { ok: false, code: decoded.code, reason: decoded.reason, timings };
    t = performance.now();
    const mono = resample(downmixToMono(decoded.channels), decoded.sampleRate, SAMPLE_RATE);
    timings.resampleMs += performance.now() - t;
    if (silentShare(mono) >= SILENT_SHARE) {
      lastSilent = true;
      if (!trackSeconds || trackSeconds <= CLIP_SECONDS * 1.5) break; // no other part of the track to try
      continue;
    }
    const clip = fillClip(mono);
    if (!clip) {
      return { ok: false, code: 'too-short', reason: `less than 5 s of audio (${(mono.length / SAMPLE_RATE).toFixed(1)} s)`, timings };
    }
    t = performance.now();
    const features = toSegments(mfcc(clip));
    timings.mfccMs += performance.now() - t;
    if (features.length !== FEATURE_LENGTH) throw new Error('feature layout mismatch');
    return {
      ok: true,
      features,
      clipStart: decoded.startSec,
      clipSeconds: Math.min(CLIP_SECONDS, mono.length / SAMPLE_RATE),
      decoder: decoded.decoder,
      bytesRead: decoded.bytesRead,
      timings,
    };
  }
  return { ok: false, code: 'silent', reason: lastSilent ? 'the track is silent where it was sampled (middle, ¼ and ¾)' : 'no audio', timings };
}
