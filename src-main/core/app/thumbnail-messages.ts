import type { CallReply } from '../jobs/worker-calls.ts';
// The thumbnail worker's messages and what the host needs of it, without the image decoders (the host
// imports this; only the worker loads cover-thumbnail.ts and its decoders).

/** The longest side of a thumbnail, in pixels (the album grid's 140-px cards at 2× and some). */
export const THUMB_SIZE = 320;

/** Why no thumbnail was made: the picture is small already, of a type not decoded here, or unreadable. */
export type ThumbnailOutcome =
  | { kind: 'thumbnail'; bytes: Uint8Array; width: number; height: number }
  | { kind: 'small' }
  | { kind: 'unsupported' }
  | { kind: 'unreadable'; reason: string };

/**
 * Width and height from a JPEG's or PNG's header (no decoding), or null when it cannot be read: the host
 * serves a picture that is small already without waking the worker.
 */
export function pictureSize(bytes: Uint8Array, mime: string): { width: number; height: number } | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (mime === 'image/png') {
    if (bytes.length < 24 || String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') return null;
    return { width: view.getUint32(16), height: view.getUint32(20) };
  }
  if (mime !== 'image/jpeg' || bytes[0] !== 0xff || bytes[1] !== 0xd8) return null;
  // Walk the marker segments to the first start-of-frame (SOF0–SOF15 but DHT, JPG and DAC).
  let at = 2;
  while (at + 9 < bytes.length) {
    if (bytes[at] !== 0xff) return null;
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc)
      return { width: view.getUint16(at + 7), height: view.getUint16(at + 5) };
    if (marker === 0xd9 || marker === 0xda) return null; // end of image, or the scan before any frame
    at += 2 + view.getUint16(at + 2);
  }
  return null;
}

/** Host → thumbnail worker: make one thumbnail (the bytes are transferred). */
export type ThumbnailRequest =
  { type: 'thumbnail'; id: number; bytes: Uint8Array; mime: string; size: number } | { type: 'close' };

/** Thumbnail worker → host: the outcome, or the error that stopped it (as a value). */
export type ThumbnailReply = CallReply<ThumbnailOutcome>;
