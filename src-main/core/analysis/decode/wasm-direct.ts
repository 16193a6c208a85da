import type { FLACDecoder } from '@wasm-audio-decoders/flac';
import type { MPEGDecoder } from 'mpg123-decoder';
import type { OpusDecoder } from 'opus-decoder';
import type { OggVorbisDecoder } from '@wasm-audio-decoders/ogg-vorbis';
import { DecodeError } from './types.ts';

/**
 * Packet-level access to the Vorbis, Opus, MPEG and FLAC WASM decoders, for the clip pipeline. The packages' public
 * calls parse Ogg pages again in JS (codec-parser: Vorbis) and copy every packet's output twice (a slice
 * per channel, then a concatenation per call) before ogg.ts copies it a third time into the clip; here
 * ogg.ts hands over the packets it has already parsed and reads each packet's output straight from the
 * decoder's heap into one reusable buffer. Built on the packages' own instance fields (versions pinned in
 * package-lock.json); `vorbisPackets` / `opusPackets` check that shape and throw when it is not there,
 * so a changed package fails loudly in the decode tests instead of decoding wrongly.
 */

interface HeapArray<T> {
  ptr: number;
  len: number;
  buf: T;
}

interface VorbisInner {
  _common: { wasm: { HEAP: ArrayBuffer; decode_packets(decoder: number): void } };
  _decoder: number;
  _input: HeapArray<Uint8Array>;
  _inputLen: HeapArray<Uint32Array>;
  _outputBufferPtr: HeapArray<Uint32Array>;
  _channels: HeapArray<Uint32Array>;
  _samplesDecoded: HeapArray<Uint32Array>;
  _errorsLength: HeapArray<Int32Array>;
  sendSetupHeader(data: Uint8Array): void;
  initDsp(): void;
}

interface MpegInner {
  _common: {
    wasm: {
      mpeg_decoder_feed(decoder: number, input: number, length: number): number;
      mpeg_decoder_read(
        decoder: number,
        output: number,
        outputLength: number,
        samples: number,
        rate: number,
        error: number,
      ): number;
    };
  };
  _decoder: number;
  _input: HeapArray<Uint8Array>;
  _output: HeapArray<Float32Array>;
  _samplesDecodedPtr: HeapArray<Uint32Array>;
  _sampleRatePtr: HeapArray<Uint32Array>;
  _errorStringPtr: HeapArray<Uint32Array>;
}

interface OpusInner {
  _common: {
    wasm: { opus_frame_decode_float_deinterleaved(decoder: number, input: number, length: number, output: number): number };
  };
  _decoder: number;
  _input: HeapArray<Uint8Array>;
  _output: HeapArray<Float32Array>;
  _outputChannels: number;
}

/** Decoded audio of one or more packets, appended into reusable per-channel buffers. */
export class PacketOutput {
  private buffers: Float32Array[];
  samples = 0;

  constructor(readonly channelCount: number) {
    this.buffers = Array.from({ length: channelCount }, () => new Float32Array(96000));
  }

  clear(): void {
    this.samples = 0;
  }

  /** Room for `n` more samples per channel (grown by doubling, contents kept). */
  reserve(n: number): Float32Array[] {
    const need = this.samples + n;
    if (need > (this.buffers[0]?.length ?? 0)) {
      this.buffers = this.buffers.map((b) => {
        const grown = new Float32Array(Math.max(need, b.length * 2));
        grown.set(b.subarray(0, this.samples));
        return grown;
      });
    }
    return this.buffers;
  }

  /** The samples so far, as views (valid until the next clear / reserve). */
  view(): { channelData: Float32Array[]; samplesDecoded: number } {
    return { channelData: this.buffers.map((b) => b.subarray(0, this.samples)), samplesDecoded: this.samples };
  }
}

const outputs = new Map<string, PacketOutput>();

/**
 * One PacketOutput per decoder and channel count per thread, reused from file to file (empty when
 * returned). Only for use under that decoder's lock: one file at a time decodes through it.
 */
export function packetOutput(decoder: 'mpeg' | 'vorbis' | 'opus' | 'flac' | 'aac', channelCount: number): PacketOutput {
  const key = `${decoder}:${channelCount}`;
  let out = outputs.get(key);
  if (!out) outputs.set(key, (out = new PacketOutput(channelCount)));
  out.clear();
  return out;
}

