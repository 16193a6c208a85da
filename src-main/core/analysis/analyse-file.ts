import { decodeClip, probeDuration } from './decode/index.ts';
import {
  downmixToMono,
  FEATURE_LENGTH,
  mfcc,
  newMfccSpectra,
  resample,
  SAMPLE_RATE,
  toSegments,
  type MfccSpectra,
} from './dsp/index.ts';
import { DESCRIPTOR_LENGTH, describeClip } from './dsp/descriptors.ts';
import { CLIP_SECONDS, clipStart, fillClip, SILENT_SHARE, silentShare } from './clip.ts';
import type { AnalysedClip, DescriptorView } from './feature-store.ts';
import { integratedLoudness } from '../loudness/integrated-loudness.ts';
import type { ClipLoudness } from '../loudness/loudness-store.ts';

export interface StageTimings {
  /** Reading the needed bytes and decoding them to PCM (every view). */
  decodeMs: number;
  /** Downmix to mono and resample to 22,050 Hz (every view). */
  resampleMs: number;
  mfccMs: number;
  /** The descriptors of every view (the main clip's reuse the MFCC's spectra). */
  descriptorsMs: number;
  /** The BS.1770 loudness of the main clip (on the decoded channels, at the decoded rate). */
  loudnessMs: number;
  /**
   * Everything else a worker spends on the file, measured by the worker around the whole task: the
   * duration probe when the scan had none, silence checks, packing, the database write.
   */
  otherMs: number;
}

/** How many clips to describe: the main clip only, or also the clips centred at ¼ and ¾ of a long track. */
export type DescriptorViewCount = 1 | 3;
/**
 * One by default: the extra views cost 2.4× the analysis time of a full-length library (mostly decoding
 * two more clips), and no model reads them yet — their benefit cannot be measured on mer-dev's 30-s
 * excerpts (docs/benchmarks.md#analysis). `cadenza analyze --views 3` stores them.
 */
export const DEFAULT_VIEWS: DescriptorViewCount = 1;
/** Extra views are taken only from tracks at least this long (their clips then overlap the main one by ≤ 7.5 s). */
export const EXTRA_VIEWS_MIN_SECONDS = 90;
/** Positions of the extra views (clip centres, fraction of the track), in blob order after the main clip. */
export const EXTRA_VIEW_POSITIONS = [0.25, 0.75] as const;

export type AnalysisOutcome =
  | (AnalysedClip & { ok: true; bytesRead: number; timings: StageTimings })
  | { ok: false; code: string; reason: string; timings: StageTimings };

export interface AnalyseFileOptions {
  trackSeconds?: number | null;
  signal?: AbortSignal;
  allowFfmpeg?: boolean;
  /** 3 (default): also describe the clips centred at ¼ and ¾ of a track of ≥ 90 s; 1: the main clip only. */
  views?: DescriptorViewCount;
}

/** Clip positions tried in order: the middle, then a quarter and three quarters in (a silent middle). */
const POSITIONS = [0.5, 0.25, 0.75];

export type LoudnessOutcome =
  | { ok: true; loudness: ClipLoudness; decoder: string; timings: StageTimings }
  | { ok: false; code: string; reason: string; timings: StageTimings };

/**
 * The loudness of the analysed clip alone (a track analysed before loudness was measured): the same
 * 30 s from the same start, the same measurement as a full analysis, without MFCC or descriptors.
 */
export async function measureClipLoudness(
  file: string | Buffer,
  startSec: number,
  options: Pick<AnalyseFileOptions, 'signal' | 'allowFfmpeg'> = {},
): Promise<LoudnessOutcome> {
  const timings = emptyTimings();
  const t = performance.now();
  const decoded = await decodeClip(file as string, {
    startSec,
    durationSec: CLIP_SECONDS,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.allowFfmpeg === undefined ? {} : { allowFfmpeg: options.allowFfmpeg }),
  });
  timings.decodeMs += performance.now() - t;
  if (!decoded.ok) return { ok: false, code: decoded.code, reason: decoded.reason, timings };
  const measuredAt = performance.now();
  const loudness = { ...integratedLoudness(decoded.channels, decoded.sampleRate), start: decoded.startSec };
  timings.loudnessMs += performance.now() - measuredAt;
  return { ok: true, loudness, decoder: decoded.decoder, timings };
}

export function emptyTimings(): StageTimings {
  return { decodeMs: 0, resampleMs: 0, mfccMs: 0, descriptorsMs: 0, loudnessMs: 0, otherMs: 0 };
}

// The MFCC keeps its spectra here so the descriptors need no second STFT (one buffer per thread, reused).
let spectraBuffers: MfccSpectra | undefined;

