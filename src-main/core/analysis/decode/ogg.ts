import { OpusDecoder } from 'opus-decoder';
import { DecodeError, type ClipPcm } from './types.ts';
import type { FileReader } from './reader.ts';
import { ClipAssembler, clampWindow } from './pcm.ts';
import { fourcc, getVorbisDecoder, opusLock, throwIfAborted, u16le, u32le, vorbisLock } from './shared.ts';
import { nativeDecoders } from './native.ts';
import { opusPackets, packetOutput, vorbisPackets, type PacketOutput } from './wasm-direct.ts';

/**
 * Opus is decoded at 24 kHz (libopus synthesises at that rate directly, dropping the bands above 12 kHz):
 * the MFCC works at 22,050 Hz and reads nothing above 11 kHz, and half the rate halves the decoder's
 * output, the resampling and the loudness pass. Granule positions stay on Opus's 48 kHz clock.
 */
export const OPUS_OUTPUT_RATE = 24000;

interface Page {
  offset: number;
  length: number;
  flags: number; // 1 continued, 2 BOS, 4 EOS
  granule: number; // -1 when no packet ends on this page
  serial: number;
  /** lacing values */
  segments: Uint8Array;
  headerLength: number;
}

/** Parses the page at `o` of `b` (b holds bytes from file offset `base`); undefined when none or incomplete. */
function pageAt(b: Uint8Array, o: number, base: number): Page | undefined {
  if (o + 27 > b.length || fourcc(b, o) !== 'OggS' || b[o + 4] !== 0) return undefined;
  const nseg = b[o + 26] ?? 0;
  if (o + 27 + nseg > b.length) return undefined;
  let body = 0;
  for (let i = 0; i < nseg; i++) body += b[o + 27 + i] ?? 0;
  const lo = u32le(b, o + 6),
    hi = u32le(b, o + 10);
  const granule = hi === 0xffffffff && lo === 0xffffffff ? -1 : hi * 4294967296 + lo;
  return {
    offset: base + o,
    length: 27 + nseg + body,
    flags: b[o + 5] ?? 0,
    granule,
    serial: u32le(b, o + 14),
    segments: b.subarray(o + 27, o + 27 + nseg),
    headerLength: 27 + nseg,
  };
}

/** All complete pages of one stream in a chunk, starting at the first capture pattern. */
function pagesIn(b: Uint8Array, base: number, serial: number): Page[] {
  const out: Page[] = [];
  let o = 0;
  while (o + 27 <= b.length) {
    const p = pageAt(b, o, base);
    if (!p) {
      o++;
      continue;
    }
    if (o + p.length > b.length) break;
    if (p.serial === serial) out.push(p);
    o += p.length;
  }
  return out;
}

/** Packets completed on a page (a leading continuation is appended to `partial`). */
function packetsOf(
  page: Page,
  bytes: Uint8Array,
  partial: Uint8Array[] | undefined,
): { packets: Uint8Array[]; partial: Uint8Array[] | undefined } {
  const packets: Uint8Array[] = [];
  let acc: Uint8Array[] | undefined = page.flags & 1 ? partial : [];
  let pos = page.headerLength;
  let start = pos;
  for (const lace of page.segments) {
    pos += lace;
    if (lace < 255) {
      const piece = bytes.subarray(start, pos);
      if (acc) {
        acc.push(piece);
        packets.push(acc.length === 1 ? piece : concat(acc));
      }
      acc = [];
      start = pos;
    }
  }
  if (start < pos && acc) acc.push(bytes.subarray(start, pos));
  return { packets, partial: start < pos ? acc : [] };
}

function concat(parts: Uint8Array[]): Uint8Array {
  const n = parts.reduce((s, p) => s + p.length, 0);
  const r = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    r.set(p, o);
    o += p.length;
  }
  return r;
}

interface OggInfo {
  codec: 'vorbis' | 'opus';
  serial: number;
  /** the header packets (identification, comment, setup for vorbis) */
  headerPackets: Uint8Array[];
  headerEnd: number;
  channels: number;
  /** output sample rate; granules count at this rate (48 kHz for opus) */
  rate: number;
  preSkip: number;
  opusHead?: Uint8Array;
  lastGranule: number;
}

