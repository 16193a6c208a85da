import { DecodeError, type ClipPcm } from './types.ts';
import type { FileReader } from './reader.ts';
import { clampWindow } from './pcm.ts';
import { fourcc, u16be, u16le, u32be, u32le, u64le } from './shared.ts';

type SampleFormat = 'int' | 'float';

interface PcmLayout {
  channels: number;
  sampleRate: number;
  bits: number;
  format: SampleFormat;
  littleEndian: boolean;
  dataStart: number;
  dataBytes: number;
  container: 'wav' | 'aiff';
}

async function wavLayout(r: FileReader): Promise<PcmLayout> {
  const head = await r.read(0, 12);
  const rf64 = fourcc(head, 0) === 'RF64';
  let pos = 12, fmt: Uint8Array | undefined, ds64Data: number | undefined;
  while (pos + 8 <= r.size) {
    const h = await r.read(pos, 8);
    const id = fourcc(h, 0), size = u32le(h, 4);
    if (id === 'ds64') ds64Data = u64le(await r.read(pos + 8, 28), 8);
    else if (id === 'fmt ') fmt = await r.read(pos + 8, Math.min(size, 64));
    else if (id === 'data') {
      if (!fmt) throw new DecodeError('corrupt', 'WAV data before fmt chunk');
      let tag = u16le(fmt, 0);
      if (tag === 0xfffe && fmt.length >= 26) tag = u16le(fmt, 24);
      const bits = u16le(fmt, 14);
      const format: SampleFormat | undefined = tag === 1 ? 'int' : tag === 3 ? 'float' : undefined;
      if (!format) throw new DecodeError('no-decoder', `no decoder for WAV format 0x${tag.toString(16)}`);
      const dataBytes = rf64 && size === 0xffffffff && ds64Data !== undefined ? ds64Data : size === 0xffffffff || size === 0 ? r.size - pos - 8 : size;
      return { channels: u16le(fmt, 2), sampleRate: u32le(fmt, 4), bits, format, littleEndian: true, dataStart: pos + 8, dataBytes: Math.min(dataBytes, r.size - pos - 8), container: 'wav' };
    }
    pos += 8 + size + (size & 1);
  }
  throw new DecodeError('corrupt', 'WAV without a data chunk');
}

/** 80-bit IEEE extended → number. */
function extended(b: Uint8Array, o: number): number {
  const exp = u16be(b, o) & 0x7fff;
  const hi = u32be(b, o + 2), lo = u32be(b, o + 6);
  if (exp === 0 && hi === 0 && lo === 0) return 0;
  return (hi * 4294967296 + lo) * Math.pow(2, exp - 16383 - 63);
}

async function aiffLayout(r: FileReader): Promise<PcmLayout> {
  const head = await r.read(0, 12);
  const aifc = fourcc(head, 8) === 'AIFC';
  let pos = 12, comm: Uint8Array | undefined;
  while (pos + 8 <= r.size) {
    const h = await r.read(pos, 8);
    const id = fourcc(h, 0), size = u32be(h, 4);
    if (id === 'COMM') comm = await r.read(pos + 8, Math.min(size, 64));
    else if (id === 'SSND') {
      if (!comm) throw new DecodeError('corrupt', 'AIFF sound data before COMM chunk');
      const ssnd = await r.read(pos + 8, 8);
      const offset = u32be(ssnd, 0);
      const compression = aifc ? fourcc(comm, 18) : 'NONE';
      let format: SampleFormat = 'int', littleEndian = false;
      if (compression === 'sowt') littleEndian = true;
      else if (compression === 'fl32' || compression === 'FL32' || compression === 'fl64' || compression === 'FL64') format = 'float';
      else if (compression !== 'NONE' && compression !== 'twos') throw new DecodeError('no-decoder', `no decoder for AIFF-C compression '${compression}'`);
      const channels = u16be(comm, 0), frames = u32be(comm, 2);
      const bits = compression.toLowerCase() === 'fl64' ? 64 : compression.toLowerCase() === 'fl32' ? 32 : u16be(comm, 6);
      const dataStart = pos + 16 + offset;
      const dataBytes = Math.min(frames * channels * Math.ceil(bits / 8), size - 8 - offset, r.size - dataStart);
      return { channels, sampleRate: extended(comm, 8), bits, format, littleEndian, dataStart, dataBytes, container: 'aiff' };
    }
    pos += 8 + size + (size & 1);
  }
  throw new DecodeError('corrupt', 'AIFF without a SSND chunk');
}

