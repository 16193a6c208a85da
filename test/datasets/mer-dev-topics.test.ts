/**
 * Topics on a real data set: ../shared/datasets/mer-dev (509 songs with
 * AllMusic genres and moods, in tracks.csv and in the audio files' tags).
 * Fails (never skips) where the data set is absent.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from 'better-sqlite3';
import { requireMerDev } from '../helpers/shared-data.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { openLibraryDatabase } from '../../src-main/core/db/open.ts';
import { scanLibrary } from '../../src-main/core/library/scanner.ts';
import { harvestLibraryTags } from '../../src-main/core/topics/library-tags.ts';
import { fitLibraryTopics, showTopics, trackTopics } from '../../src-main/core/topics/library-topics.ts';
import { mean, npmiCoherence, randomTopicsBaseline } from '../../src-main/core/topics/coherence.ts';
import { docTheta, fitLda, topicSet, topTagIds, topTags } from '../../src-main/core/topics/lda.ts';
import { normalizeTags, splitTagList } from '../../src-main/core/topics/normalize.ts';
import { buildVocabulary } from '../../src-main/core/topics/vocabulary.ts';
import { parseDelimited } from '../../src-main/core/topics/tag-file.ts';

describe('topics on mer-dev (genres + moods)', () => {
  const rows = parseDelimited(readFileSync(path.join(requireMerDev(), 'tracks.csv'), 'utf8'), ',', true).map((r) => r.fields);
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

describe('topics on mer-dev scanned as a library', () => {
  let db: Database;

  beforeAll(async () => {
    const audio = path.join(requireMerDev(), 'audio');
    db = openLibraryDatabase(path.join(tempDir(), 'data'));
    const scan = await scanLibrary(db, { addRoots: [audio] });
    expect(scan.failed).toEqual([]);
  });
  afterAll(() => db?.close());

  it('harvests the AllMusic genres and moods from the files', () => {
    const harvested = harvestLibraryTags(db);
    expect(harvested).toHaveLength(509);
    const tagged = harvested.filter((h) => h.tags.length > 0);
    expect(tagged.length).toBeGreaterThan(500);
    const all = new Set(tagged.flatMap((h) => h.tags));
    for (const tag of ['poprock', 'rnb', 'jazz', 'calm', 'angry', 'happy', 'sad']) expect(all).toContain(tag);
  });

  it('fits 7 topics and gives every tagged song at least one', async () => {
    const result = await fitLibraryTopics(db, { seed: 1 });
    expect(result.k).toBe(7);
    expect(result.tagged).toBe(harvestLibraryTags(db).filter((h) => h.tags.length > 0).length);
    for (const h of harvestLibraryTags(db)) {
      const topics = trackTopics(db, h.trackId);
      if (h.tags.length === 0) expect(topics).toBeNull();
      else expect(topics?.topicSet.length ?? 0, `track ${h.trackId}`).toBeGreaterThanOrEqual(1);
    }
    const shown = showTopics(db);
    expect(shown.map((t) => t.id)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    // Every topic is some song's topic, and the same seed gives the same topics.
    for (const t of shown) expect(t.songs, t.label).toBeGreaterThan(0);
    expect((await fitLibraryTopics(db, { seed: 1 })).fingerprint).toBe(result.fingerprint);
  });
});