async function readInfo(r: FileReader): Promise<OggInfo> {
  let head = await r.read(0, 16 * 1024);
  const first = pageAt(head, 0, 0);
  if (!first) throw new DecodeError('corrupt', 'Ogg page header missing');
  const serial = first.serial;
  let partial: Uint8Array[] | undefined = [];
  const headers: Uint8Array[] = [];
  let o = 0,
    headerEnd = 0;
  let codec: OggInfo['codec'] | undefined;
  let need = 3;
  while (headers.length < need) {
    const p = pageAt(head, o, 0);
    if ((!p || o + p.length > head.length) && head.length < r.size && head.length < 4 * 1024 * 1024) {
      head = await r.read(0, head.length * 4); // large setup header or cover art in the comments
      continue;
    }
    if (!p || o + p.length > head.length) throw new DecodeError('corrupt', 'Ogg headers incomplete or too large');
    if (p.serial === serial) {
      const got = packetsOf(p, head.subarray(o, o + p.length), partial);
      partial = got.partial;
      headers.push(...got.packets);
      const id = headers[0];
      if (id && !codec) {
        if (fourcc(id, 1) === 'vorb' && id[0] === 1) {
          codec = 'vorbis';
          need = 3;
        } else if (fourcc(id, 0) === 'Opus' && fourcc(id, 4) === 'Head') {
          codec = 'opus';
          need = 2;
        } else if (id[0] === 0x7f && fourcc(id, 1) === 'FLAC') throw new DecodeError('no-decoder', 'no decoder for flac in ogg');
        else if (fourcc(id, 0) === 'Spee') throw new DecodeError('no-decoder', 'no decoder for speex');
        else throw new DecodeError('no-decoder', 'no decoder for this ogg codec');
      }
    }
    o += p.length;
    headerEnd = o;
  }
  const id = headers[0] as Uint8Array;
  let channels: number,
    rate: number,
    preSkip = 0;
  if (codec === 'vorbis') {
    channels = id[11] ?? 0;
    rate = u32le(id, 12);
  } else {
    channels = id[9] ?? 0;
    preSkip = u16le(id, 10);
    rate = 48000;
  }
  if (!channels || !rate) throw new DecodeError('corrupt', `${codec} header invalid`);
  // Last granule: scan back from the end for this stream's last page.
  let lastGranule = -1;
  for (let back = 16 * 1024; lastGranule < 0 && back < r.size * 2; back *= 4) {
    const from = Math.max(headerEnd, r.size - back);
    const tail = await r.read(from, r.size - from);
    for (const p of pagesIn(tail, from, serial)) if (p.granule >= 0) lastGranule = p.granule;
    if (from === headerEnd) break;
  }
  if (lastGranule < 0) throw new DecodeError('corrupt', 'Ogg stream has no audio pages');
  return {
    codec: codec as OggInfo['codec'],
    serial,
    headerPackets: headers.map((h) => h.slice()),
    headerEnd,
    channels,
    rate,
    preSkip,
    opusHead: codec === 'opus' ? id : undefined,
    lastGranule,
  };
}

/** Byte offset of a page whose granule is ≤ target (bisection over pages). */
async function seekPage(r: FileReader, info: OggInfo, target: number): Promise<number> {
  let lo = info.headerEnd,
    hi = r.size;
  const chunk = 8 * 1024;
  while (hi - lo > chunk * 4) {
    const mid = lo + Math.floor((hi - lo) / 2);
    const b = await r.read(mid, chunk * 2);
    // Only page headers are needed here (pages can be larger than the probe).
    let page: Page | undefined;
    for (let o = 0; o + 27 <= b.length && !page; o++) {
      const p = b[o] === 0x4f ? pageAt(b, o, mid) : undefined;
      if (p && p.serial === info.serial && p.granule >= 0) page = p;
    }
    if (!page) {
      hi = mid;
      continue;
    }
    if (page.granule <= target) lo = page.offset;
    else hi = mid;
  }
  return lo;
}

export async function probeOgg(r: FileReader): Promise<number> {
  const info = await readInfo(r);
  return Math.max(0, info.lastGranule - info.preSkip) / info.rate;
}

const opusDecoders = new Map<string, OpusDecoder<24000>>();

async function getOpus(info: OggInfo): Promise<OpusDecoder<24000>> {
  const h = info.opusHead as Uint8Array;
  const family = h[18] ?? 0;
  const opts =
    family === 0
      ? {
          channels: info.channels,
          streamCount: 1,
          coupledStreamCount: info.channels > 1 ? 1 : 0,
          channelMappingTable: info.channels > 1 ? [0, 1] : [0],
          preSkip: 0,
        }
      : {
          channels: info.channels,
          streamCount: h[19] ?? 1,
          coupledStreamCount: h[20] ?? 0,
          channelMappingTable: Array.from(h.subarray(21, 21 + info.channels)),
          preSkip: 0,
        };
  const key = JSON.stringify(opts);
  let d = opusDecoders.get(key);
  if (!d) {
    d = new OpusDecoder({ ...opts, sampleRate: OPUS_OUTPUT_RATE });
    await d.ready;
    opusDecoders.set(key, d);
  } else await d.reset();
  return d;
}