/**
 * The whole item pipeline for one file: decode the middle 30 s, mono, 22,050 Hz, MFCC 420 × 18,
 * read as 20 × 378, and the descriptors of that clip (plus those of the clips at ¼ and ¾ of a long
 * track). Bad files come back as values; only an abort throws.
 */
export async function analyseFile(file: string | Buffer, options: AnalyseFileOptions = {}): Promise<AnalysisOutcome> {
  const timings = emptyTimings();
  // The decoders open files with fs (which takes raw-byte Buffer paths too); their signature says string.
  const target = file as string;
  const trackSeconds = options.trackSeconds ?? (await probeDuration(target)) ?? null;
  const decodeMono = async (startSec: number) => {
    let t = performance.now();
    const decoded = await decodeClip(target, {
      startSec,
      durationSec: CLIP_SECONDS,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.allowFfmpeg === undefined ? {} : { allowFfmpeg: options.allowFfmpeg }),
    });
    timings.decodeMs += performance.now() - t;
    if (!decoded.ok) return decoded;
    t = performance.now();
    const mono = resample(downmixToMono(decoded.channels), decoded.sampleRate, SAMPLE_RATE);
    timings.resampleMs += performance.now() - t;
    return { ...decoded, mono };
  };

  let lastSilent = false;
  for (const position of POSITIONS) {
    const decoded = await decodeMono(clipStart(trackSeconds, position));
    if (!decoded.ok) return { ok: false, code: decoded.code, reason: decoded.reason, timings };
    const { mono } = decoded;
    if (silentShare(mono) >= SILENT_SHARE) {
      lastSilent = true;
      if (!trackSeconds || trackSeconds <= CLIP_SECONDS * 1.5) break; // no other part of the track to try
      continue;
    }
    const clip = fillClip(mono);
    if (!clip) {
      return {
        ok: false,
        code: 'too-short',
        reason: `less than 5 s of audio (${(mono.length / SAMPLE_RATE).toFixed(1)} s)`,
        timings,
      };
    }
    let t = performance.now();
    spectraBuffers ??= newMfccSpectra();
    const cc = mfcc(clip, { spectra: spectraBuffers });
    const features = toSegments(cc);
    timings.mfccMs += performance.now() - t;
    if (features.length !== FEATURE_LENGTH) throw new Error('feature layout mismatch');
    t = performance.now();
    const described = [describeClip(clip, { mfcc: cc, spectra: spectraBuffers })];
    timings.descriptorsMs += performance.now() - t;
    const clipSeconds = Math.min(CLIP_SECONDS, mono.length / SAMPLE_RATE);
    const views: DescriptorView[] = [{ start: decoded.startSec, seconds: clipSeconds }];
    let bytesRead = decoded.bytesRead;

    if ((options.views ?? DEFAULT_VIEWS) === 3 && trackSeconds && trackSeconds >= EXTRA_VIEWS_MIN_SECONDS) {
      for (const extra of EXTRA_VIEW_POSITIONS) {
        // The silent-middle fallback may already have used this position for the main clip.
        if (extra === position) continue;
        const more = await decodeMono(clipStart(trackSeconds, extra));
        if (!more.ok) continue; // the main clip stands on its own; a bad stretch later in the file only loses a view
        bytesRead += more.bytesRead;
        if (silentShare(more.mono) >= SILENT_SHARE) continue;
        const extraClip = fillClip(more.mono);
        if (!extraClip) continue;
        t = performance.now();
        described.push(describeClip(extraClip));
        timings.descriptorsMs += performance.now() - t;
        views.push({ start: more.startSec, seconds: Math.min(CLIP_SECONDS, more.mono.length / SAMPLE_RATE) });
      }
    }

    const descriptors = new Float32Array(described.length * DESCRIPTOR_LENGTH);
    described.forEach((d, i) => {
      descriptors.set(d.clip, i * DESCRIPTOR_LENGTH);
      descriptors.set(d.segments, i * DESCRIPTOR_LENGTH + d.clip.length);
    });
    t = performance.now();
    // BS.1770 sums the channels' weighted energies: measured on the decoded channels, before the mono mix.
    const loudness = { ...integratedLoudness(decoded.channels, decoded.sampleRate), start: decoded.startSec };
    timings.loudnessMs += performance.now() - t;
    return {
      ok: true,
      features,
      loudness,
      clipStart: decoded.startSec,
      clipSeconds,
      descriptors,
      views,
      decoder: decoded.decoder,
      bytesRead,
      timings,
    };
  }
  return {
    ok: false,
    code: 'silent',
    reason: lastSilent ? 'the track is silent where it was sampled (middle, ¼ and ¾)' : 'no audio',
    timings,
  };
}
