import { DecodeError, type ClipPcm } from './types.ts';
import type { FileReader } from './reader.ts';
import { id3v2Length, parseMpegHeader, type MpegHeader } from './sniff.ts';
import { ClipAssembler, clampWindow } from './pcm.ts';
import { fourcc, getMpegDecoder, mpegLock, throwIfAborted, u16be, u32be } from './shared.ts';
import type { MPEGDecoder } from 'mpg123-decoder';
import { mpegFrames, packetOutput, type MpegFrames } from './wasm-direct.ts';
import { nativeDecoders, NativePackets } from './native.ts';

/** mpg123's synthesis delay (samples) for layer III. */
const DECODER_DELAY_L3 = 529;
/** Frames decoded and discarded before the window: the bit reservoir reaches back ≤ 511 bytes. */
const PREROLL_FRAMES = 10;
/** Frames decoded per call (their output, ≤ 74 k samples per channel, fits the reused buffer without growing). */
const MPEG_BATCH_FRAMES = 64;

interface Mp3Info {
  first: MpegHeader;
  /** byte offset of the first audio frame (after any Xing/Info/VBRI frame) */
  audioStart: number;
  /** byte offset where audio ends (before an ID3v1 / APE tag) */
  audioEnd: number;
  totalFrames: number;
  /** leading samples to drop: encoder delay + decoder delay */
  delay: number;
  /** encoder padding at the end */
  padding: number;
  /** byte position (relative to audioStart) at fraction p (0..1) of the frames: for VBR streams */
  toc?: (p: number) => number;
  /** byte offset the TOC positions are relative to */
  tocBase: number;
  /** inverse of toc: fraction of frames at a byte position */
  tocInv?: (bytes: number) => number;
  cbr: boolean;
}

async function findFirstFrame(
  r: FileReader,
  from: number,
): Promise<{ pos: number; h: MpegHeader; head: Uint8Array } | undefined> {
  // Search up to 256 KiB for two consecutive consistent frame headers.
  const head = await r.read(from, 16 * 1024);
  for (let i = 0; i + 4 <= head.length; i++) {
    const h = parseMpegHeader(head, i);
    if (!h) continue;
    const next = parseMpegHeader(head, i + h.frameLength);
    if (next ? next.key === h.key : i + h.frameLength >= head.length) return { pos: from + i, h, head: head.subarray(i) };
  }
  return undefined;
}

