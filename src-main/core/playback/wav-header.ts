/** The 44-byte header of a canonical 16-bit integer PCM WAV file with `frames` frames. */
export const WAV_HEADER_BYTES = 44;

export function wavHeader(sampleRate: number, channels: number, frames: number): Uint8Array {
  // RIFF sizes are 32-bit: past 4 GiB (about 6.7 h of 44.1 kHz stereo) they say "to the end of the stream".
  const dataBytes = Math.min(frames * channels * 2, 0xffffffff - 36);
  const header = new Uint8Array(WAV_HEADER_BYTES);
  const view = new DataView(header.buffer);
  const ascii = (offset: number, text: string) => {
    for (let i = 0; i < text.length; i++) header[offset + i] = text.charCodeAt(i);
  };
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // integer PCM
  view.setUint16(22, channels, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * channels * 2, true);
  view.setUint16(32, channels * 2, true);
  view.setUint16(34, 16, true);
  ascii(36, 'data');
  view.setUint32(40, dataBytes, true);
  return header;
}

/** Interleaves float channels into 16-bit little-endian samples (a 16-bit source comes back bit-exact). */
export function toInt16Interleaved(channels: Float32Array[], from: number, frames: number): Int16Array {
  const count = channels.length;
  const out = new Int16Array(frames * count);
  for (let c = 0; c < count; c++) {
    const source = channels[c] as Float32Array;
    // `from` may be negative or run past the end: those frames stay silent.
    const first = Math.max(0, -from);
    const end = Math.max(first, Math.min(frames, source.length - from));
    for (let i = first; i < end; i++) {
      const v = Math.round((source[from + i] as number) * 32768);
      out[i * count + c] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
    }
  }
  return out;
}
