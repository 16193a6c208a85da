/** Messages between the transcoder and its decode worker: tagged unions; errors travel as values. */

/**
 * 'decode': exactly `frames` frames from `startFrame` (frames at the track's `sampleRate`).
 * 'probe': the first `durationSec` of a track whose rate is not known yet (the reply tells it).
 * `path` is a path, or its raw bytes where the name is not valid UTF-8.
 */
export type PlaybackRequest =
  | { type: 'decode'; id: number; path: string | Uint8Array; startFrame: number; frames: number; sampleRate: number }
  | { type: 'probe'; id: number; path: string | Uint8Array; durationSec: number };

export type PlaybackReply =
  | {
      type: 'pcm';
      id: number;
      sampleRate: number;
      channels: number;
      /** The whole track's length in frames. */
      trackFrames: number;
      /** Interleaved 16-bit samples from the requested start: for 'decode' exactly `frames` frames (silence past the decoded end). */
      samples: Int16Array;
      decoder: string;
    }
  | { type: 'failed'; id: number; code: string; reason: string };
