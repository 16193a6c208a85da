/**
 * What the renderer's Chromium (and Electron's, which has the same codec set, proprietary codecs
 * included) decodes by itself, decided per track from the container and codec the scanner stored
 * (music-metadata's names), not from the file's extension. Everything else is served transcoded.
 */

/** [container test, codec test] pairs Chromium plays; compared lower-cased. */
const PLAYS: ReadonlyArray<readonly [RegExp, RegExp]> = [
  [/^mpeg$/, /^mpeg [12] layer (3|2)$|^mpeg 2\.5 layer 3$/], // MP3 (and MP2)
  [/^flac$/, /^flac$/], // native FLAC (not FLAC in Ogg)
  [/^ogg$/, /^vorbis i$|^opus$/],
  [/^(m4a|mp4|isom|m4b|3gp|mp42|iso\d)\b/, /^mpeg-4\/aac\b/], // AAC (LC, HE) in MP4
  [/^wave$/, /^pcm$/], // plain integer PCM; WAVE_FORMAT_EXTENSIBLE ("non-PCM (65534)") and ADPCM are not
];

/** True when Chromium plays this track's file as it is. */
export function browserPlays(container: string | null, codec: string | null): boolean {
  const c = (container ?? '').trim().toLowerCase();
  const k = (codec ?? '').trim().toLowerCase();
  return PLAYS.some(([container, codec]) => container.test(c) && codec.test(k));
}
