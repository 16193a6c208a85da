import { DecodeError, type ClipPcm } from './types.ts';
import type { FileReader } from './reader.ts';
import { id3v2Length } from './sniff.ts';
import { ClipAssembler, clampWindow } from './pcm.ts';
import { flacLock, fourcc, getFlacDecoder, throwIfAborted, u16be, u32be, u64be } from './shared.ts';
import { directFlacOutput, packetOutput } from './wasm-direct.ts';
import { nativeDecoders } from './native.ts';

interface FlacInfo {
  streamInfo: Uint8Array; // the 34-byte STREAMINFO body
  sampleRate: number;
  channels: number;
  totalSamples: number;
  minBlock: number;
  maxBlock: number;
  maxFrame: number;
  audioStart: number;
  seekPoints: { sample: number; offset: number }[];
}

async function readInfo(r: FileReader): Promise<FlacInfo> {
  let pos = id3v2Length(await r.read(0, 10));
  if (fourcc(await r.read(pos, 4), 0) !== 'fLaC') throw new DecodeError('corrupt', 'FLAC signature missing');
  pos += 4;
  let streamInfo: Uint8Array | undefined;
  let seekPoints: FlacInfo['seekPoints'] = [];
  for (let guard = 0; guard < 1000; guard++) {
    const h = await r.read(pos, 4);
    if (h.length < 4) throw new DecodeError('corrupt', 'FLAC metadata truncated');
    const last = ((h[0] ?? 0) & 0x80) !== 0,
      type = (h[0] ?? 0) & 0x7f;
    const len = ((h[1] ?? 0) << 16) | ((h[2] ?? 0) << 8) | (h[3] ?? 0);
    if (type === 0) streamInfo = await r.read(pos + 4, len);
    else if (type === 3) {
      const body = await r.read(pos + 4, len);
      for (let o = 0; o + 18 <= body.length; o += 18) {
        if (u32be(body, o) === 0xffffffff && u32be(body, o + 4) === 0xffffffff) continue; // placeholder
        seekPoints.push({ sample: u64be(body, o), offset: u64be(body, o + 8) });
      }
    } else if (type === 127) throw new DecodeError('corrupt', 'invalid FLAC metadata block');
    pos += 4 + len;
    if (pos > r.size) throw new DecodeError('corrupt', 'FLAC metadata runs past the end of the file');
    if (last) break;
  }
  if (!streamInfo || streamInfo.length < 34) throw new DecodeError('corrupt', 'FLAC STREAMINFO missing');
  const si = streamInfo;
  const sampleRate = (u32be(si, 10) >>> 12) & 0xfffff;
  const channels = (((si[12] ?? 0) >> 1) & 7) + 1;
  const totalSamples = ((si[13] ?? 0) & 0x0f) * 4294967296 + u32be(si, 14);
  if (!sampleRate) throw new DecodeError('corrupt', 'FLAC STREAMINFO has no sample rate');
  seekPoints = seekPoints.filter((p) => p.offset < r.size).sort((a, b) => a.sample - b.sample);
  return {
    streamInfo: si.subarray(0, 34),
    sampleRate,
    channels,
    totalSamples,
    minBlock: u16be(si, 0),
    maxBlock: u16be(si, 2),
    maxFrame: ((si[7] ?? 0) << 16) | ((si[8] ?? 0) << 8) | (si[9] ?? 0),
    audioStart: pos,
    seekPoints,
  };
}

function crc8(b: Uint8Array, from: number, to: number): number {
  let c = 0;
  for (let i = from; i < to; i++) {
    c ^= b[i] ?? 0;
    for (let k = 0; k < 8; k++) c = c & 0x80 ? ((c << 1) ^ 0x07) & 0xff : (c << 1) & 0xff;
  }
  return c;
}

