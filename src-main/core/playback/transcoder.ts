/**
 * Tracks the renderer's Chromium cannot decode are served as a virtual 16-bit PCM WAV file of known
 * length: a byte range maps to a range of frames, decoded on demand in chunks by the project's own
 * decoders (ffmpeg where they have none) in one decode worker. So the stream is seekable from any
 * position, the first audio comes after one short chunk, and lossless formats join sample-exactly
 * (every chunk is the exact window [start, start + n) of the track).
 */
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../jobs/worker-entry.ts';
import type { PlaybackReply, PlaybackRequest } from './playback-messages.ts';
import { WAV_HEADER_BYTES, wavHeader } from './wav-header.ts';

/** The first chunk of every response is short, so audio (and a seek) starts fast; then longer ones. */
export const FIRST_CHUNK_SEC = 0.5;
export const CHUNK_SEC = 2;
const LAYOUT_CACHE_SIZE = 256;
/** A worker that has decoded goes away after this long without work (restarted on the next request). */
const WORKER_IDLE_MS = 10 * 60_000;

export interface PcmLayout {
  sampleRate: number;
  channels: number;
  trackFrames: number;
}

export type DecodedChunk = Extract<PlaybackReply, { type: 'pcm' }>;

export class TranscodeError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'TranscodeError';
  }
}

/** What decodes chunks: the worker in the app; the interface lets a bench time the same path in-thread. */
export interface ChunkDecoder {
  /** The first `durationSec` of a track (its layout is not known yet). */
  probe(path: string | Uint8Array, durationSec: number): Promise<DecodedChunk>;
  /** Exactly `frames` frames from `startFrame`. */
  decode(path: string | Uint8Array, startFrame: number, frames: number, sampleRate: number): Promise<DecodedChunk>;
}

/** One decode worker per process, started on first use, stopped when idle; a crash fails only its requests. */
export class WorkerChunkDecoder implements ChunkDecoder {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(chunk: DecodedChunk): void; reject(error: Error): void }>();
  private idleTimer: NodeJS.Timeout | undefined;

  /** `bundle`: a built worker file instead of the source (the bench times what the app ships). */
  constructor(private readonly bundle?: URL) {}

  probe(path: string | Uint8Array, durationSec: number): Promise<DecodedChunk> {
    return this.request({ type: 'probe', id: this.nextId++, path, durationSec });
  }

  decode(path: string | Uint8Array, startFrame: number, frames: number, sampleRate: number): Promise<DecodedChunk> {
    return this.request({ type: 'decode', id: this.nextId++, path, startFrame, frames, sampleRate });
  }

  private request(request: PlaybackRequest): Promise<DecodedChunk> {
    const worker = this.ensureWorker();
    clearTimeout(this.idleTimer);
    return new Promise<DecodedChunk>((resolve, reject) => {
      this.pending.set(request.id, { resolve, reject });
      worker.postMessage(request);
    });
  }

  /** Starts the worker ahead of the first request (its start-up is then not on the first audio's path). */
  warm(): void {
    this.ensureWorker();
  }

  async close(): Promise<void> {
    clearTimeout(this.idleTimer);
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = startWorker('playback', {}, this.bundle);
    worker.unref(); // never keeps the process alive
    worker.on('message', (reply: PlaybackReply) => {
      const waiter = this.pending.get(reply.id);
      if (!waiter) return;
      this.pending.delete(reply.id);
      if (reply.type === 'pcm') waiter.resolve(reply);
      else waiter.reject(new TranscodeError(reply.code, reply.reason));
      if (this.pending.size === 0) this.armIdle();
    });
    const fail = (error: Error) => {
      if (this.worker === worker) this.worker = undefined;
      for (const waiter of this.pending.values()) waiter.reject(error);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new TranscodeError('error', `the playback worker stopped (exit code ${code})`)));
    this.worker = worker;
    return worker;
  }

  private armIdle(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => void this.close(), WORKER_IDLE_MS);
    this.idleTimer.unref();
  }
}

/** A track as the media route found it (the cache key includes size and mtime: an edited file is re-read). */
export interface TranscodeSource {
  path: string | Uint8Array;
  size: number;
  mtimeMs: number;
}

/** The virtual WAV file of one track: its size, and any byte range of it as a stream. */
export interface VirtualWav {
  size: number;
  contentType: string;
  body(start: number, end: number): ReadableStream<Uint8Array>;
}

