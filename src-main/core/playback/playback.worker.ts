import { parentPort } from 'node:worker_threads';
import { decodeClip } from '../analysis/decode/index.ts';
import type { PlaybackReply, PlaybackRequest } from './playback-messages.ts';
import { toInt16Interleaved } from './wav-header.ts';

// Decodes windows of tracks the renderer's Chromium cannot play, as 16-bit PCM, off the thread that
// serves HTTP / Electron's protocols.
const port = parentPort;
if (!port) throw new Error('playback.worker must run as a worker thread');
const send = (reply: PlaybackReply, transfer: ArrayBuffer[] = []) => port.postMessage(reply, transfer);

/** decodeClip refuses windows under 0.5 s as too short: short requests (a track's last frames) decode a longer window. */
const MIN_WINDOW_SEC = 0.6;

port.on('message', (request: PlaybackRequest) => {
  void decode(request).catch((error: unknown) =>
    send({ type: 'failed', id: request.id, code: 'error', reason: error instanceof Error ? error.message : String(error) }),
  );
});

async function decode(request: PlaybackRequest): Promise<void> {
  const { id } = request;
  const path = typeof request.path === 'string' ? request.path : Buffer.from(request.path);
  const probe = request.type === 'probe';
  const knownRate = probe ? 0 : request.sampleRate;
  const startSec = probe ? 0 : request.startFrame / knownRate;
  const durationSec = probe ? request.durationSec : Math.max(request.frames / knownRate, MIN_WINDOW_SEC);
  // decodeClip opens raw-byte paths too (fs.open takes a Buffer).
  const result = await decodeClip(path as string, { startSec, durationSec });
  if (!result.ok) return send({ type: 'failed', id, code: result.code, reason: result.reason });
  if (!probe && result.sampleRate !== knownRate) {
    return send({
      type: 'failed',
      id,
      code: 'corrupt',
      reason: `sample rate changed from ${knownRate} to ${result.sampleRate} Hz`,
    });
  }
  const sampleRate = result.sampleRate;
  const trackFrames = Math.round(result.trackDurationSec * sampleRate);
  // A window that ran past the end was moved back by decodeClip: find the wanted frames in what came.
  const wantedStart = probe ? 0 : request.startFrame;
  const gotStart = Math.round(result.startSec * sampleRate);
  const frames = probe ? (result.channels[0]?.length ?? 0) : request.frames;
  const samples = toInt16Interleaved(result.channels, wantedStart - gotStart, frames);
  send({ type: 'pcm', id, sampleRate, channels: result.channels.length, trackFrames, samples, decoder: result.decoder }, [
    samples.buffer as ArrayBuffer,
  ]);
}
