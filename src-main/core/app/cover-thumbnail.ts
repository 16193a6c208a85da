/**
 * Small cover thumbnails for the album grid, the queue and now playing (pure: image bytes in, JPEG bytes
 * out). A cover is often 1,000–3,000 pixels square and 0.3–5 MB: a grid of 120 such pictures decodes
 * hundreds of MB of bitmaps in the renderer. JPEG and PNG are decoded here (jpeg-js, pngjs: pure JS, so
 * the same in Node, the CLI and Electron), shrunk by area averaging (every source pixel counts once, no
 * aliasing) to fit THUMB_SIZE, a PNG's transparency laid over the UI's panel colour, and encoded as JPEG.
 * The decoders are bounded (pixels, memory) so that a hostile picture costs an error, not the process.
 */
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { THUMB_SIZE, type ThumbnailOutcome } from './thumbnail-messages.ts';

/** Pictures beyond this many megapixels are not decoded (a 12,000² picture would take ~600 MB). */
export const THUMB_MAX_MEGAPIXELS = 40;
const JPEG_QUALITY = 82;
/** What a transparent pixel becomes: the UI's panel colour (#1d2027). */
const BACKDROP = [0x1d, 0x20, 0x27] as const;

interface Rgba {
  width: number;
  height: number;
  data: Uint8Array;
}

/** A thumbnail of `bytes` (sniffed `type`, e.g. image/jpeg) fitting `size` × `size`, or why not. */
export function makeThumbnail(bytes: Uint8Array, type: string, size = THUMB_SIZE): ThumbnailOutcome {
  let image: Rgba;
  try {
    if (type === 'image/jpeg') {
      const decoded = jpeg.decode(bytes, {
        useTArray: true,
        formatAsRGBA: true,
        maxResolutionInMP: THUMB_MAX_MEGAPIXELS,
        maxMemoryUsageInMB: 4 * THUMB_MAX_MEGAPIXELS + 64,
      });
      image = { width: decoded.width, height: decoded.height, data: decoded.data };
    } else if (type === 'image/png') {
      const header = pngSize(bytes);
      if (!header) return { kind: 'unreadable', reason: 'not a PNG header' };
      if (header.width * header.height > THUMB_MAX_MEGAPIXELS * 1e6)
        return { kind: 'unreadable', reason: `${header.width} × ${header.height} is over ${THUMB_MAX_MEGAPIXELS} MP` };
      const decoded = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      image = { width: decoded.width, height: decoded.height, data: decoded.data };
    } else return { kind: 'unsupported' };
  } catch (error) {
    return { kind: 'unreadable', reason: error instanceof Error ? error.message : String(error) };
  }
  if (image.width === 0 || image.height === 0) return { kind: 'unreadable', reason: 'an empty picture' };
  if (Math.max(image.width, image.height) <= size) return { kind: 'small' };
  const scale = size / Math.max(image.width, image.height);
  const width = Math.max(1, Math.round(image.width * scale));
  const height = Math.max(1, Math.round(image.height * scale));
  const small = areaAverage(image, width, height);
  const encoded = jpeg.encode({ data: small, width, height }, JPEG_QUALITY);
  return { kind: 'thumbnail', bytes: new Uint8Array(encoded.data), width, height };
}

/** Width and height from a PNG's IHDR (checked before decoding: pngjs would allocate the whole bitmap). */
function pngSize(bytes: Uint8Array): { width: number; height: number } | null {
  if (bytes.length < 24 || bytes[12] !== 0x49 || bytes[13] !== 0x48 || bytes[14] !== 0x44 || bytes[15] !== 0x52) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/**
 * Shrinks `image` to `width` × `height` by averaging each target pixel's footprint in the source (partial
 * source pixels weighted by their overlap), alpha laid over BACKDROP. Returns RGBA, alpha 255.
 */
export function areaAverage(image: Rgba, width: number, height: number): Uint8Array {
  const { width: sw, height: sh, data } = image;
  const fx = sw / width;
  const fy = sh / height;
  // Per target column: the source columns it covers and their weights (the same for every row).
  const columns = spans(sw, width, fx);
  const rows = spans(sh, height, fy);
  const out = new Uint8Array(width * height * 4);
  const acc = new Float64Array(width * 3);
  for (let ty = 0; ty < height; ty++) {
    acc.fill(0);
    const row = rows[ty]!;
    for (let k = 0; k < row.index.length; k++) {
      const wy = row.weight[k]!;
      const base = row.index[k]! * sw * 4;
      for (let tx = 0; tx < width; tx++) {
        const col = columns[tx]!;
        let r = 0;
        let g = 0;
        let b = 0;
        for (let j = 0; j < col.index.length; j++) {
          const p = base + col.index[j]! * 4;
          const w = col.weight[j]!;
          const a = data[p + 3]! / 255;
          r += w * (data[p]! * a + BACKDROP[0] * (1 - a));
          g += w * (data[p + 1]! * a + BACKDROP[1] * (1 - a));
          b += w * (data[p + 2]! * a + BACKDROP[2] * (1 - a));
        }
        acc[tx * 3]! += wy * r;
        acc[tx * 3 + 1]! += wy * g;
        acc[tx * 3 + 2]! += wy * b;
      }
    }
    const norm = 1 / (fx * fy);
    for (let tx = 0; tx < width; tx++) {
      const o = (ty * width + tx) * 4;
      out[o] = Math.min(255, Math.round(acc[tx * 3]! * norm));
      out[o + 1] = Math.min(255, Math.round(acc[tx * 3 + 1]! * norm));
      out[o + 2] = Math.min(255, Math.round(acc[tx * 3 + 2]! * norm));
      out[o + 3] = 255;
    }
  }
  return out;
}

/** For each of `n` targets over `source` pixels (each target `f` source pixels wide): covered pixels and overlaps. */
function spans(source: number, n: number, f: number): { index: Int32Array; weight: Float64Array }[] {
  return Array.from({ length: n }, (_, t) => {
    const start = t * f;
    const end = Math.min(source, (t + 1) * f);
    const first = Math.floor(start);
    const last = Math.min(source - 1, Math.ceil(end) - 1);
    const index = new Int32Array(last - first + 1);
    const weight = new Float64Array(last - first + 1);
    for (let s = first; s <= last; s++) {
      index[s - first] = s;
      weight[s - first] = Math.min(end, s + 1) - Math.max(start, s);
    }
    return { index, weight };
  });
}
