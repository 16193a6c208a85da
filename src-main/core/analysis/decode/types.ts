/** What to decode: a window of the track, in seconds of its timeline. */
export interface ClipRequest {
  startSec: number;
  durationSec: number;
  /** Aborting rejects the promise with the signal's reason (the only case that throws). */
  signal?: AbortSignal;
  /** Use an `ffmpeg` executable from the PATH when no built-in decoder handles the file (default true). */
  allowFfmpeg?: boolean;
}

export type DecodeFailureCode = 'no-decoder' | 'corrupt' | 'unreadable' | 'too-short';

export interface DecodeSuccess {
  ok: true;
  /** One array per channel, all the same length. */
  channels: Float32Array[];
  sampleRate: number;
  /** Where the returned audio actually starts / how long it is (the request clamped to the track). */
  startSec: number;
  durationSec: number;
  trackDurationSec: number;
  /** Which decoder produced it: 'mpg123-wasm', 'flac-wasm', 'vorbis-wasm', 'opus-wasm', 'faad2-wasm', 'alac-js', 'wma-wasm', 'pcm-wav', 'pcm-aiff', 'ffmpeg'. */
  decoder: string;
  /** Bytes read from the file (for ffmpeg: unknown, reported as 0). */
  bytesRead: number;
}

export interface DecodeFailure {
  ok: false;
  reason: string;
  code: DecodeFailureCode;
}

export type DecodeResult = DecodeSuccess | DecodeFailure;

/** Thrown inside format modules; turned into a DecodeFailure at the top. */
export class DecodeError extends Error {
  readonly code: DecodeFailureCode;
  constructor(code: DecodeFailureCode, message: string) {
    super(message);
    this.code = code;
    this.name = 'DecodeError';
  }
}

/** What a format module returns before the top level fills in the rest. */
export interface ClipPcm {
  channels: Float32Array[];
  sampleRate: number;
  startSec: number;
  trackDurationSec: number;
  decoder: string;
}
