import { fileTypeFromBuffer } from 'file-type';
import { parseFromTokenizer, type IAudioMetadata, type ITag } from 'music-metadata';
import { fromFile } from 'strtok3';
import { gainTagsOf, type GainTags } from '../loudness/gain-tags.ts';
import { MAX_OGG_PAGE, oggDuration } from './ogg-duration.ts';
import { normaliseTagValues } from './tag-lists.ts';

/** What the scanner stores for one audio file (besides its path and stat). */
export interface TrackMetadata {
  container: string;
  codec: string;
  duration: number | null;
  sampleRate: number | null;
  channels: number | null;
  bitrate: number | null;
  title: string | null;
  artist: string | null;
  album: string | null;
  albumArtist: string | null;
  trackNo: number | null;
  discNo: number | null;
  year: number | null;
  genres: string[];
  moods: string[];
  /** Other descriptive tags, e.g. { style: [...], grouping: [...] }. */
  otherTags: Record<string, string[]>;
  /** ReplayGain / R128 levelling tags (null where absent). */
  gainTags: GainTags;
}

export class NotAudioError extends Error {}

/** Native tag ids (lower-cased) that carry moods, styles or groupings, per tag system. */
const MOOD_IDS = new Set(['tmoo', 'txxx:mood', 'mood', '----:com.apple.itunes:mood', 'wm/mood']);
const STYLE_IDS = new Set(['txxx:style', 'style', '----:com.apple.itunes:style', 'wm/style']);
const GROUPING_IDS = new Set(['tit1', 'grp1', '©grp', 'grouping', 'wm/contentgroupdescription']);
const GENRE_IDS = new Set(['genre', 'wm/genre', '©gen', 'ignr']);

/** How many leading bytes the content sniffer looks at (file-type's own window). */
const SNIFF_BYTES = 4100;

/**
 * Parses one file by its content (not its extension) and returns its metadata.
 * Throws NotAudioError when the content is not audio, or parses but holds no audio stream.
 * `file` may be a Buffer for names that are not valid UTF-8.
 */
export async function readTrackMetadata(file: string | Buffer, signal?: AbortSignal): Promise<TrackMetadata> {
  // strtok3 hands the path to fs.open, which takes raw-byte (Buffer) paths as well.
  const tokenizer = await fromFile(file as string, signal ? { abortSignal: signal } : {});
  try {
    if (tokenizer.fileInfo.size === 0) throw new NotAudioError('empty file (0 bytes)');
    const head = new Uint8Array(SNIFF_BYTES);
    const got = await tokenizer.peekBuffer(head, { mayBeLess: true });
    const sniffed = await fileTypeFromBuffer(head.subarray(0, got), { mpegOffsetTolerance: 10 });
    if (sniffed && !isAudioContainerMime(sniffed.mime)) {
      throw new NotAudioError(`not an audio file: the content is ${sniffed.mime}`);
    }
    // A sniffed MIME type wins over the extension, so an Ogg file named .mp3 is parsed as Ogg.
    tokenizer.fileInfo.mimeType = sniffed?.mime;
    // The first parse skips music-metadata's `duration` pass, which reads the whole file for some formats:
    // an exact MPEG length means every frame (the Xing/VBRI header or the CBR estimate is enough here:
    // analysis measures the real length); Ogg's is its last page's, read from the file's tail instead
    // (ogg-duration.ts); MP4 and FLAC state theirs in their headers (20.0 → 13.8 and 2.6 → 1.4 ms per
    // full-length file). Where that gives no length, the file is read again with the pass, as before.
    const mpeg = sniffed?.mime === 'audio/mpeg';
    try {
      let meta = await parseFromTokenizer(tokenizer, { skipCovers: true, duration: false });
      if (sniffed?.mime.startsWith('audio/ogg') === true) {
        const seconds = await oggTailDuration(tokenizer, head.subarray(0, got));
        if (seconds !== null) {
          const bitrate = meta.format.bitrate ?? (8 * tokenizer.fileInfo.size) / seconds;
          meta = { ...meta, format: { ...meta.format, duration: seconds, bitrate } };
        }
      }
      if (!mpeg && !((meta.format.duration ?? 0) > 0)) return await readWithDurationPass(file, sniffed?.mime, signal);
      return toTrackMetadata(meta);
    } catch (error) {
      // Without a recognised signature the extension chose the parser; its complaint is not the real story.
      if (!sniffed && !isIoError(error)) throw new NotAudioError('not an audio file: its content matches no known audio format');
      throw error;
    }
  } finally {
    await tokenizer.close();
  }
}

/** The Ogg file's length from its first page and its last MAX_OGG_PAGE bytes (null: ogg-duration.ts cannot tell). */
async function oggTailDuration(tokenizer: Awaited<ReturnType<typeof fromFile>>, head: Uint8Array): Promise<number | null> {
  const size = tokenizer.fileInfo.size;
  const tail = new Uint8Array(Math.min(size, MAX_OGG_PAGE));
  await tokenizer.readBuffer(tail, { position: size - tail.length });
  return oggDuration(head, tail);
}