export class PlaybackTranscoder {
  private readonly layouts = new Map<string, PcmLayout>();
  /** The probe's audio of the last track opened: its first response starts with it (no second decode). */
  private head: { key: string; chunk: DecodedChunk } | undefined;

  constructor(private readonly decoder: ChunkDecoder) {}

  /** Learns the track's layout (one short decode the first time; cached after) and returns its virtual file. */
  async open(source: TranscodeSource): Promise<VirtualWav> {
    const key = `${Buffer.from(source.path).toString('hex')}:${source.size}:${source.mtimeMs}`;
    let layout = this.layouts.get(key);
    if (!layout) {
      const head = await this.decoder.probe(source.path, FIRST_CHUNK_SEC);
      if (head.trackFrames <= 0) throw new TranscodeError('too-short', 'the track has no audio frames');
      layout = { sampleRate: head.sampleRate, channels: head.channels, trackFrames: head.trackFrames };
      this.head = { key, chunk: head };
      if (this.layouts.size >= LAYOUT_CACHE_SIZE) this.layouts.delete(this.layouts.keys().next().value as string);
    } else this.layouts.delete(key); // re-inserted below: most recently used last
    this.layouts.set(key, layout);
    const known = layout;
    const header = wavHeader(known.sampleRate, known.channels, known.trackFrames);
    return {
      size: WAV_HEADER_BYTES + known.trackFrames * known.channels * 2,
      contentType: 'audio/wav',
      body: (start, end) => this.stream(key, source.path, known, header, start, end),
    };
  }

  /** Bytes [start, end] of the virtual file; chunks are decoded only as the reader pulls them. */
  private stream(
    key: string,
    path: string | Uint8Array,
    layout: PcmLayout,
    header: Uint8Array,
    start: number,
    end: number,
  ): ReadableStream<Uint8Array> {
    const frameBytes = layout.channels * 2;
    let position = start; // next byte of the virtual file to send
    let chunkIndex = 0;
    return new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          if (position > end) return controller.close();
          if (position < WAV_HEADER_BYTES) {
            const to = Math.min(WAV_HEADER_BYTES, end + 1);
            controller.enqueue(header.slice(position, to));
            position = to;
            return;
          }
          const frame = Math.floor((position - WAV_HEADER_BYTES) / frameBytes);
          const chunkSec = chunkIndex++ === 0 ? FIRST_CHUNK_SEC : CHUNK_SEC;
          const lastFrame = Math.floor((end - WAV_HEADER_BYTES) / frameBytes);
          const frames = Math.min(Math.round(chunkSec * layout.sampleRate), lastFrame - frame + 1, layout.trackFrames - frame);
          if (frames <= 0) return controller.close();
          const chunk = await this.chunkAt(key, path, frame, frames, layout.sampleRate);
          const bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
          const from = position - WAV_HEADER_BYTES - frame * frameBytes; // a range may start inside a frame
          const to = Math.min(bytes.length, end + 1 - WAV_HEADER_BYTES - frame * frameBytes);
          controller.enqueue(bytes.subarray(from, to));
          position += to - from;
        },
      },
      { highWaterMark: 0 },
    );
  }

  /** Interleaved samples of [frame, frame + frames): from the probe where it covers them, else decoded. */
  private async chunkAt(
    key: string,
    path: string | Uint8Array,
    frame: number,
    frames: number,
    sampleRate: number,
  ): Promise<Int16Array> {
    const head = this.head?.key === key ? this.head.chunk : undefined;
    if (head && frame === 0) {
      const available = head.samples.length / head.channels;
      if (available > 0) return head.samples.subarray(0, Math.min(frames, available) * head.channels);
    }
    return (await this.decoder.decode(path, frame, frames, sampleRate)).samples;
  }
}

let shared: { transcoder: PlaybackTranscoder; decoder: WorkerChunkDecoder } | undefined;

function sharedTranscoder(): { transcoder: PlaybackTranscoder; decoder: WorkerChunkDecoder } {
  shared ??= (() => {
    const decoder = new WorkerChunkDecoder();
    return { transcoder: new PlaybackTranscoder(decoder), decoder };
  })();
  return shared;
}

/** The process's transcoder (one decode worker, shared by browser mode's route and Electron's protocol). */
export function playbackTranscoder(): PlaybackTranscoder {
  return sharedTranscoder().transcoder;
}

/** Starts the process's decode worker now (the app does at start, so the first transcoded track starts fast). */
export function warmPlaybackTranscoder(): void {
  sharedTranscoder().decoder.warm();
}

export async function closePlaybackTranscoder(): Promise<void> {
  await shared?.decoder.close();
}