function check(l: PcmLayout): number {
  const bps = Math.ceil(l.bits / 8);
  if (!l.channels || !l.sampleRate || !(l.sampleRate < 10_000_000) || bps < 1 || bps > 8) throw new DecodeError('corrupt', `${l.container} header invalid`);
  if (l.format === 'float' && bps !== 4 && bps !== 8) throw new DecodeError('no-decoder', `no decoder for ${l.bits}-bit float ${l.container}`);
  return bps;
}

async function decodePcm(r: FileReader, l: PcmLayout, startSec: number, durationSec: number): Promise<ClipPcm> {
  const bps = check(l);
  const frameBytes = bps * l.channels;
  const totalFrames = Math.floor(l.dataBytes / frameBytes);
  const trackSec = totalFrames / l.sampleRate;
  const [winStart, winDur] = clampWindow(startSec, durationSec, trackSec);
  const f0 = Math.round(winStart * l.sampleRate);
  const nf = Math.min(totalFrames - f0, Math.round(winDur * l.sampleRate));
  const raw = await r.read(l.dataStart + f0 * frameBytes, Math.max(0, nf) * frameBytes);
  const frames = Math.floor(raw.length / frameBytes);
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const le = l.littleEndian;
  const channels = Array.from({ length: l.channels }, () => new Float32Array(frames));
  for (let c = 0; c < l.channels; c++) {
    const out = channels[c] as Float32Array;
    let o = c * bps;
    for (let i = 0; i < frames; i++, o += frameBytes) {
      let v: number;
      if (l.format === 'float') v = bps === 4 ? dv.getFloat32(o, le) : dv.getFloat64(o, le);
      else if (bps === 1) v = l.container === 'wav' ? (dv.getUint8(o) - 128) / 128 : dv.getInt8(o) / 128;
      else if (bps === 2) v = dv.getInt16(o, le) / 32768;
      else if (bps === 3) {
        const b0 = raw[o] ?? 0, b1 = raw[o + 1] ?? 0, b2 = raw[o + 2] ?? 0;
        const x = le ? (b0 | (b1 << 8) | (b2 << 16)) : ((b0 << 16) | (b1 << 8) | b2);
        v = ((x << 8) >> 8) / 8388608;
      } else if (bps === 4) v = dv.getInt32(o, le) / 2147483648;
      else throw new DecodeError('no-decoder', `no decoder for ${l.bits}-bit integer ${l.container}`);
      out[i] = v;
    }
  }
  return { channels, sampleRate: l.sampleRate, startSec: f0 / l.sampleRate, trackDurationSec: trackSec, decoder: l.container === 'wav' ? 'pcm-wav' : 'pcm-aiff' };
}

export async function decodeWav(r: FileReader, startSec: number, durationSec: number, _signal?: AbortSignal): Promise<ClipPcm> {
  return decodePcm(r, await wavLayout(r), startSec, durationSec);
}
export async function decodeAiff(r: FileReader, startSec: number, durationSec: number, _signal?: AbortSignal): Promise<ClipPcm> {
  return decodePcm(r, await aiffLayout(r), startSec, durationSec);
}
export async function probeWav(r: FileReader): Promise<number> {
  const l = await wavLayout(r);
  return Math.floor(l.dataBytes / (check(l) * l.channels)) / l.sampleRate;
}
export async function probeAiff(r: FileReader): Promise<number> {
  const l = await aiffLayout(r);
  return Math.floor(l.dataBytes / (check(l) * l.channels)) / l.sampleRate;
}
