/**
 * Mono is the mean of the channels, sample by sample. Channels shorter than the
 * longest count as zeros past their end. No channels → empty output.
 */
export function downmixToMono(channels: readonly Float32Array[]): Float32Array {
  const first = channels[0];
  if (first === undefined) return new Float32Array(0);
  if (channels.length === 1) return first.slice();
  let len = 0;
  for (const ch of channels) len = Math.max(len, ch.length);
  const out = new Float32Array(len);
  const second = channels[1];
  if (channels.length === 2 && second !== undefined && first.length === len && second.length === len) {
    for (let i = 0; i < len; i++) out[i] = 0.5 * ((first[i] ?? 0) + (second[i] ?? 0));
    return out;
  }
  const acc = new Float64Array(len);
  for (const ch of channels) {
    for (let i = 0; i < ch.length; i++) acc[i] = (acc[i] ?? 0) + (ch[i] ?? 0);
  }
  const inv = 1 / channels.length;
  for (let i = 0; i < len; i++) out[i] = (acc[i] ?? 0) * inv;
  return out;
}