export async function decodeOgg(r: FileReader, startSec: number, durationSec: number, signal?: AbortSignal): Promise<ClipPcm> {
  const info = await readInfo(r);
  const rate = info.rate; // the granule clock
  const outRate = info.codec === 'opus' ? OPUS_OUTPUT_RATE : rate;
  const toOut = outRate / rate; // granule units → output samples
  const trackSec = Math.max(0, info.lastGranule - info.preSkip) / rate;
  const [winStart, winDur] = clampWindow(startSec, durationSec, trackSec);
  const winStartSample = Math.round(winStart * outRate),
    winLen = Math.round(winDur * outRate);
  const winStartGranule = Math.round(winStart * rate),
    winLenGranule = Math.round(winDur * rate);
  // Opus wants 80 ms of pre-roll to converge; vorbis needs the packet before (one page is plenty).
  const preroll = info.codec === 'opus' ? 3840 : 0;
  const targetGranule = winStartGranule + info.preSkip - preroll;
  const startOff = targetGranule <= 0 ? info.headerEnd : await seekPage(r, info, targetGranule);
  throwIfAborted(signal);
  const bytesPerSample = (r.size - info.headerEnd) / Math.max(1, info.lastGranule);
  const asm = new ClipAssembler(info.channels, winStartSample, winLen);

  /**
   * Feeds pages from `startOff` on, their packets decoded straight from the pages parsed here. Each page's
   * output is placed by granule position: the page's granule is where its last completed packet ends.
   */
  const run = (out: PacketOutput, decodePackets: (packets: Uint8Array[]) => void): Promise<void> =>
    (async () => {
      let pos = startOff;
      let partial: Uint8Array[] | undefined = undefined; // undefined: drop a leading continuation
      let prevGranule = -1;
      let reached = Math.max(0, targetGranule);
      while (!asm.done && pos < r.size) {
        const want = Math.ceil((winStartGranule + winLenGranule + info.preSkip - reached) * bytesPerSample * 1.1) + 8192;
        const b = await r.read(pos, Math.max(16 * 1024, want));
        const pages = pagesIn(b, pos, info.serial);
        if (pages.length === 0) break;
        for (const page of pages) {
          const got = packetsOf(page, b.subarray(page.offset - pos, page.offset - pos + page.length), partial);
          partial = got.partial;
          out.clear();
          if (got.packets.length) decodePackets(got.packets);
          if (page.granule < 0) continue; // no packet ends here: nothing was decoded
          reached = page.granule;
          let n = out.samples;
          let startGranule = page.granule - n / toOut;
          if (page.flags & 4 && prevGranule >= 0) {
            // end trimming: the last page's granule cuts the decoded audio short
            startGranule = prevGranule;
            n = Math.max(0, Math.min(n, Math.round((page.granule - prevGranule) * toOut)));
          }
          if (n > 0) {
            const { channelData } = out.view();
            asm.push(
              n === out.samples ? channelData : channelData.map((c) => c.subarray(0, n)),
              Math.round((startGranule - info.preSkip) * toOut),
            );
          }
          prevGranule = page.granule;
          if (asm.done) break;
        }
        const last = pages[pages.length - 1] as Page;
        pos = last.offset + last.length;
        throwIfAborted(signal);
      }
    })();

  // Vorbis natively where native/decoders is built; Opus stays WASM (Debian's libopus 1.3.1 measured
  // half the speed of the WASM build: docs/benchmarks.md).
  const native = info.codec === 'vorbis' ? nativeDecoders() : null;
  if (native) {
    // No shared decoder state: a decoder per file, under the lock only for the shared output buffer.
    await vorbisLock.run(async () => {
      const [identification, , setup] = info.headerPackets;
      const vorbis = native.vorbis(identification as Uint8Array, setup as Uint8Array);
      try {
        const out = packetOutput('vorbis', info.channels);
        await run(out, (p) => vorbis.decode(p, out));
      } finally {
        vorbis.close();
      }
    });
  } else if (info.codec === 'vorbis') {
    await vorbisLock.run(async () => {
      const dec = await getVorbisDecoder();
      await dec.reset();
      const vorbis = vorbisPackets(dec);
      const [identification, , setup] = info.headerPackets;
      vorbis.setup(identification as Uint8Array, setup as Uint8Array);
      const out = packetOutput('vorbis', info.channels);
      await run(out, (packets) => vorbis.decode(packets, out));
    });
  } else {
    await opusLock.run(async () => {
      const opus = opusPackets(await getOpus(info));
      const out = packetOutput('opus', info.channels);
      await run(out, (packets) => opus.decode(packets, out));
    });
  }
  if (asm.filled === 0) throw new DecodeError('corrupt', `${info.codec} pages decoded to no audio`);
  return {
    channels: asm.result(),
    sampleRate: outRate,
    startSec: winStartSample / outRate,
    trackDurationSec: trackSec,
    decoder: `${info.codec}-${native ? 'native' : 'wasm'}`,
  };
}