async function readInfo(r: FileReader): Promise<Mp3Info> {
  const start = await r.read(0, 10);
  let from = id3v2Length(start);
  // Some files carry more than one ID3v2 tag.
  for (let k = 0; k < 4 && from + 10 <= r.size; k++) {
    const more = id3v2Length(await r.read(from, 10));
    if (!more) break;
    from += more;
  }
  const ff = await findFirstFrame(r, from);
  if (!ff) throw new DecodeError('corrupt', 'no MPEG audio frames found');
  const { h, head } = ff;
  let audioEnd = r.size;
  if (r.size >= 128) {
    const tail = await r.read(r.size - 128, 128);
    if (fourcc(tail, 0).startsWith('TAG')) audioEnd -= 128;
  }
  const sideInfo = h.version === 1 ? (h.channels === 1 ? 17 : 32) : h.channels === 1 ? 9 : 17;
  const xo = 4 + sideInfo;
  const tag = fourcc(head, xo);
  const layer3 = h.layer === 3;
  let delay = layer3 ? 576 + DECODER_DELAY_L3 : 0;
  let padding = 0;
  let audioStart = ff.pos;
  let totalFrames = 0;
  let toc: Mp3Info['toc'];
  let tocInv: Mp3Info['tocInv'];
  let cbr = true;
  const tocBase = ff.pos;
  if (tag === 'Xing' || tag === 'Info') {
    audioStart = ff.pos + h.frameLength;
    const flags = u32be(head, xo + 4);
    let p = xo + 8;
    if (flags & 1) {
      totalFrames = u32be(head, p);
      p += 4;
    }
    let bytes = audioEnd - ff.pos;
    if (flags & 2) {
      bytes = u32be(head, p) || bytes;
      p += 4;
    }
    if (flags & 4) {
      const t = Array.from(head.subarray(p, p + 100)); // the 100-entry table of contents ends the fields read here
      if (tag === 'Xing' && t.length === 100) {
        cbr = false;
        const pts = [...t.map((v) => (v / 256) * bytes), bytes]; // pts[i]: bytes (from the Xing frame) at i % of the frames
        toc = (frac) => {
          const x = Math.min(100, Math.max(0, frac * 100));
          const i = Math.min(99, Math.floor(x));
          const a = pts[i] ?? 0,
            b = pts[i + 1] ?? bytes;
          return a + (b - a) * (x - i);
        };
        tocInv = (pos) => {
          for (let i = 0; i < 100; i++) {
            const a = pts[i] ?? 0,
              b = pts[i + 1] ?? bytes;
            if (pos <= b) return (i + (b > a ? (pos - a) / (b - a) : 0)) / 100;
          }
          return 1;
        };
      }
    }
    // (flags & 8: a quality indicator follows; nothing after it is read)
    if (tag === 'Xing' && !(flags & 4)) cbr = false;
    if (fourcc(head, xo + 120) === 'LAME' || fourcc(head, xo + 120) === 'Lavc' || fourcc(head, xo + 120) === 'Lavf') {
      const d0 = head[xo + 141] ?? 0,
        d1 = head[xo + 142] ?? 0,
        d2 = head[xo + 143] ?? 0;
      const encDelay = (d0 << 4) | (d1 >> 4);
      padding = ((d1 & 0x0f) << 8) | d2;
      if (layer3) delay = encDelay + DECODER_DELAY_L3;
    }
  } else if (fourcc(head, 36) === 'VBRI') {
    audioStart = ff.pos + h.frameLength;
    cbr = false;
    const bytes = u32be(head, 36 + 10);
    totalFrames = u32be(head, 36 + 14);
    const entries = u16be(head, 36 + 18),
      scale = u16be(head, 36 + 20),
      size = u16be(head, 36 + 22);
    const cum = [0];
    let acc = 0;
    for (let i = 0; i < entries; i++) {
      let v = 0;
      for (let k = 0; k < size; k++) v = v * 256 + (head[36 + 26 + i * size + k] ?? 0);
      acc += v * scale;
      cum.push(acc);
    }
    const total = Math.max(acc, bytes);
    toc = (frac) => {
      const x = frac * entries,
        i = Math.min(entries - 1, Math.floor(x));
      const a = cum[i] ?? 0,
        b = cum[i + 1] ?? total;
      return a + (b - a) * (x - i);
    };
    tocInv = (pos) => {
      for (let i = 0; i < entries; i++) {
        const a = cum[i] ?? 0,
          b = cum[i + 1] ?? total;
        if (pos <= b) return (i + (b > a ? (pos - a) / (b - a) : 0)) / entries;
      }
      return 1;
    };
  }
  if (!totalFrames) {
    // CBR (or VBR without a header: treated as CBR at the first frame's bitrate, as players do).
    const exact = ((h.samplesPerFrame / 8) * (h.bitrateKbps * 1000)) / h.sampleRate;
    totalFrames = Math.max(1, Math.floor((audioEnd - audioStart) / exact));
  }
  return { first: h, audioStart, audioEnd, totalFrames, delay, padding, toc, tocInv, tocBase, cbr };
}

export async function probeMp3(r: FileReader): Promise<number> {
  const info = await readInfo(r);
  return trackSeconds(info);
}

function trackSeconds(info: Mp3Info): number {
  const n = info.totalFrames * info.first.samplesPerFrame - (info.padding ? info.delay - DECODER_DELAY_L3 + info.padding : 0);
  return Math.max(0, n) / info.first.sampleRate;
}

/** Byte position of (and exact or estimated index of) a frame at or before frame index `f`. */
function seekEstimate(info: Mp3Info, f: number): number {
  const { first: h } = info;
  if (info.toc) return info.tocBase + info.toc(f / info.totalFrames);
  const exact = ((h.samplesPerFrame / 8) * (h.bitrateKbps * 1000)) / h.sampleRate;
  return info.audioStart + Math.round(f * exact);
}

function frameIndexAt(info: Mp3Info, pos: number): number {
  const { first: h } = info;
  if (info.tocInv) return Math.round(info.tocInv(pos - info.tocBase) * info.totalFrames);
  const exact = ((h.samplesPerFrame / 8) * (h.bitrateKbps * 1000)) / h.sampleRate;
  return Math.round((pos - info.audioStart) / exact);
}

