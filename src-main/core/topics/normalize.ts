/**
 * Tag normalisation: turns the free-form genre / mood / tag strings found in
 * files and data sets into canonical tag tokens for the topic model.
 * The rules are documented in docs/topics.md; in short:
 *
 *  1. Unicode NFKD, combining marks dropped ("Café" → "cafe"), lower case.
 *  2. "&" reads as "and" ("R&B" → "r and b").
 *  3. Every character that is not a letter or a digit is removed, which joins
 *     the words: "Hip-Hop", "hip hop", "HipHop", "hip_hop" → "hiphop";
 *     "Pop/Rock" → "poprock" (one tag, the AllMusic umbrella genre, which
 *     also equals Jamendo's "poprock"); "Comedy/Spoken" → "comedyspoken".
 *  4. A small alias table merges spelling variants, never synonyms:
 *     "randb", "rhythmandblues" → "rnb"; "rockandroll" → "rocknroll";
 *     "drumandbass", "dnb" → "drumnbass"; "1990s" → "90s" (decades 1900s–1990s).
 *  5. Dropped (null): empty results, pure numbers (years, ID3v1 genre codes
 *     like "(17)"), tags shorter than 2 or longer than 40 characters, and the
 *     stop list {@link STOP_TAGS}.
 */

/** Canonical forms that carry no musical information. Compared after steps 1–4. */
export const STOP_TAGS: ReadonlySet<string> = new Set([
  'music',
  'other',
  'others',
  'misc',
  'miscellaneous',
  'unknown',
  'unknowngenre',
  'various',
  'variousartists',
  'genre',
  'none',
  'na',
  'null',
  'undefined',
  'untitled',
  'default',
  'general',
  'favorite',
  'favorites',
  'favourite',
  'favourites',
]);

/** Spelling variants mapped to one canonical tag (applied after joining words). */
export const TAG_ALIASES: ReadonlyMap<string, string> = new Map([
  ['randb', 'rnb'],
  ['rhythmandblues', 'rnb'],
  ['rockandroll', 'rocknroll'],
  ['drumandbass', 'drumnbass'],
  ['dnb', 'drumnbass'],
]);

export const MIN_TAG_LENGTH = 2;
export const MAX_TAG_LENGTH = 40;

const COMBINING_MARKS = /\p{M}+/gu;
const NOT_ALNUM = /[^\p{L}\p{N}]+/gu;
const ALL_DIGITS = /^\p{N}+$/u;
const DECADE_1900S = /^19([0-9]0)s$/;

/** Canonical tag for one raw tag string, or null when it is stop-listed or empty. */
export function normalizeTag(raw: string): string | null {
  let s = raw.normalize('NFKD').replace(COMBINING_MARKS, '').toLowerCase();
  s = s.replace(/&/g, ' and ');
  s = s.replace(NOT_ALNUM, '');
  s = TAG_ALIASES.get(s) ?? s;
  const decade = DECADE_1900S.exec(s);
  if (decade?.[1] !== undefined) s = `${decade[1]}s`;
  if (s.length < MIN_TAG_LENGTH || s.length > MAX_TAG_LENGTH) return null;
  if (ALL_DIGITS.test(s)) return null;
  if (STOP_TAGS.has(s)) return null;
  return s;
}

/**
 * Splits a multi-value tag field into raw tags. Separators: ";", ",", "|",
 * NUL (ID3v2.4 multi-value) and newlines. "/" is NOT a separator: it is part
 * of names such as "Pop/Rock" and "Comedy/Spoken" (see normalizeTag).
 */
export function splitTagList(field: string): string[] {
  return field
    .split(/[;,|\n\r\0]+/)
    .map((t) => t.trim())
    .filter((t) => t.length > 0);
}

/** Normalises raw tags and removes duplicates, keeping first-seen order. */
export function normalizeTags(raws: Iterable<string>): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of raws) {
    const tag = normalizeTag(raw);
    if (tag !== null && !seen.has(tag)) {
      seen.add(tag);
      out.push(tag);
    }
  }
  return out;
}

export interface CategorizedTag {
  /** Canonical tag (normalizeTag output). */
  tag: string;
  /** Source category when the data set has one, e.g. "genre", "instrument", "mood/theme". */
  category?: string;
}

/**
 * Parses a Jamendo (MTG-Jamendo) tag field such as
 * `genre---rock,instrument---guitar,mood/theme---happy`: comma-separated,
 * each `category---tag`. The category prefix is stripped from the tag and
 * kept as `category`; entries without a prefix have no category. Tags are
 * normalised, stop-listed ones dropped, duplicates (first wins) removed.
 */
export function tagsFromJamendo(field: string): CategorizedTag[] {
  const seen = new Set<string>();
  const out: CategorizedTag[] = [];
  for (const entry of field.split(',')) {
    const sep = entry.indexOf('---');
    const rawTag = sep >= 0 ? entry.slice(sep + 3) : entry;
    const tag = normalizeTag(rawTag);
    if (tag === null || seen.has(tag)) continue;
    seen.add(tag);
    const category = sep >= 0 ? entry.slice(0, sep).trim().toLowerCase() : '';
    out.push(category.length > 0 ? { tag, category } : { tag });
  }
  return out;
}