/** The slow way, where the headers and the tail gave no length: music-metadata's duration pass. */
async function readWithDurationPass(
  file: string | Buffer,
  mime: string | undefined,
  signal?: AbortSignal,
): Promise<TrackMetadata> {
  const tokenizer = await fromFile(file as string, signal ? { abortSignal: signal } : {});
  try {
    tokenizer.fileInfo.mimeType = mime;
    return toTrackMetadata(await parseFromTokenizer(tokenizer, { skipCovers: true, duration: true }));
  } finally {
    await tokenizer.close();
  }
}

function isIoError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code);
}

function isAudioContainerMime(mime: string): boolean {
  return (
    mime.startsWith('audio/') ||
    mime === 'video/mp4' ||
    mime === 'video/x-ms-asf' ||
    mime === 'application/ogg' ||
    mime === 'video/ogg'
  );
}

export function toTrackMetadata(meta: IAudioMetadata): TrackMetadata {
  const { format, common } = meta;
  const container = format.container?.trim();
  const codec = format.codec?.trim();
  const hasAudio =
    Boolean(codec) || (format.numberOfSamples ?? 0) > 0 || (format.duration ?? 0) > 0 || (format.sampleRate ?? 0) > 0;
  if (!container || !hasAudio) throw new NotAudioError('no audio stream found');
  const native = nativeTagsByKind(meta.native);
  const year = common.year ?? (common.date ? Number.parseInt(common.date, 10) : undefined);
  return {
    container,
    codec: codec ?? 'unknown',
    duration: finiteOrNull(format.duration),
    sampleRate: finiteOrNull(format.sampleRate),
    channels: finiteOrNull(format.numberOfChannels),
    bitrate: finiteOrNull(format.bitrate),
    title: textOrNull(common.title),
    artist: textOrNull(common.artist),
    album: textOrNull(common.album),
    albumArtist: textOrNull(common.albumartist),
    trackNo: finiteOrNull(common.track?.no ?? undefined),
    discNo: finiteOrNull(common.disk?.no ?? undefined),
    year: finiteOrNull(year),
    genres: genresWithoutStyles(common.genre ?? [], native),
    moods: normaliseTagValues([...native.mood, ...(common.mood ? [common.mood] : [])]),
    otherTags: pruneEmpty({
      style: normaliseTagValues(native.style),
      grouping: normaliseTagValues([...native.grouping, ...(common.grouping ? [common.grouping] : [])]),
    }),
    gainTags: gainTagsOf(meta),
  };
}

/**
 * music-metadata's common.genre resolves ID3 genre references ("(17)") but also folds STYLE fields in;
 * a style stays a style unless a genre field names it too.
 */
function genresWithoutStyles(commonGenres: string[], native: NativeKinds): string[] {
  const key = (v: string) => v.normalize('NFC').toLowerCase();
  const styles = new Set(normaliseTagValues(native.style).map(key));
  const nativeGenres = new Set(normaliseTagValues(native.genre).map(key));
  const fromCommon = normaliseTagValues(commonGenres).filter((g) => !styles.has(key(g)) || nativeGenres.has(key(g)));
  return normaliseTagValues([...fromCommon, ...native.genre]);
}

interface NativeKinds {
  genre: string[];
  mood: string[];
  style: string[];
  grouping: string[];
}

function nativeTagsByKind(native: Record<string, ITag[]>): NativeKinds {
  const kinds: NativeKinds = { genre: [], mood: [], style: [], grouping: [] };
  for (const tags of Object.values(native)) {
    for (const tag of tags) {
      const id = tag.id.toLowerCase();
      const values = tagText(tag.value);
      if (values.length === 0) continue;
      if (MOOD_IDS.has(id)) kinds.mood.push(...values);
      else if (STYLE_IDS.has(id)) kinds.style.push(...values);
      else if (GROUPING_IDS.has(id)) kinds.grouping.push(...values);
      else if (GENRE_IDS.has(id)) kinds.genre.push(...values);
    }
  }
  return kinds;
}

/** Tag values come as strings, string arrays, or objects with a `text`/`description`. */
function tagText(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(tagText);
  if (value && typeof value === 'object' && 'text' in value && typeof value.text === 'string') return [value.text];
  return [];
}

function pruneEmpty(record: Record<string, string[]>): Record<string, string[]> {
  return Object.fromEntries(Object.entries(record).filter(([, list]) => list.length > 0));
}

function textOrNull(value: string | undefined): string | null {
  const trimmed = value?.normalize('NFC').trim();
  return trimmed ? trimmed : null;
}

function finiteOrNull(value: number | undefined | null): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
