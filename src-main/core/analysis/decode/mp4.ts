import { decoder as aacDecoder } from '@audio/decode-aac';
import { nativeDecoders, type NativePackets } from './native.ts';
import { packetOutput } from './wasm-direct.ts';
import { DecodeError, type ClipPcm } from './types.ts';
import type { FileReader } from './reader.ts';
import { ClipAssembler, clampWindow } from './pcm.ts';
import { fourcc, throwIfAborted, u16be, u32be, u64be } from './shared.ts';

interface Box {
  type: string;
  start: number; // offset of the body in the buffer
  end: number;
}

function children(b: Uint8Array, from: number, to: number): Box[] {
  const out: Box[] = [];
  let p = from;
  while (p + 8 <= to) {
    let size = u32be(b, p);
    const type = fourcc(b, p + 4);
    let hdr = 8;
    if (size === 1) {
      size = u64be(b, p + 8);
      hdr = 16;
    } else if (size === 0) size = to - p;
    if (size < hdr || p + size > to) break;
    out.push({ type, start: p + hdr, end: p + size });
    p += size;
  }
  return out;
}

function child(b: Uint8Array, box: Box | undefined, type: string, skip = 0): Box | undefined {
  return box ? children(b, box.start + skip, box.end).find((c) => c.type === type) : undefined;
}

interface Track {
  codec: 'aac' | 'alac' | string;
  config: Uint8Array; // ASC or ALAC cookie
  timescale: number;
  channels: number;
  sampleRate: number;
  /** per sample: decode time (timescale units), byte offset, size */
  times: Float64Array;
  offsets: Float64Array;
  sizes: Uint32Array;
  durationTs: number;
  /** media time where presentation starts (edit list), timescale units */
  mediaStart: number;
}

/** ESDS → AudioSpecificConfig (DecoderSpecificInfo, tag 5). */
function ascFromEsds(b: Uint8Array, from: number, to: number): Uint8Array | undefined {
  let p = from + 4; // version/flags
  const readLen = (): number => {
    let n = 0;
    for (let i = 0; i < 4; i++) {
      const c = b[p++] ?? 0;
      n = (n << 7) | (c & 0x7f);
      if (!(c & 0x80)) break;
    }
    return n;
  };
  while (p < to) {
    const tag = b[p++] ?? 0;
    const len = readLen();
    if (tag === 3) {
      p += 2;
      const flags = b[p++] ?? 0;
      if (flags & 0x80) p += 2;
      if (flags & 0x40) p += 1 + (b[p] ?? 0);
      if (flags & 0x20) p += 2;
    } else if (tag === 4) p += 13;
    else if (tag === 5) return b.slice(p, p + len);
    else p += len;
  }
  return undefined;
}