function shapeError(what: string): never {
  throw new DecodeError('corrupt', `${what}: the WASM decoder package does not have the expected shape (version changed?)`);
}

export interface VorbisPackets {
  /** Identification and setup headers (the comment packet is not needed), then the synthesis is ready. */
  setup(identification: Uint8Array, setup: Uint8Array): void;
  /** Decodes packets, appending their audio to `out`. */
  decode(packets: readonly Uint8Array[], out: PacketOutput): void;
}

// reset() replaces a decoder's WASM instance and its heap arrays, so the fields are read on every call.

export function vorbisPackets(decoder: OggVorbisDecoder): VorbisPackets {
  const inner = (decoder as unknown as { _decoder?: VorbisInner })._decoder;
  if (
    !inner ||
    typeof inner.sendSetupHeader !== 'function' ||
    typeof inner._common?.wasm?.decode_packets !== 'function' ||
    !inner._input
  ) {
    shapeError('vorbis');
  }
  return {
    setup(identification, setup) {
      inner.sendSetupHeader(identification);
      inner.sendSetupHeader(setup);
      inner.initDsp();
    },
    decode(packets, out) {
      const { wasm } = inner._common;
      const { _input: input, _inputLen: inputLen, _samplesDecoded: decoded, _errorsLength: errors } = inner;
      for (const packet of packets) {
        if (packet.length > input.len)
          throw new DecodeError('corrupt', `vorbis packet of ${packet.length} bytes is larger than the decoder takes`);
        input.buf.set(packet);
        inputLen.buf[0] = packet.length;
        wasm.decode_packets(inner._decoder);
        errors.buf[0] = 0; // a damaged packet decodes to what it can, as with the public call
        const n = decoded.buf[0] ?? 0;
        if (n === 0) continue;
        const channels = Math.min(inner._channels.buf[0] ?? 0, out.channelCount);
        if (channels === 0) continue;
        const pointers = new Uint32Array(wasm.HEAP, inner._outputBufferPtr.buf[0] ?? 0, channels);
        const dst = out.reserve(n);
        for (let c = 0; c < out.channelCount; c++) {
          const src = new Float32Array(wasm.HEAP, pointers[Math.min(c, channels - 1)] ?? 0, n);
          (dst[c] as Float32Array).set(src, out.samples);
        }
        out.samples += n;
      }
    },
  };
}

export interface OpusPackets {
  decode(packets: readonly Uint8Array[], out: PacketOutput): void;
}

export function opusPackets(decoder: OpusDecoder<24000>): OpusPackets {
  const inner = decoder as unknown as OpusInner;
  if (
    typeof inner._common?.wasm?.opus_frame_decode_float_deinterleaved !== 'function' ||
    !inner._input ||
    !inner._output ||
    !inner._outputChannels
  ) {
    shapeError('opus');
  }
  return {
    decode(packets, out) {
      const { _common, _input: input, _output: output, _outputChannels: channels } = inner;
      for (const packet of packets) {
        if (packet.length > input.len)
          throw new DecodeError('corrupt', `opus packet of ${packet.length} bytes is larger than the decoder takes`);
        input.buf.set(packet);
        const n = _common.wasm.opus_frame_decode_float_deinterleaved(inner._decoder, input.ptr, packet.length, output.ptr);
        if (n <= 0) continue; // a damaged packet: skipped (its gap stays silent), as the public call does
        const dst = out.reserve(n);
        for (let c = 0; c < out.channelCount; c++) {
          const from = Math.min(c, channels - 1) * n;
          (dst[c] as Float32Array).set(output.buf.subarray(from, from + n), out.samples);
        }
        out.samples += n;
      }
    },
  };
}

export interface MpegFrames {
  /** Decodes whole MPEG frames, appending their audio to `out`; returns the samples appended. */
  decode(frames: readonly Uint8Array[], out: PacketOutput): number;
}

/** mpg123's return codes that are not errors (mpg123.h). */
const MPG123_NEED_MORE = -10;
const MPG123_NEW_FORMAT = -11;

