import { FileReader } from './reader.ts';
import { sniffContainer, type ContainerKind } from './sniff.ts';
import { DecodeError, type ClipPcm, type ClipRequest, type DecodeResult } from './types.ts';
import { decodeMp3, probeMp3 } from './mp3.ts';
import { decodeFlac, probeFlac } from './flac.ts';
import { decodeOgg, probeOgg } from './ogg.ts';
import { decodeMp4, probeMp4 } from './mp4.ts';
import { decodeWav, decodeAiff, probeWav, probeAiff } from './pcmfile.ts';
import { decodeAsf, probeAsf } from './asf.ts';
import { decodeWithFfmpeg, findFfmpeg } from './ffmpeg.ts';

export type { ClipRequest, DecodeResult, DecodeSuccess, DecodeFailure, DecodeFailureCode } from './types.ts';
export { sniffContainer, type ContainerKind } from './sniff.ts';
export { findFfmpeg } from './ffmpeg.ts';

/** Shortest audio returned as a success (seconds). */
const MIN_CLIP_SEC = 0.5;

function errno(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
}

function isAbort(e: unknown, signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true || (e instanceof Error && e.name === 'AbortError');
}

async function decodeContainer(kind: ContainerKind, r: FileReader, req: ClipRequest): Promise<ClipPcm> {
  const { startSec, durationSec, signal } = req;
  switch (kind) {
    case 'mp3': return decodeMp3(r, startSec, durationSec, signal);
    case 'flac': return decodeFlac(r, startSec, durationSec, signal);
    case 'ogg': return decodeOgg(r, startSec, durationSec, signal);
    case 'mp4': return decodeMp4(r, startSec, durationSec, signal);
    case 'wav': return decodeWav(r, startSec, durationSec, signal);
    case 'aiff': return decodeAiff(r, startSec, durationSec, signal);
    case 'asf': return decodeAsf(r, startSec, durationSec, signal);
    case 'unknown': throw new DecodeError('no-decoder', 'unrecognised file format');
  }
}

/**
 * Decodes the window [startSec, startSec + durationSec) of an audio file (clamped to the track:
 * a window running past the end is moved back, one starting before 0 starts at 0), reading only
 * the bytes that window needs. The format is decided by content, not by extension.
 * Bad files come back as `{ ok: false }`; the promise rejects only when `signal` aborts.
 */
export async function decodeClip(path: string, request: ClipRequest): Promise<DecodeResult> {
  const { signal } = request;
  const allowFfmpeg = request.allowFfmpeg ?? true;
  signal?.throwIfAborted();
  let r: FileReader;
  try {
    r = await FileReader.open(path);
  } catch (e) {
    return { ok: false, code: 'unreadable', reason: `cannot open file: ${errno(e) ?? (e instanceof Error ? e.message : String(e))}` };
  }
  let kind: ContainerKind = 'unknown';
  let failure: DecodeError;
  try {
    if (r.size === 0) return { ok: false, code: 'corrupt', reason: 'empty file (0 bytes)' };
    kind = sniffContainer(await r.read(0, 4096));
    const pcm = await decodeContainer(kind, r, request);
    return finish(pcm, r.bytesRead);
  } catch (e) {
    if (isAbort(e, signal)) throw e;
    if (e instanceof DecodeError) failure = e;
    else if (errno(e)) failure = new DecodeError('unreadable', `read error: ${errno(e)}`);
    else failure = new DecodeError('corrupt', `${kind === 'unknown' ? 'file' : kind} decode failed: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    await r.close().catch(() => undefined);
  }
  // No built-in decoder, or it failed: an ffmpeg executable gets a try when there is one.
  if (failure.code !== 'unreadable' && failure.code !== 'too-short' && allowFfmpeg && (await findFfmpeg())) {
    const viaFfmpeg = await decodeWithFfmpeg(path, request);
    if (viaFfmpeg.ok) return finish(viaFfmpeg.pcm, 0);
    if (failure.code === 'no-decoder') return { ok: false, code: 'corrupt', reason: `${failure.message}; ffmpeg: ${viaFfmpeg.reason}` };
  }
  if (failure.code === 'no-decoder' && !failure.message.includes('ffmpeg')) {
    return { ok: false, code: 'no-decoder', reason: allowFfmpeg ? `${failure.message}: install ffmpeg` : failure.message };
  }
  return { ok: false, code: failure.code, reason: failure.message };
}

function finish(pcm: ClipPcm, bytesRead: number): DecodeResult {
  const n = pcm.channels[0]?.length ?? 0;
  const durationSec = n / pcm.sampleRate;
  if (n === 0 || durationSec < Math.min(MIN_CLIP_SEC, pcm.trackDurationSec * 0.9)) {
    return { ok: false, code: 'too-short', reason: `only ${durationSec.toFixed(2)} s of audio decoded (track ${pcm.trackDurationSec.toFixed(2)} s)` };
  }
  return { ok: true, channels: pcm.channels, sampleRate: pcm.sampleRate, startSec: pcm.startSec, durationSec, trackDurationSec: pcm.trackDurationSec, decoder: pcm.decoder, bytesRead };
}

/** Track duration in seconds from the container's headers (no decoding); undefined when unknown. */
export async function probeDuration(path: string): Promise<number | undefined> {
  let r: FileReader;
  try {
    r = await FileReader.open(path);
  } catch {
    return undefined;
  }
  try {
    if (r.size === 0) return undefined;
    switch (sniffContainer(await r.read(0, 4096))) {
      case 'mp3': return await probeMp3(r);
      case 'flac': return await probeFlac(r);
      case 'ogg': return await probeOgg(r);
      case 'mp4': return await probeMp4(r);
      case 'wav': return await probeWav(r);
      case 'aiff': return await probeAiff(r);
      case 'asf': return await probeAsf(r);
      case 'unknown': return undefined;
    }
  } catch {
    return undefined;
  } finally {
    await r.close().catch(() => undefined);
  }
}