function parseTrack(b: Uint8Array, trak: Box, fileSize: number): Track | undefined {
  const mdia = child(b, trak, 'mdia');
  const hdlr = child(b, mdia, 'hdlr');
  if (!hdlr || fourcc(b, hdlr.start + 8) !== 'soun') return undefined;
  const mdhd = child(b, mdia, 'mdhd');
  if (!mdhd) return undefined;
  const v1 = b[mdhd.start] === 1;
  const timescale = u32be(b, mdhd.start + (v1 ? 20 : 12));
  const stbl = child(b, child(b, mdia, 'minf'), 'stbl');
  const stsd = child(b, stbl, 'stsd');
  if (!stbl || !stsd || !timescale) return undefined;
  const entry = children(b, stsd.start + 8, stsd.end)[0];
  if (!entry) return undefined;
  const sdVersion = u16be(b, entry.start + 8);
  const channels = u16be(b, entry.start + 16);
  const sampleRate = u32be(b, entry.start + 24) / 65536;
  const inner = entry.start + 28 + (sdVersion === 1 ? 16 : sdVersion === 2 ? 36 : 0);
  let codec: string = entry.type;
  let config: Uint8Array | undefined;
  if (entry.type === 'mp4a') {
    const esds =
      children(b, inner, entry.end).find((c) => c.type === 'esds') ??
      children(b, inner, entry.end)
        .flatMap((c) => (c.type === 'wave' ? children(b, c.start, c.end) : []))
        .find((c) => c.type === 'esds');
    if (esds) config = ascFromEsds(b, esds.start, esds.end);
    codec = 'aac';
    if (!config) throw new DecodeError('corrupt', 'AAC track without decoder config');
  } else if (entry.type === 'alac') {
    const a = children(b, inner, entry.end).find((c) => c.type === 'alac');
    if (a) config = b.slice(a.start + 4, a.end);
    codec = 'alac';
    if (!config) throw new DecodeError('corrupt', 'ALAC track without magic cookie');
  }
  // sample table
  const stts = child(b, stbl, 'stts'),
    stsz = child(b, stbl, 'stsz'),
    stsc = child(b, stbl, 'stsc');
  const stco = child(b, stbl, 'stco'),
    co64 = child(b, stbl, 'co64');
  if (!stts || !stsz || !stsc || (!stco && !co64)) throw new DecodeError('corrupt', 'MP4 sample table incomplete');
  const count = u32be(b, stsz.start + 8),
    fixed = u32be(b, stsz.start + 4);
  // Declared counts are bounded by the bytes of their boxes (and a fixed sample size by the file), so a
  // damaged table can neither allocate gigabytes nor walk billions of empty chunks.
  const entries = (box: Box, header: number, width: number) => Math.max(0, Math.floor((box.end - box.start - header) / width));
  if (count > 50_000_000 || (!fixed && count > entries(stsz, 12, 4)) || (fixed > 0 && count > fileSize / fixed)) {
    throw new DecodeError('corrupt', 'MP4 sample table larger than its box or the file');
  }
  const sizes = new Uint32Array(count);
  for (let i = 0; i < count; i++) sizes[i] = fixed || u32be(b, stsz.start + 12 + i * 4);
  const times = new Float64Array(count + 1);
  let t = 0,
    k = 0;
  const sttsN = Math.min(u32be(b, stts.start + 4), entries(stts, 8, 8));
  for (let e = 0; e < sttsN && k < count; e++) {
    const n = u32be(b, stts.start + 8 + e * 8),
      d = u32be(b, stts.start + 12 + e * 8);
    for (let i = 0; i < n && k < count; i++, k++) {
      times[k] = t;
      t += d;
    }
  }
  for (; k <= count; k++) times[k] = t;
  const chunkOff = (i: number): number => (co64 ? u64be(b, co64.start + 8 + i * 8) : u32be(b, (stco as Box).start + 8 + i * 4));
  const nChunks = Math.min(u32be(b, (co64 ?? (stco as Box)).start + 4), entries(co64 ?? (stco as Box), 8, co64 ? 8 : 4));
  const offsets = new Float64Array(count);
  const stscN = Math.min(u32be(b, stsc.start + 4), entries(stsc, 8, 12));
  let s = 0;
  for (let e = 0; e < stscN; e++) {
    const firstChunk = u32be(b, stsc.start + 8 + e * 12) - 1;
    const perChunk = u32be(b, stsc.start + 12 + e * 12);
    const nextFirst = e + 1 < stscN ? u32be(b, stsc.start + 8 + (e + 1) * 12) - 1 : nChunks;
    for (let c = firstChunk; c < nextFirst && s < count; c++) {
      let off = chunkOff(c);
      for (let i = 0; i < perChunk && s < count; i++, s++) {
        offsets[s] = off;
        off += sizes[s] ?? 0;
      }
    }
  }
  // edit list: the first media edit's media_time is where presentation starts (encoder priming)
  let mediaStart = 0;
  const elst = child(b, child(b, trak, 'edts'), 'elst');
  if (elst) {
    const ev1 = b[elst.start] === 1;
    const n = u32be(b, elst.start + 4);
    for (let e = 0, p = elst.start + 8; e < n; e++, p += ev1 ? 20 : 12) {
      const mt = ev1 ? u64be(b, p + 8) : u32be(b, p + 4);
      if (ev1 ? u32be(b, p + 8) === 0xffffffff : mt === 0xffffffff) continue; // empty edit
      mediaStart = mt;
      break;
    }
  }
  return {
    codec,
    config: config ?? new Uint8Array(0),
    timescale,
    channels,
    sampleRate,
    times,
    offsets,
    sizes,
    durationTs: t,
    mediaStart,
  };
}