export function mpegFrames(decoder: MPEGDecoder): MpegFrames {
  const inner = decoder as unknown as MpegInner;
  if (
    typeof inner._common?.wasm?.mpeg_decoder_read !== 'function' ||
    !inner._input ||
    !inner._output ||
    !inner._samplesDecodedPtr
  ) {
    shapeError('mpeg');
  }
  return {
    decode(frames, out) {
      const { _common, _input: input, _output: output, _samplesDecodedPtr: decoded } = inner;
      const before = out.samples;
      for (const frame of frames) {
        if (frame.length > input.len)
          throw new DecodeError('corrupt', `MPEG frame of ${frame.length} bytes is larger than the decoder takes`);
        input.buf.set(frame);
        if (_common.wasm.mpeg_decoder_feed(inner._decoder, input.ptr, frame.length) === MPG123_NEED_MORE) continue;
        // A frame yields its samples in one or two reads; a few more only after a format change or an error.
        for (let reads = 0; reads < 8; reads++) {
          decoded.buf[0] = 0;
          const code = _common.wasm.mpeg_decoder_read(
            inner._decoder,
            output.ptr,
            output.len,
            decoded.ptr,
            inner._sampleRatePtr.ptr,
            inner._errorStringPtr.ptr,
          );
          const n = decoded.buf[0] ?? 0;
          if (n > 0) {
            // planar output, two channels (a mono stream is doubled)
            const dst = out.reserve(n);
            for (let c = 0; c < out.channelCount; c++) {
              const from = Math.min(c, 1) * n;
              (dst[c] as Float32Array).set(output.buf.subarray(from, from + n), out.samples);
            }
            out.samples += n;
          }
          if (code === MPG123_NEED_MORE) break;
          if (code !== MPG123_NEW_FORMAT && code !== 0 && n === 0) break; // a damaged frame: skipped, as the public call does
        }
      }
      return out.samples - before;
    },
  };
}

interface FlacInner {
  _common: {
    wasm: { HEAP: ArrayBuffer; decode_frame(decoder: number, input: number, length: number): void; free(ptr: number): void };
    allocateTypedArray(length: number, type: Uint8ArrayConstructor, track: boolean): HeapArray<Uint8Array>;
  };
  _decoder: number;
  _channels: HeapArray<Uint32Array>;
  _samplesDecoded: HeapArray<Uint32Array>;
  _outputBufferPtr: HeapArray<Uint32Array>;
  _outputBufferLen: HeapArray<Uint32Array>;
  decodeFrames(frames: Uint8Array[]): { channelData: Float32Array[]; samplesDecoded: number; errors: unknown[] };
}

const directFlac = new WeakSet<object>();

/**
 * FLAC keeps the package's framing (codec-parser finds the frames, which carry no length), but each frame's
 * output goes from the decoder heap into one reused buffer instead of a slice per channel and frame plus a
 * concatenation per call: the decoder instance's frame call is replaced by one doing that (same decode
 * calls, same order). `decode()` then returns views of that buffer, valid until its next call.
 */
export function directFlacOutput(decoder: FLACDecoder, channelCount: number): void {
  const inner = (decoder as unknown as { _decoder?: FlacInner })._decoder;
  if (
    !inner ||
    typeof inner._common?.wasm?.decode_frame !== 'function' ||
    !inner._outputBufferPtr ||
    typeof inner.decodeFrames !== 'function'
  ) {
    shapeError('flac');
  }
  if (directFlac.has(inner)) return;
  directFlac.add(inner);
  inner.decodeFrames = (frames) => {
    const { _common: common } = inner;
    const out = packetOutput('flac', Math.max(channelCount, inner._channels.buf[0] ?? 0));
    for (const frame of frames) {
      // as the package's own frame call: the input is handed to (and released by) the decoder
      const input = common.allocateTypedArray(frame.length, Uint8Array, false);
      input.buf.set(frame);
      common.wasm.decode_frame(inner._decoder, input.ptr, input.len);
      const n = inner._samplesDecoded.buf[0] ?? 0;
      const channels = inner._channels.buf[0] ?? 0;
      if (n > 0 && channels > 0) {
        const output = new Float32Array(common.wasm.HEAP, inner._outputBufferPtr.buf[0] ?? 0, inner._outputBufferLen.buf[0] ?? 0);
        const dst = out.reserve(n);
        for (let c = 0; c < out.channelCount; c++) {
          const from = Math.min(c, channels - 1) * n;
          (dst[c] as Float32Array).set(output.subarray(from, from + n), out.samples);
        }
        out.samples += n;
      }
      common.wasm.free(inner._outputBufferPtr.buf[0] ?? 0);
      inner._outputBufferLen.buf[0] = 0;
      inner._samplesDecoded.buf[0] = 0;
    }
    return { ...out.view(), errors: [] };
  };
}