/** Parses a FLAC frame header at `o`; returns its first sample number, or undefined when it is not one. */
function frameSampleAt(b: Uint8Array, o: number, info: FlacInfo): number | undefined {
  if (b[o] !== 0xff || ((b[o + 1] ?? 0) & 0xfe) !== 0xf8) return undefined;
  const variable = ((b[o + 1] ?? 0) & 1) === 1;
  const bsCode = (b[o + 2] ?? 0) >> 4,
    srCode = (b[o + 2] ?? 0) & 0x0f;
  const chCode = (b[o + 3] ?? 0) >> 4,
    ssCode = ((b[o + 3] ?? 0) >> 1) & 7;
  if (bsCode === 0 || srCode === 15 || chCode > 10 || ssCode === 3 || (b[o + 3] ?? 0) & 1) return undefined;
  let p = o + 4;
  const first = b[p] ?? 0xff;
  let n: number, extra: number;
  if (first < 0x80) {
    n = first;
    extra = 0;
  } else if ((first & 0xe0) === 0xc0) {
    n = first & 0x1f;
    extra = 1;
  } else if ((first & 0xf0) === 0xe0) {
    n = first & 0x0f;
    extra = 2;
  } else if ((first & 0xf8) === 0xf0) {
    n = first & 0x07;
    extra = 3;
  } else if ((first & 0xfc) === 0xf8) {
    n = first & 0x03;
    extra = 4;
  } else if ((first & 0xfe) === 0xfc) {
    n = first & 0x01;
    extra = 5;
  } else if (first === 0xfe) {
    n = 0;
    extra = 6;
  } else return undefined;
  p++;
  for (let i = 0; i < extra; i++) {
    const c = b[p++];
    if (c === undefined || (c & 0xc0) !== 0x80) return undefined;
    n = n * 64 + (c & 0x3f);
  }
  if (bsCode === 6) p += 1;
  else if (bsCode === 7) p += 2;
  if (srCode === 12) p += 1;
  else if (srCode === 13 || srCode === 14) p += 2;
  if (p >= b.length) return undefined;
  if (crc8(b, o, p) !== b[p]) return undefined;
  const sample = variable ? n : n * (info.minBlock === info.maxBlock ? info.maxBlock : info.maxBlock);
  if (info.totalSamples && sample > info.totalSamples) return undefined;
  return sample;
}

/** The first frame at or after `offset`: its byte position and first sample. */
async function frameAfter(r: FileReader, info: FlacInfo, offset: number): Promise<{ pos: number; sample: number } | undefined> {
  const chunk = Math.max(32 * 1024, info.maxFrame * 2);
  for (let base = Math.max(offset, info.audioStart); base < r.size; base += chunk - 32) {
    const b = await r.read(base, chunk);
    for (let i = 0; i + 16 <= b.length || (i < b.length && base + b.length >= r.size); i++) {
      const s = frameSampleAt(b, i, info);
      if (s !== undefined) return { pos: base + i, sample: s };
    }
    if (b.length < chunk) break;
  }
  return undefined;
}

/** A frame starting at or before `target` (and not much earlier): seek table first, then interpolation. */
async function seek(r: FileReader, info: FlacInfo, target: number): Promise<{ pos: number; sample: number }> {
  const start = { pos: info.audioStart, sample: 0 };
  if (target <= 0) return start;
  let lo = start;
  for (const p of info.seekPoints) if (p.sample <= target) lo = { pos: info.audioStart + p.offset, sample: p.sample };
  const closeEnough = info.sampleRate * 2;
  if (target - lo.sample <= closeEnough) {
    // trust but verify: the seek point must land on a frame header
    const f = await frameAfter(r, info, lo.pos);
    if (f && f.pos === lo.pos) return f;
  }
  // Interpolation search between lo (≤ target) and hi (> target).
  let hi = { pos: r.size, sample: info.totalSamples || Number.MAX_SAFE_INTEGER };
  lo = start;
  for (let iter = 0; iter < 24 && target - lo.sample > closeEnough; iter++) {
    const frac = (target - lo.sample) / Math.max(1, hi.sample - lo.sample);
    let guess = lo.pos + Math.floor((hi.pos - lo.pos) * Math.min(0.98, frac)) - info.maxFrame;
    if (guess <= lo.pos) guess = lo.pos + 1;
    const f = await frameAfter(r, info, guess);
    if (!f || f.pos >= hi.pos) {
      if (hi.pos - lo.pos <= Math.max(64 * 1024, info.maxFrame * 4)) break;
      hi = { pos: guess, sample: hi.sample };
      continue;
    }
    if (f.sample <= target) lo = f;
    else hi = f;
  }
  return lo;
}

