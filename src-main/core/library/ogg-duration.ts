/**
 * An Ogg Vorbis or Opus file's length from its first and last pages, without reading what lies between.
 * music-metadata finds the last granule position by reading every page (57 ms for a 5-minute Opus file,
 * 25× its parse without the length: most of a full-length library's scan); the length is the last page's
 * granule position (less Opus's pre-skip) over the sample rate, so the scanner reads the file's tail.
 * Anything else (chained or multiplexed streams, Ogg FLAC or Speex, a tail without a sound page) answers
 * null, and the caller reads every page as before.
 */

/** The longest an Ogg page can be: a 27-byte header, 255 lacing values, 255 segments of 255 bytes. */
export const MAX_OGG_PAGE = 27 + 255 + 255 * 255;

const CAPTURE = [0x4f, 0x67, 0x67, 0x53]; // "OggS"

export interface OggStreamHead {
  serial: number;
  codec: 'vorbis' | 'opus';
  /** The granule position's rate (Opus: always 48 kHz). */
  granuleRate: number;
  /** Samples at the start that are not played (Opus's pre-skip; 0 for Vorbis). */
  preSkip: number;
}

let crcTable: Uint32Array | undefined;

/** Ogg's CRC-32 (polynomial 0x04c11db7, not reflected, initial value 0) of a page, its CRC field read as 0. */
export function oggPageCrc(page: Uint8Array): number {
  crcTable ??= Uint32Array.from({ length: 256 }, (_, n) => {
    let r = n << 24;
    for (let b = 0; b < 8; b++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    return r >>> 0;
  });
  let crc = 0;
  for (let i = 0; i < page.length; i++) {
    const byte = i >= 22 && i < 26 ? 0 : page[i]!;
    crc = ((crc << 8) ^ crcTable[((crc >>> 24) ^ byte) & 0xff]!) >>> 0;
  }
  return crc;
}

const isCapture = (b: Uint8Array, at: number) => CAPTURE.every((c, k) => b[at + k] === c);

/** The length of the page at `at` when its header and lacing values are in `b`, else null. */
function pageLength(b: Uint8Array, at: number): number | null {
  if (at + 27 > b.length || b[at + 4] !== 0) return null;
  const segments = b[at + 26]!;
  if (at + 27 + segments > b.length) return null;
  let body = 0;
  for (let s = 0; s < segments; s++) body += b[at + 27 + s]!;
  return 27 + segments + body;
}

/** The stream and codec of the file's first page (its identification header), or null when not Vorbis or Opus. */
export function oggStreamHead(head: Uint8Array): OggStreamHead | null {
  if (!isCapture(head, 0)) return null;
  const length = pageLength(head, 0);
  if (length === null || length > head.length) return null;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const serial = view.getUint32(14, true);
  const packet = 27 + head[26]!;
  const text = (at: number, n: number) => String.fromCharCode(...head.subarray(packet + at, packet + at + n));
  if (text(0, 8) === 'OpusHead' && packet + 12 <= length)
    return { serial, codec: 'opus', granuleRate: 48_000, preSkip: view.getUint16(packet + 10, true) };
  if (head[packet] === 1 && text(1, 6) === 'vorbis' && packet + 16 <= length) {
    const rate = view.getUint32(packet + 12, true);
    return rate > 0 ? { serial, codec: 'vorbis', granuleRate: rate, preSkip: 0 } : null;
  }
  return null;
}

/**
 * The granule position of the last sound page in `tail` (the file's last bytes): the last page whose CRC
 * holds and whose granule is set. Null when there is none, or when that page belongs to another stream
 * than `serial` (chained or multiplexed files: their length is not one stream's last granule).
 */
export function lastGranule(tail: Uint8Array, serial: number): bigint | null {
  const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  for (let at = tail.length - 27; at >= 0; at--) {
    if (!isCapture(tail, at)) continue;
    const length = pageLength(tail, at);
    if (length === null || at + length > tail.length) continue;
    const page = tail.subarray(at, at + length);
    if (oggPageCrc(page) !== view.getUint32(at + 22, true)) continue; // "OggS" inside sound data, or damage
    if (view.getUint32(at + 14, true) !== serial) return null;
    const granule = view.getBigInt64(at + 6, true);
    if (granule >= 0n) return granule; // -1: no packet ends on this page
  }
  return null;
}

/** The length in seconds from the file's first page and its last bytes, or null (see above). */
export function oggDuration(head: Uint8Array, tail: Uint8Array): number | null {
  const stream = oggStreamHead(head);
  if (!stream) return null;
  const granule = lastGranule(tail, stream.serial);
  if (granule === null) return null;
  const samples = Number(granule) - stream.preSkip;
  return samples > 0 ? samples / stream.granuleRate : null;
}
