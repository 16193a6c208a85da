import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PacketOutput } from './wasm-direct.ts';

/**
 * The native decoders (native/decoders: libvorbis, libmpg123, libFLAC and FAAD2 behind Node-API), when
 * they were built and load; otherwise null and the WASM decoders do the work. They take the same packets
 * the WASM path takes and write planar float samples into the caller's buffers.
 *
 * CADENZA_DECODERS=wasm keeps the WASM decoders (A/B benches, tests of the fallback); =native makes a
 * missing or broken build an error instead of a silent fallback (CI, where the build must be there).
 */

type Handle = { readonly __decoderHandle: unique symbol };

interface Addon {
  vorbisOpen(identification: Uint8Array, setup: Uint8Array): Handle;
  vorbisDecode(h: Handle, packet: Uint8Array, planes: Float32Array[], offset: number): number;
  mpegOpen(): Handle;
  aacOpen(asc: Uint8Array): { handle: Handle; sampleRate: number; channels: number };
  aacDecode(h: Handle, accessUnit: Uint8Array, planes: Float32Array[], offset: number): number;
  mpegDecode(h: Handle, frame: Uint8Array, planes: Float32Array[], offset: number): number;
  flacOpen(reserveBytes: number): Handle;
  flacFeed(h: Handle, bytes: Uint8Array, ending: boolean): number;
  flacTake(h: Handle, planes: Float32Array[], offset: number): number;
  close(h: Handle): void;
  versions(): Record<string, string>;
}

export const ADDON_RELATIVE_PATH = path.join('native', 'decoders', 'build', 'Release', 'cadenza_decoders.node');

/** The addon's path: CADENZA_NATIVE_DECODERS, else the first folder above this module that holds the build. */
export function findAddon(
  env: NodeJS.ProcessEnv = process.env,
  from = path.dirname(fileURLToPath(import.meta.url)),
): string | undefined {
  if (env.CADENZA_NATIVE_DECODERS) return env.CADENZA_NATIVE_DECODERS;
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, ADDON_RELATIVE_PATH);
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

export type DecoderChoice = 'auto' | 'wasm' | 'native';

export function decoderChoice(env: NodeJS.ProcessEnv = process.env): DecoderChoice {
  const v = env.CADENZA_DECODERS;
  return v === 'wasm' || v === 'native' ? v : 'auto';
}

let addon: Addon | null | undefined;
let loadError: string | undefined;
let selected: DecoderChoice | undefined;

/** Overrides CADENZA_DECODERS in this thread (tests and A/B benches); undefined goes back to it. */
export function selectDecoders(choice: DecoderChoice | undefined): void {
  selected = choice;
  addon = undefined;
  loadError = undefined;
}

function currentChoice(): DecoderChoice {
  return selected ?? decoderChoice();
}

function load(): Addon | null {
  if (addon !== undefined) return addon;
  const choice = currentChoice();
  addon = null;
  if (choice === 'wasm') return addon;
  const file = findAddon();
  try {
    if (!file) throw new Error(`not built (${ADDON_RELATIVE_PATH}; npm run build:native)`);
    addon = createRequire(import.meta.url)(file) as Addon;
  } catch (e) {
    loadError = e instanceof Error ? e.message : String(e);
  }
  if (!addon && choice === 'native') throw new Error(`CADENZA_DECODERS=native but the native decoders do not load: ${loadError}`);
  return addon;
}

/** The native decoders, or null (then the WASM ones decode). */
export function nativeDecoders(): NativeDecoders | null {
  const a = load();
  return a ? new NativeDecoders(a) : null;
}

/** Why the native decoders are not in use ('' when they are). */
export function nativeDecodersStatus(): string {
  if (currentChoice() === 'wasm') return 'off (CADENZA_DECODERS=wasm)';
  return load() ? '' : (loadError ?? 'not loaded');
}

/** The most samples one packet or frame yields: Vorbis blocks ≤ 8192 (half of it out), MPEG 1152, AAC 2048 (SBR). */
const MAX_PACKET_SAMPLES = 4096;

export class NativeDecoders {
  constructor(private readonly a: Addon) {}

  versions(): Record<string, string> {
    return this.a.versions();
  }

  vorbis(identification: Uint8Array, setup: Uint8Array): NativePackets {
    const h = this.a.vorbisOpen(identification, setup);
    return new NativePackets(this.a, h, (p, planes, at) => this.a.vorbisDecode(h, p, planes, at));
  }

  mpeg(): NativePackets {
    const h = this.a.mpegOpen();
    return new NativePackets(this.a, h, (p, planes, at) => this.a.mpegDecode(h, p, planes, at));
  }

  /** Raw AAC access units configured by the MP4's AudioSpecificConfig; the rate and channels it declares. */
  aac(asc: Uint8Array): { units: NativePackets; sampleRate: number; channels: number } {
    const { handle: h, sampleRate, channels } = this.a.aacOpen(asc);
    return { units: new NativePackets(this.a, h, (p, planes, at) => this.a.aacDecode(h, p, planes, at)), sampleRate, channels };
  }

  flac(reserveBytes: number): NativeFlac {
    return new NativeFlac(this.a, this.a.flacOpen(reserveBytes));
  }
}

/** A packet decoder (Vorbis, MPEG, AAC): each packet's audio appended to a PacketOutput. */
export class NativePackets {
  constructor(
    private readonly a: Addon,
    private readonly h: Handle,
    private readonly one: (packet: Uint8Array, planes: Float32Array[], at: number) => number,
  ) {}

  /** Decodes packets in order, appending their audio to `out`; returns the samples appended. */
  decode(packets: readonly Uint8Array[], out: PacketOutput): number {
    const before = out.samples;
    for (const packet of packets) {
      const planes = out.reserve(MAX_PACKET_SAMPLES);
      out.samples += this.one(packet, planes, out.samples);
    }
    return out.samples - before;
  }

  close(): void {
    this.a.close(this.h);
  }
}

/** FLAC: bytes in (frames carry no length, so the decoder buffers), samples out. */
export class NativeFlac {
  constructor(
    private readonly a: Addon,
    private readonly h: Handle,
  ) {}

  /** Feeds bytes (`ending`: no more will come) and appends what they decode to `out`. */
  decode(bytes: Uint8Array, out: PacketOutput, ending = false): number {
    const waiting = this.a.flacFeed(this.h, bytes, ending);
    if (waiting === 0) return 0;
    const planes = out.reserve(waiting);
    const n = this.a.flacTake(this.h, planes, out.samples);
    out.samples += n;
    return n;
  }

  close(): void {
    this.a.close(this.h);
  }
}