/** Finds and parses the moov box wherever it is (start or end of the file), reading only box headers on the way. */
async function readTrack(r: FileReader): Promise<Track> {
  let pos = 0;
  let moov: Uint8Array | undefined;
  while (pos + 8 <= r.size) {
    const h = await r.read(pos, 16);
    let size = u32be(h, 0);
    const type = fourcc(h, 4);
    let hdr = 8;
    if (size === 1) {
      size = u64be(h, 8);
      hdr = 16;
    } else if (size === 0) size = r.size - pos;
    if (size < hdr || !/^[\x20-\x7e]{4}$/.test(type)) throw new DecodeError('corrupt', `MP4 box structure broken at byte ${pos}`);
    if (type === 'moov') {
      if (size > 256 * 1024 * 1024) throw new DecodeError('corrupt', 'MP4 moov box too large');
      moov = await r.read(pos + hdr, size - hdr);
      if (moov.length < size - hdr) throw new DecodeError('corrupt', 'MP4 moov box truncated');
      break;
    }
    pos += size;
  }
  if (!moov) throw new DecodeError('corrupt', 'MP4 without a moov box (truncated file?)');
  for (const trak of children(moov, 0, moov.length).filter((c) => c.type === 'trak')) {
    const t = parseTrack(moov, trak, r.size);
    if (t) return t;
  }
  throw new DecodeError('corrupt', 'MP4 without an audio track');
}

export async function probeMp4(r: FileReader): Promise<number> {
  const t = await readTrack(r);
  return Math.max(0, t.durationTs - t.mediaStart) / t.timescale;
}