export async function decodeMp3(r: FileReader, startSec: number, durationSec: number, signal?: AbortSignal): Promise<ClipPcm> {
  const info = await readInfo(r);
  const { first: h } = info;
  const sr = h.sampleRate,
    spf = h.samplesPerFrame;
  const trackSec = trackSeconds(info);
  const [winStart, winDur] = clampWindow(startSec, durationSec, trackSec);
  const winStartSample = Math.round(winStart * sr);
  const winLen = Math.round(winDur * sr);
  // Raw (decoder-output) sample = track sample + delay.
  const rawStart = winStartSample + info.delay;
  const wantFrame = Math.max(0, Math.floor(rawStart / spf) - PREROLL_FRAMES);
  let pos = wantFrame === 0 ? info.audioStart : seekEstimate(info, wantFrame);

  // Sync to a real frame boundary at or after the estimate (two consistent headers in a row).
  let buf = await r.read(pos, 64 * 1024);
  let syncAt = -1;
  for (let i = 0; i + 4 <= buf.length; i++) {
    const a = parseMpegHeader(buf, i);
    if (!a || a.key !== h.key) continue;
    const b = parseMpegHeader(buf, i + a.frameLength);
    if ((b && b.key === h.key) || i + a.frameLength >= buf.length) {
      syncAt = i;
      break;
    }
  }
  if (syncAt < 0) throw new DecodeError('corrupt', `no MPEG frame found near byte ${pos}`);
  pos += syncAt;
  buf = buf.subarray(syncAt);
  const firstIndex = wantFrame === 0 ? 0 : frameIndexAt(info, pos);

  const avgFrameBytes = (info.audioEnd - info.audioStart) / info.totalFrames;
  const framesNeeded = Math.ceil((rawStart + winLen) / spf) - firstIndex + 2;
  const want = Math.ceil(framesNeeded * avgFrameBytes * 1.1) + 4096;
  if (buf.length < want) {
    const more = await r.read(pos + buf.length, Math.min(want, info.audioEnd - pos) - buf.length);
    const joined = new Uint8Array(buf.length + more.length);
    joined.set(buf);
    joined.set(more, buf.length);
    buf = joined;
  }
  throwIfAborted(signal);

  const asm = new ClipAssembler(h.channels, winStartSample, winLen);
  const native = nativeDecoders();
  return mpegLock.run(async () => {
    const mpeg = native ? native.mpeg() : mpegFrames(await resetMpegDecoder());
    try {
      return await decodeFrames(mpeg);
    } finally {
      if (mpeg instanceof NativePackets) mpeg.close();
    }
  });

  async function decodeFrames(mpeg: MpegFrames): Promise<ClipPcm> {
    const out = packetOutput('mpeg', h.channels);
    let frameIdx = firstIndex;
    let fileOff = pos;
    for (;;) {
      const frames: Uint8Array[] = [];
      let p = 0;
      while (p + 4 <= buf.length && frames.length < 2000) {
        const fh = parseMpegHeader(buf, p);
        if (!fh || fh.key !== h.key) {
          p++;
          continue;
        }
        if (p + fh.frameLength > buf.length) break;
        frames.push(buf.subarray(p, p + fh.frameLength));
        p += fh.frameLength;
      }
      if (frames.length === 0) break;
      // In batches of a few dozen frames: the decoded audio passes through one small reused buffer.
      for (let f = 0; f < frames.length && !asm.done; f += MPEG_BATCH_FRAMES) {
        const batch = frames.slice(f, f + MPEG_BATCH_FRAMES);
        out.clear();
        const samples = mpeg.decode(batch, out);
        // mpg123 emits samplesPerFrame per frame from the first frame on (silent while the reservoir fills).
        const absRaw = frameIdx * spf + (batch.length * spf - samples);
        if (samples > 0) asm.push(out.view().channelData, absRaw - info.delay);
        frameIdx += batch.length;
      }
      fileOff += p;
      if (asm.done || fileOff >= info.audioEnd) break;
      throwIfAborted(signal);
      buf = await r.read(
        fileOff,
        Math.max(16 * 1024, Math.ceil(((rawStart + winLen) / spf - frameIdx + 2) * avgFrameBytes * 1.1)),
      );
      if (buf.length < 4) break;
    }
    if (asm.filled === 0) throw new DecodeError('corrupt', 'MPEG frames decoded to no audio');
    return {
      channels: asm.result(),
      sampleRate: sr,
      startSec: winStartSample / sr,
      trackDurationSec: trackSec,
      decoder: native ? 'mpg123-native' : 'mpg123-wasm',
    };
  }
}

async function resetMpegDecoder(): Promise<MPEGDecoder> {
  const dec = await getMpegDecoder();
  await dec.reset();
  return dec;
}
