const NUL = String.fromCharCode(0);

/**
 * Splits one tag value that holds a list: "A;B", "A / B", "A, B" (and NUL-separated ID3v2.4 values).
 * A slash without spaces is part of a name ("Pop/Rock", "AC/DC"), so it does not split.
 */
export function splitTagList(value: string): string[] {
  return value
    .replaceAll(NUL, ';')
    .split(/;|\s+\/\s+|,\s+|\s*\|\s*/)
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
}

/** Splits every value, trims, and removes case-insensitive duplicates while keeping the first spelling. */
export function normaliseTagValues(values: Iterable<string | number | null | undefined>): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const value of values) {
    if (value === null || value === undefined) continue;
    for (const part of splitTagList(String(value))) {
      const clean = stripId3GenreReference(part);
      if (!clean) continue;
      const key = clean.normalize('NFC').toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(clean.normalize('NFC'));
    }
  }
  return out;
}

/** ID3v1-style "(17)" references survive in some TCON frames; music-metadata resolves most of them. */
function stripId3GenreReference(part: string): string {
  return part.replace(/^\(\d+\)\s*/, '').trim();
}