/** Index of the sample containing media time `ts`. */
function sampleAt(t: Track, ts: number): number {
  let lo = 0,
    hi = t.sizes.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((t.times[mid] ?? 0) <= ts) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The channel configuration of an AudioSpecificConfig (ISO 14496-3 §1.6.2.1); 0 when it is in the PCE. */
export function ascChannels(asc: Uint8Array): number {
  let bit = 0;
  const take = (n: number): number => {
    let v = 0;
    for (let i = 0; i < n; i++, bit++) v = (v << 1) | (((asc[bit >> 3] ?? 0) >> (7 - (bit & 7))) & 1);
    return v;
  };
  if (take(5) === 31) take(6); // escaped object type
  if (take(4) === 15) take(24); // explicit sampling rate
  return take(4);
}

export async function decodeMp4(r: FileReader, startSec: number, durationSec: number, signal?: AbortSignal): Promise<ClipPcm> {
  const t = await readTrack(r);
  if (t.codec !== 'aac' && t.codec !== 'alac') throw new DecodeError('no-decoder', `no decoder for ${t.codec.trim()} in mp4`);
  const n = t.sizes.length;
  if (n === 0) throw new DecodeError('too-short', 'MP4 audio track has no samples');
  const trackSec = Math.max(0, t.durationTs - t.mediaStart) / t.timescale;
  const [winStart, winDur] = clampWindow(startSec, durationSec, trackSec);
  const tsStart = t.mediaStart + winStart * t.timescale,
    tsEnd = tsStart + winDur * t.timescale;
  // AAC: one access unit of pre-roll for the overlap, plus the one FAAD2 withholds.
  const pre = t.codec === 'aac' ? 2 : 0;
  const i0 = Math.max(0, sampleAt(t, tsStart) - pre);
  const i1 = Math.min(n - 1, sampleAt(t, tsEnd) + 1);
  const lo = t.offsets[i0] ?? 0;
  const hi = (t.offsets[i1] ?? 0) + (t.sizes[i1] ?? 0);
  let needed = 0;
  for (let i = i0; i <= i1; i++) needed += t.sizes[i] ?? 0;
  throwIfAborted(signal);
  // Audio-only files keep samples contiguous: one read. Interleaved (video) files: read per sample run.
  const frames: Uint8Array[] = [];
  if (hi - lo <= needed * 2 + 65536) {
    const span = await r.read(lo, hi - lo);
    if (span.length < hi - lo) throw new DecodeError('corrupt', 'MP4 sample data truncated');
    for (let i = i0; i <= i1; i++)
      frames.push(span.subarray((t.offsets[i] ?? 0) - lo, (t.offsets[i] ?? 0) - lo + (t.sizes[i] ?? 0)));
  } else {
    for (let i = i0; i <= i1; i++) {
      const f = await r.read(t.offsets[i] ?? 0, t.sizes[i] ?? 0);
      if (f.length < (t.sizes[i] ?? 0)) throw new DecodeError('corrupt', 'MP4 sample data truncated');
      frames.push(f);
    }
  }
  throwIfAborted(signal);
  // AAC natively where native/decoders is built (mono and stereo; more channels keep the WASM build's
  // channel order); ALAC is JS either way.
  const native = t.codec === 'aac' ? nativeDecoders() : null;
  const nativeAac = native?.aac(t.config);
  if (nativeAac && nativeAac.channels <= 2) {
    try {
      // FAAD2 reports mono as stereo (parametric stereo might follow): the track's own count, as the WASM build
      const channels = Math.min(nativeAac.channels, ascChannels(t.config) || nativeAac.channels);
      return decodeUnits(nativeAac.units, nativeAac.sampleRate, channels);
    } finally {
      nativeAac.units.close();
    }
  }
  nativeAac?.units.close();

  /** The clip from the native decoder: the same placement as the WASM one's below (FAAD2 either way). */
  function decodeUnits(units: NativePackets, rate: number, channels: number): ClipPcm {
    const asm = new ClipAssembler(channels, Math.round(winStart * rate), Math.round(winDur * rate));
    const out = packetOutput('aac', channels);
    for (let k = 0; k < frames.length; k++) {
      out.clear();
      if (!units.decode([frames[k] as Uint8Array], out)) continue;
      const mediaTs = (t.times[i0 + k] ?? 0) - t.mediaStart;
      if (asm.push(out.view().channelData, Math.round((mediaTs / t.timescale) * rate))) break;
    }
    if (asm.filled === 0) throw new DecodeError('corrupt', 'aac frames decoded to no audio');
    return {
      channels: asm.result(),
      sampleRate: rate,
      startSec: asm.start / rate,
      trackDurationSec: trackSec,
      decoder: 'faad2-native',
    };
  }

  const dec = await aacDecoder(t.codec === 'aac' ? { asc: t.config } : { alac: t.config });
  try {
    let asm: ClipAssembler | undefined;
    let rate = 0;
    for (let k = 0; k < frames.length; k++) {
      const out = dec.decode(frames[k] as Uint8Array);
      const got = out.channelData[0]?.length ?? 0;
      if (!got) continue;
      if (!asm) {
        rate = out.sampleRate;
        asm = new ClipAssembler(out.channelData.length, Math.round(winStart * rate), Math.round(winDur * rate));
      }
      // The output of call k lines up with access unit i0+k's decode time (measured on both FAAD2,
      // which returns nothing for the first unit, and ALAC; the edit list removes the priming).
      const mediaTs = (t.times[i0 + k] ?? 0) - t.mediaStart;
      const absStart = Math.round((mediaTs / t.timescale) * rate);
      if (asm.push(out.channelData, absStart)) break;
    }
    if (!asm || asm.filled === 0) throw new DecodeError('corrupt', `${t.codec} frames decoded to no audio`);
    return {
      channels: asm.result(),
      sampleRate: rate,
      startSec: asm.start / rate,
      trackDurationSec: trackSec,
      decoder: t.codec === 'aac' ? 'faad2-wasm' : 'alac-js',
    };
  } finally {
    dec.free();
  }
}
