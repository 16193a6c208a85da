import { decoder as wmaDecoder, demuxASF } from '@audio/decode-wma';
import { DecodeError, type ClipPcm } from './types.ts';
import type { FileReader } from './reader.ts';
import { ClipAssembler, clampWindow } from './pcm.ts';
import { throwIfAborted, u32le, u64le } from './shared.ts';

const FILE_PROPS = [0xa1, 0xdc, 0xab, 0x8c, 0x47, 0xa9, 0xcf, 0x11, 0x8e, 0xe4, 0x00, 0xc0, 0x0c, 0x20, 0x53, 0x65];
const WMA_TAGS: Record<number, string> = { 0x160: 'wmav1', 0x161: 'wmav2', 0x162: 'wmapro', 0x163: 'wmalossless' };

interface AsfInfo {
  header: Uint8Array; // header object + data object header
  dataStart: number; // first packet
  packetSize: number;
  packets: number;
  prerollMs: number;
  durationSec: number;
  channels: number;
  sampleRate: number;
}

async function readInfo(r: FileReader): Promise<AsfInfo> {
  const h0 = await r.read(0, 30);
  const headerSize = u64le(h0, 16);
  if (headerSize < 30 || headerSize > 64 * 1024 * 1024 || headerSize + 50 > r.size) throw new DecodeError('corrupt', 'ASF header invalid or truncated');
  const header = await r.read(0, headerSize + 50);
  let props = -1;
  for (let i = 30; i + 104 <= header.length && props < 0; i++) if (FILE_PROPS.every((v, k) => header[i + k] === v)) props = i;
  if (props < 0) throw new DecodeError('corrupt', 'ASF file properties missing');
  const packetSize = u32le(header, props + 92);
  const prerollMs = u64le(header, props + 80);
  let asf: ReturnType<typeof demuxASF>;
  try {
    asf = demuxASF(header);
  } catch (e) {
    throw new DecodeError('corrupt', `ASF header: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!WMA_TAGS[asf.formatTag]) throw new DecodeError('no-decoder', `no decoder for ASF audio format 0x${asf.formatTag.toString(16)}`);
  if (!packetSize || packetSize !== u32le(header, props + 96)) throw new DecodeError('no-decoder', 'no decoder for ASF with variable-size packets');
  const dataStart = headerSize + 50;
  const packets = Math.floor((r.size - dataStart) / packetSize);
  return { header, dataStart, packetSize, packets, prerollMs, durationSec: asf.duration, channels: asf.channels, sampleRate: asf.sampleRate };
}

/** WMA v1/v2 frame length for a sample rate (ffmpeg's ff_wma_get_frame_len_bits, v2). */
function wmaFrameLength(sr: number): number {
  return sr <= 16000 ? 512 : sr <= 22050 ? 1024 : 2048;
}

/** Send time (ms) of an ASF data packet. */
function sendTime(p: Uint8Array): number | undefined {
  let pos = 0;
  const ec = p[0] ?? 0;
  if (ec & 0x80) pos = 1 + (ec & 0x0f);
  const flags = p[pos] ?? 0;
  pos += 2;
  const sz = (t: number): number => (t === 3 ? 4 : t);
  pos += sz((flags >> 5) & 3) + sz((flags >> 1) & 3) + sz((flags >> 3) & 3);
  if (pos + 4 > p.length) return undefined;
  return u32le(p, pos);
}

export async function probeAsf(r: FileReader): Promise<number> {
  return (await readInfo(r)).durationSec;
}

export async function decodeAsf(r: FileReader, startSec: number, durationSec: number, signal?: AbortSignal): Promise<ClipPcm> {
  const info = await readInfo(r);
  if (info.packets <= 0) throw new DecodeError('too-short', 'ASF file has no data packets');
  const trackSec = info.durationSec || (info.packets * info.packetSize * 8) / 128000;
  const [winStart, winDur] = clampWindow(startSec, durationSec, trackSec);
  // Packets are fixed-size: estimate by time, then correct by the packets' send times.
  const packetAt = (sec: number): number => Math.max(0, Math.min(info.packets - 1, Math.floor((sec / trackSec) * info.packets)));
  const readPacket = async (i: number): Promise<Uint8Array> => r.read(info.dataStart + i * info.packetSize, info.packetSize);
  let p0 = packetAt(winStart) - 2;
  for (let iter = 0; iter < 4 && p0 > 0; iter++) {
    const t = sendTime(await readPacket(p0));
    if (t === undefined) break;
    const sec = t / 1000;
    if (sec <= winStart - 0.05) break;
    p0 = Math.max(0, p0 - Math.ceil(((sec - winStart) / trackSec) * info.packets) - 2);
  }
  p0 = Math.max(0, p0);
  throwIfAborted(signal);
  const dec = await wmaDecoder();
  try {
    dec.decode(info.header);
    let asm: ClipAssembler | undefined;
    let pos = -1;
    let next = p0;
    while (next < info.packets && !asm?.done) {
      const upto = Math.min(info.packets, Math.max(next + 8, packetAt(winStart + winDur) + 4));
      const bytes = await r.read(info.dataStart + next * info.packetSize, (upto - next) * info.packetSize);
      next = upto;
      for (let i = 0; (i + 1) * info.packetSize <= bytes.length; i++) {
        const pkt = bytes.subarray(i * info.packetSize, (i + 1) * info.packetSize);
        if (pos < 0) {
          // Send times are the payloads' presentation times less the preroll, in ms: the audio
          // lands within a few tens of ms.
          const t = sendTime(pkt);
          if (t === undefined) throw new DecodeError('corrupt', 'ASF packet header invalid');
          // The decoder's output trails the packet's time by one WMA frame (measured: 2048 samples at 44.1 kHz).
          // Send times have 1 ms steps (tens of samples off); the decoder's output starts on a frame
          // boundary, so the nearest multiple of the frame length is the exact position.
          const frameLength = wmaFrameLength(info.sampleRate);
          pos = Math.round(((t / 1000) * info.sampleRate) / frameLength) * frameLength + frameLength;
        }
        let out;
        try {
          out = dec.decode(pkt);
        } catch (e) {
          throw new DecodeError('corrupt', `WMA: ${e instanceof Error ? e.message : String(e)}`);
        }
        const n = out.channelData[0]?.length ?? 0;
        if (!n) continue;
        asm ??= new ClipAssembler(out.channelData.length, Math.round(winStart * out.sampleRate), Math.round(winDur * out.sampleRate));
        if (asm.push(out.channelData, pos)) break;
        pos += n;
      }
      throwIfAborted(signal);
    }
    if (!asm || asm.filled === 0) throw new DecodeError('corrupt', 'WMA packets decoded to no audio');
    return { channels: asm.result(), sampleRate: info.sampleRate, startSec: winStart, trackDurationSec: trackSec, decoder: 'wma-wasm' };
  } finally {
    dec.free();
  }
}