export async function probeFlac(r: FileReader): Promise<number> {
  const info = await readInfo(r);
  return info.totalSamples / info.sampleRate;
}

export async function decodeFlac(r: FileReader, startSec: number, durationSec: number, signal?: AbortSignal): Promise<ClipPcm> {
  const info = await readInfo(r);
  const sr = info.sampleRate;
  const trackSec = info.totalSamples ? info.totalSamples / sr : Number.POSITIVE_INFINITY;
  const [winStart, winDur] = clampWindow(startSec, durationSec, trackSec);
  const winStartSample = Math.round(winStart * sr),
    winLen = Math.round(winDur * sr);
  const at = await seek(r, info, winStartSample);
  const first = await frameAfter(r, info, at.pos);
  if (!first) throw new DecodeError('corrupt', 'no FLAC frame found');
  throwIfAborted(signal);

  // The decoder gets a minimal stream header (fLaC + STREAMINFO, marked last) and then frames.
  const header = new Uint8Array(4 + 4 + 34);
  header.set([0x66, 0x4c, 0x61, 0x43, 0x80, 0, 0, 34]);
  header.set(info.streamInfo, 8);
  const bytesPerSample = (r.size - info.audioStart) / Math.max(1, info.totalSamples || 1);
  const asm = new ClipAssembler(info.channels, winStartSample, winLen);
  const native = nativeDecoders();
  return flacLock.run(async () => {
    let at2 = first.sample;
    const absorb = (o: { channelData: Float32Array[]; samplesDecoded: number }): void => {
      if (o.samplesDecoded > 0) asm.push(o.channelData, at2);
      at2 += o.samplesDecoded;
    };
    let decode: (bytes: Uint8Array) => Promise<void>;
    let flush: () => Promise<void>;
    let release = (): void => undefined;
    if (native) {
      // libFLAC waits for a frame's worth of bytes past the one it decodes (frames carry no length).
      const flac = native.flac(info.maxFrame > 0 ? info.maxFrame * 2 + 64 : 0);
      const out = packetOutput('flac', info.channels);
      const take = (bytes: Uint8Array, ending: boolean): void => {
        out.clear();
        flac.decode(bytes, out, ending);
        absorb(out.view());
      };
      decode = async (bytes) => take(bytes, false);
      flush = async () => take(new Uint8Array(0), true);
      release = () => flac.close();
    } else {
      const dec = await getFlacDecoder();
      await dec.reset();
      directFlacOutput(dec, info.channels);
      decode = async (bytes) => absorb(await dec.decode(bytes));
      flush = async () => absorb(await dec.flush());
    }
    try {
      await decode(header);
      let pos = first.pos;
      let remaining = winStartSample + winLen - first.sample;
      while (!asm.done && pos < r.size) {
        const want = Math.max(info.maxFrame * 2, Math.ceil(remaining * bytesPerSample * 1.05) + info.maxFrame + 1024);
        const chunk = await r.read(pos, Math.max(16 * 1024, want));
        if (chunk.length === 0) break;
        pos += chunk.length;
        await decode(chunk);
        remaining = winStartSample + winLen - at2;
        throwIfAborted(signal);
      }
      if (!asm.done) await flush();
    } finally {
      release();
    }
    if (asm.filled === 0) throw new DecodeError('corrupt', 'FLAC frames decoded to no audio');
    return {
      channels: asm.result(),
      sampleRate: sr,
      startSec: winStartSample / sr,
      trackDurationSec: Number.isFinite(trackSec) ? trackSec : at2 / sr,
      decoder: native ? 'flac-native' : 'flac-wasm',
    };
  });
}
