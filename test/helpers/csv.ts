import { parseDelimited } from '../../src-main/core/topics/tag-file.ts';

/** Rows of a CSV file with a header line, as objects keyed by column name (the app's own RFC 4180 reader). */
export function parseCsv(text: string): Record<string, string>[] {
  const [header, ...rows] = parseDelimited(text, ',', true).map((r) => r.fields);
  if (!header) return [];
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
}
