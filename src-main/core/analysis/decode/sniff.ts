/** Containers recognised by content. */
export type ContainerKind = 'mp3' | 'flac' | 'ogg' | 'mp4' | 'wav' | 'aiff' | 'asf' | 'unknown';

const ASF_HEADER_GUID = [0x30, 0x26, 0xb2, 0x75, 0x8e, 0x66, 0xcf, 0x11, 0xa6, 0xd9, 0x00, 0xaa, 0x00, 0x62, 0xce, 0x6c];

function ascii(b: Uint8Array, off: number, len: number): string {
  let s = '';
  for (let i = 0; i < len && off + i < b.length; i++) s += String.fromCharCode(b[off + i] ?? 0);
  return s;
}

/** Length of a leading ID3v2 tag (0 when none). */
export function id3v2Length(b: Uint8Array): number {
  if (b.length < 10 || ascii(b, 0, 3) !== 'ID3') return 0;
  const flags = b[5] ?? 0;
  const size = (((b[6] ?? 0) & 0x7f) << 21) | (((b[7] ?? 0) & 0x7f) << 14) | (((b[8] ?? 0) & 0x7f) << 7) | ((b[9] ?? 0) & 0x7f);
  return 10 + size + (flags & 0x10 ? 10 : 0);
}

/** True when an MPEG audio frame header (layer I-III) starts at `off`. */
export function looksLikeMpegHeader(b: Uint8Array, off: number): boolean {
  const b0 = b[off], b1 = b[off + 1], b2 = b[off + 2];
  if (b0 === undefined || b1 === undefined || b2 === undefined) return false;
  if (b0 !== 0xff || (b1 & 0xe0) !== 0xe0) return false;
  if (((b1 >> 3) & 3) === 1 || ((b1 >> 1) & 3) === 0) return false; // reserved version / layer
  const br = b2 >> 4, sr = (b2 >> 2) & 3;
  return br !== 0 && br !== 15 && sr !== 3;
}

/**
 * Decides the container from the first bytes of a file (at least 64 are useful; 4 KiB lets an
 * mp3 without an ID3 tag be recognised by two consecutive frame headers). A leading ID3v2 tag is
 * skipped when the bytes after it are present; when they are not, an ID3v2 tag means mp3 (or a
 * FLAC with an ID3 tag, which the FLAC reader also accepts).
 */
export function sniffContainer(bytes: Uint8Array): ContainerKind {
  const b = bytes;
  if (b.length < 4) return 'unknown';
  const id3 = id3v2Length(b);
  if (id3 > 0) {
    if (b.length >= id3 + 4) {
      const rest = sniffContainer(b.subarray(id3));
      return rest === 'unknown' ? 'mp3' : rest;
    }
    return 'mp3';
  }
  const m4 = ascii(b, 0, 4);
  if (m4 === 'fLaC') return 'flac';
  if (m4 === 'OggS') return 'ogg';
  if ((m4 === 'RIFF' || m4 === 'RF64') && ascii(b, 8, 4) === 'WAVE') return 'wav';
  if (m4 === 'FORM' && (ascii(b, 8, 4) === 'AIFF' || ascii(b, 8, 4) === 'AIFC')) return 'aiff';
  if (ASF_HEADER_GUID.every((v, i) => b[i] === v)) return 'asf';
  const box = ascii(b, 4, 4);
  const boxSize = (((b[0] ?? 0) << 24) | ((b[1] ?? 0) << 16) | ((b[2] ?? 0) << 8) | (b[3] ?? 0)) >>> 0;
  if (['ftyp', 'moov', 'mdat', 'wide', 'free', 'skip', 'pnot'].includes(box) && (boxSize >= 8 || boxSize <= 1)) return 'mp4';
  // MPEG audio: a frame header, confirmed by a second one where the first frame ends.
  for (let i = 0; i + 4 <= Math.min(b.length, 4096); i++) {
    if (!looksLikeMpegHeader(b, i)) continue;
    const len = mpegFrameLength(b, i);
    if (len <= 0) continue;
    if (i + len + 4 > b.length) return i === 0 ? 'mp3' : 'unknown';
    if (looksLikeMpegHeader(b, i + len) && (((b[i + 1] ?? 0) & 0xfe) === ((b[i + len + 1] ?? 0) & 0xfe))) return 'mp3';
  }
  return 'unknown';
}

const BITRATES: Record<string, number[]> = {
  // [version1?][layer] kbps tables
  'v1l1': [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
  'v1l2': [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  'v1l3': [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  'v2l1': [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
  'v2l2': [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
  'v2l3': [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};
const SAMPLE_RATES = [44100, 48000, 32000];

export interface MpegHeader {
  /** 1, 2 or 2.5 (as 25) */
  version: 1 | 2 | 25;
  layer: 1 | 2 | 3;
  bitrateKbps: number;
  sampleRate: number;
  padding: number;
  channels: number;
  frameLength: number;
  samplesPerFrame: number;
  /** version/layer/sample-rate bits, equal for all frames of a stream */
  key: number;
}

export function parseMpegHeader(b: Uint8Array, off: number): MpegHeader | undefined {
  if (!looksLikeMpegHeader(b, off)) return undefined;
  const b1 = b[off + 1] ?? 0, b2 = b[off + 2] ?? 0, b3 = b[off + 3] ?? 0;
  const vbits = (b1 >> 3) & 3;
  const version: 1 | 2 | 25 = vbits === 3 ? 1 : vbits === 2 ? 2 : 25;
  const layer = (4 - ((b1 >> 1) & 3)) as 1 | 2 | 3;
  const table = BITRATES[`${version === 1 ? 'v1' : 'v2'}l${layer}`];
  const bitrateKbps = table?.[b2 >> 4] ?? 0;
  const base = SAMPLE_RATES[(b2 >> 2) & 3] ?? 0;
  const sampleRate = version === 1 ? base : version === 2 ? base / 2 : base / 4;
  const padding = (b2 >> 1) & 1;
  const channels = (b3 >> 6) === 3 ? 1 : 2;
  let frameLength: number, samplesPerFrame: number;
  if (layer === 1) {
    frameLength = (Math.floor((12 * bitrateKbps * 1000) / sampleRate) + padding) * 4;
    samplesPerFrame = 384;
  } else if (layer === 2 || version === 1) {
    frameLength = Math.floor((144 * bitrateKbps * 1000) / sampleRate) + padding;
    samplesPerFrame = 1152;
  } else {
    frameLength = Math.floor((72 * bitrateKbps * 1000) / sampleRate) + padding;
    samplesPerFrame = 576;
  }
  if (!bitrateKbps || !sampleRate || frameLength < 21) return undefined;
  return { version, layer, bitrateKbps, sampleRate, padding, channels, frameLength, samplesPerFrame, key: (b1 & 0xfe) << 8 | (b2 & 0x0c) };
}

export function mpegFrameLength(b: Uint8Array, off: number): number {
  return parseMpegHeader(b, off)?.frameLength ?? 0;
}
