/**
 * Topics on a real data set: /work/shared/datasets/mer-dev/tracks.csv (509
 * songs with AllMusic genres and moods). Skipped where the data set is absent.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mean, npmiCoherence, randomTopicsBaseline } from './coherence.ts';
import { docTheta, fitLda, topicSet, topTagIds, topTags } from './lda.ts';
import { normalizeTags, splitTagList } from './normalize.ts';
import { buildVocabulary } from './vocabulary.ts';

const FILE = '/work/shared/datasets/mer-dev/tracks.csv';

/** Minimal RFC 4180 reader (quoted fields, doubled quotes). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c !== '"') field += c;
      else if (text[i + 1] === '"') {
        field += '"';
        i++;
      } else quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else if (c !== '\r') field += c;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

describe.skipIf(!existsSync(FILE))('topics on mer-dev (genres + moods)', () => {
  const rows = parseCsv(readFileSync(FILE, 'utf8'));
  const header = rows[0] ?? [];
  const gi = header.indexOf('genres');
  const mi = header.indexOf('moods');
  const raw = rows.slice(1).map((r) => normalizeTags([...splitTagList(r[gi] ?? ''), ...splitTagList(r[mi] ?? '')]));
  const { vocab, docs } = buildVocabulary(raw, { minDocFreq: 2 });
  const model = fitLda(docs, vocab.length, { k: 7, seed: 1 });

  it('reads the data set and normalises AllMusic genres', () => {
    expect(gi).toBeGreaterThanOrEqual(0);
    expect(docs).toHaveLength(509);
    for (const tag of ['poprock', 'rnb', 'comedyspoken', 'stageandscreen', 'newage']) expect(vocab).toContain(tag);
  });

  it('gives every tagged song at least one topic and uses all 7 topics', () => {
    const primary = new Set<number>();
    let tagged = 0;
    docs.forEach((doc, d) => {
      if (doc.length === 0) return;
      tagged++;
      const set = topicSet(docTheta(model, d));
      expect(set.length).toBeGreaterThanOrEqual(1);
      for (const t of set) expect(t >= 0 && t < 7).toBe(true);
      primary.add(set[0]!);
    });
    expect(tagged).toBeGreaterThan(500);
    expect(primary.size).toBe(7);
  });

  it('finds topics more coherent than random topics of the same sizes', () => {
    const ids = topTagIds(model, 10);
    const fitted = mean(npmiCoherence(ids, docs));
    const sizes = ids.map((t) => t.length);
    const pool = [...new Set(ids.flat())];
    const random: number[] = [];
    const shuffled: number[] = [];
    for (let seed = 1; seed <= 10; seed++) {
      random.push(mean(npmiCoherence(randomTopicsBaseline(sizes, vocab.length, { seed }), docs)));
      shuffled.push(mean(npmiCoherence(randomTopicsBaseline(sizes, vocab.length, { seed, pool }), docs)));
    }
    expect(fitted).toBeGreaterThan(0.1);
    expect(fitted).toBeGreaterThan(mean(random) + 0.5);
    expect(fitted).toBeGreaterThan(mean(shuffled) + 0.3);
  });

  it('separates opposite moods', () => {
    const tops = topTags(model, vocab, 10).map((t) => t.map((x) => x.tag));
    const topicOf = (tag: string): number => tops.findIndex((t) => t.includes(tag));
    for (const [a, b] of [
      ['calm', 'angry'],
      ['happy', 'sad'],
    ] as const) {
      expect(topicOf(a), a).toBeGreaterThanOrEqual(0);
      expect(topicOf(b), b).toBeGreaterThanOrEqual(0);
      expect(topicOf(a)).not.toBe(topicOf(b));
    }
  });
});
