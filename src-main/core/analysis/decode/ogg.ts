import { OpusDecoder } from 'opus-decoder';
import { DecodeError, type ClipPcm } from './types.ts';
import type { FileReader } from './reader.ts';
import { ClipAssembler, clampWindow } from './pcm.ts';
import { fourcc, getVorbisDecoder, throwIfAborted, u16le, u32le, vorbisLock } from './shared.ts';

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
  const lo = u32le(b, o + 6), hi = u32le(b, o + 10);
  const granule = hi === 0xffffffff && lo === 0xffffffff ? -1 : hi * 4294967296 + lo;
  return {
    offset: base + o, length: 27 + nseg + body, flags: b[o + 5] ?? 0, granule, serial: u32le(b, o + 14),
    segments: b.subarray(o + 27, o + 27 + nseg), headerLength: 27 + nseg,
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
function packetsOf(page: Page, bytes: Uint8Array, partial: Uint8Array[] | undefined): { packets: Uint8Array[]; partial: Uint8Array[] | undefined } {
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
  /** bytes of the header pages (fed to the vorbis decoder before any audio page) */
  headerBytes: Uint8Array;
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
  let o = 0, headerEnd = 0;
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
        if (fourcc(id, 1) === 'vorb' && id[0] === 1) { codec = 'vorbis'; need = 3; }
        else if (fourcc(id, 0) === 'Opus' && fourcc(id, 4) === 'Head') { codec = 'opus'; need = 2; }
        else if (id[0] === 0x7f && fourcc(id, 1) === 'FLAC') throw new DecodeError('no-decoder', 'no decoder for flac in ogg');
        else if (fourcc(id, 0) === 'Spee') throw new DecodeError('no-decoder', 'no decoder for speex');
        else throw new DecodeError('no-decoder', 'no decoder for this ogg codec');
      }
    }
    o += p.length;
    headerEnd = o;
  }
  const id = headers[0] as Uint8Array;
  let channels: number, rate: number, preSkip = 0;
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
    codec: codec as OggInfo['codec'], serial, headerBytes: head.slice(0, headerEnd), headerEnd, channels, rate, preSkip,
    opusHead: codec === 'opus' ? id : undefined, lastGranule,
  };
}

/** Byte offset of a page whose granule is ≤ target (bisection over pages). */
async function seekPage(r: FileReader, info: OggInfo, target: number): Promise<number> {
  let lo = info.headerEnd, hi = r.size;
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

const opusDecoders = new Map<string, OpusDecoder>();
let opusTail: Promise<void> = Promise.resolve();

async function getOpus(info: OggInfo): Promise<OpusDecoder> {
  const h = info.opusHead as Uint8Array;
  const family = h[18] ?? 0;
  const opts = family === 0
    ? { channels: info.channels, streamCount: 1, coupledStreamCount: info.channels > 1 ? 1 : 0, channelMappingTable: info.channels > 1 ? [0, 1] : [0], preSkip: 0 }
    : { channels: info.channels, streamCount: h[19] ?? 1, coupledStreamCount: h[20] ?? 0, channelMappingTable: Array.from(h.subarray(21, 21 + info.channels)), preSkip: 0 };
  const key = JSON.stringify(opts);
  let d = opusDecoders.get(key);
  if (!d) {
    d = new OpusDecoder(opts);
    await d.ready;
    opusDecoders.set(key, d);
  } else await d.reset();
  return d;
}

export async function decodeOgg(r: FileReader, startSec: number, durationSec: number, signal?: AbortSignal): Promise<ClipPcm> {
  const info = await readInfo(r);
  const rate = info.rate;
  const trackSec = Math.max(0, info.lastGranule - info.preSkip) / rate;
  const [winStart, winDur] = clampWindow(startSec, durationSec, trackSec);
  const winStartSample = Math.round(winStart * rate), winLen = Math.round(winDur * rate);
  // Opus wants 80 ms of pre-roll to converge; vorbis needs the packet before (one page is plenty).
  const preroll = info.codec === 'opus' ? 3840 : 0;
  const targetGranule = winStartSample + info.preSkip - preroll;
  const startOff = targetGranule <= 0 ? info.headerEnd : await seekPage(r, info, targetGranule);
  throwIfAborted(signal);
  const bytesPerSample = (r.size - info.headerEnd) / Math.max(1, info.lastGranule);
  const asm = new ClipAssembler(info.channels, winStartSample, winLen);

  /**
   * Feeds pages from `startOff` on. Each page's output is placed by granule position: the page's
   * granule is where its last completed packet ends. The vorbis decoder hands a page's audio back
   * one call late (`lag` 1), so outputs are matched to pages through a queue.
   */
  const run = async (
    lag: number,
    decodePage: (bytes: Uint8Array, packets: Uint8Array[]) => Promise<{ channelData: Float32Array[]; samplesDecoded: number }>,
    flush?: () => Promise<{ channelData: Float32Array[]; samplesDecoded: number }>,
  ): Promise<void> => {
    let pos = startOff;
    let partial: Uint8Array[] | undefined = undefined; // undefined: drop a leading continuation
    let prevGranule = -1;
    let reached = Math.max(0, targetGranule);
    const queue: Page[] = [];
    const place = (page: Page, out: { channelData: Float32Array[]; samplesDecoded: number }): void => {
      let n = out.samplesDecoded;
      if (page.granule < 0) return;
      let start = page.granule - n;
      if (page.flags & 4 && prevGranule >= 0) {
        // end trimming: the last page's granule cuts the decoded audio short
        start = prevGranule;
        n = Math.max(0, Math.min(n, page.granule - prevGranule));
      }
      if (n > 0) asm.push(n === out.samplesDecoded ? out.channelData : out.channelData.map((c) => c.subarray(0, n)), start - info.preSkip);
      prevGranule = page.granule;
    };
    while (!asm.done && pos < r.size) {
      const want = Math.ceil((winStartSample + winLen + info.preSkip - reached) * bytesPerSample * 1.1) + 8192;
      const b = await r.read(pos, Math.max(16 * 1024, want));
      const pages = pagesIn(b, pos, info.serial);
      if (pages.length === 0) break;
      for (const page of pages) {
        const bytes = b.subarray(page.offset - pos, page.offset - pos + page.length);
        const got = packetsOf(page, bytes, partial);
        partial = got.partial;
        const out = await decodePage(bytes, got.packets);
        queue.push(page);
        if (page.granule >= 0) reached = page.granule;
        if (queue.length > lag) place(queue.shift() as Page, out);
        if (asm.done) break;
      }
      const last = pages[pages.length - 1] as Page;
      pos = last.offset + last.length;
      throwIfAborted(signal);
    }
    if (!asm.done && flush && queue.length) place(queue.shift() as Page, await flush());
  };

  if (info.codec === 'vorbis') {
    await vorbisLock.run(async () => {
      const dec = await getVorbisDecoder();
      await dec.reset();
      await dec.decode(info.headerBytes);
      await run(1, (bytes) => dec.decode(bytes), () => dec.flush());
    });
  } else {
    const job = opusTail.then(async () => {
      const dec = await getOpus(info);
      await run(0, async (_bytes, packets) => (packets.length ? dec.decodeFrames(packets) : { channelData: [], samplesDecoded: 0 }));
    });
    opusTail = job.catch(() => undefined);
    await job;
  }
  if (asm.filled === 0) throw new DecodeError('corrupt', `${info.codec} pages decoded to no audio`);
  return { channels: asm.result(), sampleRate: rate, startSec: winStartSample / rate, trackDurationSec: trackSec, decoder: info.codec === 'opus' ? 'opus-wasm' : 'vorbis-wasm' };
}
