import type { Database } from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeFixtureLibrary, type FixtureLibrary, type FixtureTrack } from '../../../test/fixtures/library/make-library.ts';
import { tempDir } from '../../../test/helpers/temp-dir.ts';
import { openLibraryDatabase } from '../db/open.ts';
import { scanLibrary } from '../library/scanner.ts';
import type { Progress } from '../jobs/progress.ts';
import {
  addUserTags,
  harvestLibraryTags,
  importTags,
  NoSuchTrackError,
  removeUserTags,
  resolveTrack,
  trackTagInfo,
} from './library-tags.ts';
import {
  currentTopicModel,
  fitLibraryTopics,
  isTopicModelCurrent,
  pruneRareTags,
  showTopics,
  toLdaModel,
  trackTopics,
} from './library-topics.ts';
import { inferTopics } from './lda.ts';
import { normalizeTags } from './normalize.ts';

let lib: FixtureLibrary;
let db: Database;

function storedPath(t: FixtureTrack): string {
  return path.join(lib.root, t.relPathNfc ?? t.relPath).normalize('NFC');
}

function idOf(fixtureId: string): number {
  const t = lib.tracks.find((x) => x.id === fixtureId);
  if (!t) throw new Error(`no fixture track ${fixtureId}`);
  const id = resolveTrack(db, storedPath(t));
  if (id === null) throw new Error(`${fixtureId} not indexed`);
  return id;
}

/** Makes the scanner re-read a file by moving its mtime, then rescans. */
async function touchAndRescan(fixtureId: string): Promise<void> {
  const t = lib.tracks.find((x) => x.id === fixtureId)!;
  const file = path.join(lib.root, t.relPath);
  const later = new Date(Date.now() + 60_000);
  fs.utimesSync(file, later, later);
  const result = await scanLibrary(db);
  expect(result.indexed).toBe(1);
}

beforeAll(async () => {
  lib = await makeFixtureLibrary(path.join(tempDir(), 'music'));
  db = openLibraryDatabase(path.join(tempDir(), 'data'));
  await scanLibrary(db, { addRoots: [lib.root] });
});
afterAll(() => db.close());

describe('library tags', () => {
  it('harvests genres, moods and styles of every track, normalised', () => {
    const harvested = harvestLibraryTags(db);
    expect(harvested).toHaveLength(lib.tracks.length);
    for (const t of lib.tracks) {
      const h = harvested.find((x) => x.trackId === idOf(t.id));
      const expected = normalizeTags([...t.genres, ...t.moods, ...t.styles]);
      expect(new Set(h?.tags), t.id).toEqual(new Set(expected));
      expect(h?.file, t.id).toEqual(h?.tags);
    }
    const hipHop = harvested.find((x) => x.trackId === idOf('m4a-aac'))!;
    expect(lib.tracks.find((t) => t.id === 'm4a-aac')?.genres).toContain('Hip-Hop');
    expect(hipHop.tags).toEqual(expect.arrayContaining(['hiphop', 'jazzrap', 'boombap']));
  });

  it('finds tracks by id or by path (relative to a folder), and not otherwise', () => {
    const id = idOf('ogg-vorbis');
    const t = lib.tracks.find((x) => x.id === 'ogg-vorbis')!;
    expect(resolveTrack(db, String(id))).toBe(id);
    expect(resolveTrack(db, t.relPath, lib.root)).toBe(id);
    expect(resolveTrack(db, 'no/such/file.mp3', lib.root)).toBeNull();
    expect(resolveTrack(db, '999999')).toBeNull();
    expect(() => addUserTags(db, 999999, ['rock'])).toThrow(NoSuchTrackError);
  });

  it('keeps user-added and user-removed tags apart from file tags, across a rescan of the file', async () => {
    const id = idOf('ogg-vorbis');
    const fileTags = trackTagInfo(db, id)!.file;
    expect(fileTags).toContain('folk');

    const added = addUserTags(db, id, ['Late-Night Drive', 'FOLK', 'misc', 'late night drive']);
    expect(added.changed).toEqual(['latenightdrive']);
    expect(added.unchanged).toEqual(['folk']);
    expect(added.ignored).toEqual(['misc']);
    const removed = removeUserTags(db, id, ['Folk', 'shoegaze']);
    expect(removed.changed).toEqual(['folk']);
    expect(removed.unchanged).toEqual(['shoegaze']);

    await touchAndRescan('ogg-vorbis');
    const after = trackTagInfo(db, id)!;
    expect(after.file).toEqual(fileTags); // the file still says Folk …
    expect(after.removed).toEqual(['folk']); // … but the user's removal sticks
    expect(after.user).toEqual(['latenightdrive']); // removing 'folk' also deleted the user's own 'folk'
    expect(after.tags).toContain('latenightdrive');
    expect(after.tags).not.toContain('folk');
    expect(harvestLibraryTags(db).find((h) => h.trackId === id)?.tags).toEqual(after.tags);

    // Removing a user-only tag deletes it without a marker; adding a removed file tag lifts the marker.
    removeUserTags(db, id, ['late night drive']);
    addUserTags(db, id, ['folk']);
    const restored = trackTagInfo(db, id)!;
    expect(restored.removed).toEqual([]);
    expect(restored.tags).toEqual(expect.arrayContaining(['folk']));
    expect(restored.tags).not.toContain('latenightdrive');
  });

  it('imports a CSV keyed by relative paths, reports unmatched rows, and the tags survive a rescan', async () => {
    const t = lib.tracks.find((x) => x.id === 'opus')!;
    const csv = `path,tags\n"${t.relPath}","Shoegaze; Noise-Pop"\nnot/here.mp3,rock\n`;
    const result = importTags(db, csv, { baseDir: lib.root });
    expect(result).toMatchObject({ format: 'csv', keyedBy: 'path', rows: 2, matchedRows: 1, tracks: 1, added: 2 });
    expect(result.unmatched).toEqual([{ line: 3, key: 'not/here.mp3' }]);
    expect(importTags(db, csv, { baseDir: lib.root }).added).toBe(0); // importing again adds nothing new

    await touchAndRescan('opus');
    const info = trackTagInfo(db, idOf('opus'))!;
    expect(info.import).toEqual(['shoegaze', 'noisepop']);
    expect(info.tags).toEqual(expect.arrayContaining(['shoegaze', 'noisepop', ...info.file]));
  });

  it('imports a Last.fm-style file keyed by artist + title, case-insensitively', () => {
    const t = lib.tracks.find((x) => x.id === 'mp3-id3v24')!;
    const tsv =
      'Artist\tTitle\tTag\tCount\n' +
      `${t.artist.toUpperCase()}\t${t.title.toLowerCase()}\tsynthwave\t100\n` +
      `${t.artist}\t${t.title}\t1985\t3\n` +
      'Nobody\tNothing\trock\t1\n';
    const result = importTags(db, tsv);
    expect(result).toMatchObject({ format: 'tsv', keyedBy: 'artist+title', matchedRows: 2, tracks: 1, added: 1, ignoredTags: 1 });
    expect(result.unmatched).toEqual([{ line: 4, key: 'Nobody – Nothing' }]);
    expect(trackTagInfo(db, idOf('mp3-id3v24'))?.import).toEqual(['synthwave']);
    expect(() => importTags(db, 'id,tags\n1,rock\n')).toThrow(/path.*artist/);
  });
});

describe('library topics', () => {
  it('drops rare tags except where a song would lose all of them', () => {
    expect(pruneRareTags([['a', 'x'], ['a'], ['y']], 2)).toEqual([['a'], ['a'], ['y']]);
    expect(() => pruneRareTags([], 0)).toThrow(RangeError);
  });

  it('fits K = 7: every tagged song gets ≥ 1 topic (ids 1..7), untagged songs none; stored and shown', async () => {
    // Make one song untagged: remove every tag it has.
    const untagged = idOf('wma');
    removeUserTags(db, untagged, trackTagInfo(db, untagged)!.tags);
    expect(trackTagInfo(db, untagged)?.tags).toEqual([]);

    const progress: Progress[] = [];
    const result = await fitLibraryTopics(db, { seed: 3, onProgress: (p) => progress.push(p) });
    expect(result).toMatchObject({
      k: 7,
      seed: 3,
      sweeps: 500,
      tracks: lib.tracks.length,
      tagged: lib.tracks.length - 1,
      untagged: 1,
    });
    expect(result.previousFingerprint).toBeNull();
    expect(result.changed).toBe(true);
    expect(progress.at(-1)).toMatchObject({ done: 500, total: 500 });

    const harvested = harvestLibraryTags(db);
    for (const h of harvested) {
      const topics = trackTopics(db, h.trackId);
      if (h.tags.length === 0) {
        expect(topics).toBeNull();
        continue;
      }
      expect(topics, `track ${h.trackId}`).not.toBeNull();
      expect(topics!.topicSet.length).toBeGreaterThanOrEqual(1);
      for (const t of topics!.topicSet) expect(t >= 1 && t <= 7).toBe(true);
      expect(topics!.dominant).toBe(topics!.topicSet[0]);
      expect(topics!.theta).toHaveLength(7);
      expect(topics!.theta.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      expect(Math.max(...topics!.theta)).toBe(topics!.theta[topics!.dominant - 1]);
      expect(topics!.fingerprint).toBe(result.fingerprint);
    }

    const shown = showTopics(db);
    expect(shown).toEqual(result.topics);
    expect(shown.map((t) => t.id)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const setSizes = harvested.reduce((s, h) => s + (trackTopics(db, h.trackId)?.topicSet.length ?? 0), 0);
    expect(shown.reduce((s, t) => s + t.songs, 0)).toBe(setSizes);
    for (const t of shown) {
      expect(t.topTags.length).toBeGreaterThan(0);
      expect(t.label.split(' · ').length).toBe(3);
    }

    const stored = currentTopicModel(db)!;
    expect(stored.fingerprint).toBe(result.fingerprint);
    expect(stored.topicWord).toHaveLength(7 * stored.vocab.length);
    expect(isTopicModelCurrent(db, result.fingerprint)).toBe(true);
    // The stored model folds in a new song's tags.
    const theta = inferTopics(toLdaModel(stored), [stored.vocab.indexOf('jazz')]);
    expect(theta.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  });

  it('is deterministic: the same tags and seed give the same topics; new tags give a new version', async () => {
    const first = await fitLibraryTopics(db, { seed: 3 });
    const again = await fitLibraryTopics(db, { seed: 3 });
    expect(again.fingerprint).toBe(first.fingerprint);
    expect(again.previousFingerprint).toBe(first.fingerprint);
    expect(again.changed).toBe(false);
    expect(again.topics).toEqual(first.topics);
    expect(db.prepare('SELECT COUNT(*) AS n FROM topic_models').get()).toEqual({ n: 1 });

    addUserTags(db, idOf('aiff-id3'), ['Post-Rock', 'Cinematic']);
    addUserTags(db, idOf('wav-riff-info'), ['post rock', 'cinematic']);
    const changed = await fitLibraryTopics(db, { seed: 3 });
    expect(changed.fingerprint).not.toBe(first.fingerprint);
    expect(changed.changed).toBe(true);
    expect(changed.previousFingerprint).toBe(first.fingerprint);
    expect(isTopicModelCurrent(db, first.fingerprint)).toBe(false);
    expect(isTopicModelCurrent(db, changed.fingerprint)).toBe(true);
    expect(currentTopicModel(db)?.vocab).toEqual(expect.arrayContaining(['postrock', 'cinematic']));
  });

  it('does not depend on how a scan numbered the tracks: two scans of the same files give the same topics', async () => {
    const fingerprints: string[] = [];
    for (const concurrency of [1, 8]) {
      const other = openLibraryDatabase(path.join(tempDir(), 'data'));
      try {
        await scanLibrary(other, { addRoots: [lib.root], concurrency });
        fingerprints.push((await fitLibraryTopics(other, { seed: 9 })).fingerprint);
      } finally {
        other.close();
      }
    }
    expect(fingerprints[1]).toBe(fingerprints[0]);
  });

  it('takes K from the options; a cancelled fit stores nothing and keeps the previous topics', async () => {
    const three = await fitLibraryTopics(db, { k: 3, seed: 1 });
    expect(showTopics(db).map((t) => t.id)).toEqual([1, 2, 3]);
    const controller = new AbortController();
    const attempt = fitLibraryTopics(db, {
      seed: 2,
      sweeps: 100_000,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.done >= 10) controller.abort(new Error('stop'));
      },
      progressIntervalMs: 0,
    });
    await expect(attempt).rejects.toThrow('stop');
    expect(currentTopicModel(db)?.fingerprint).toBe(three.fingerprint);
    expect(showTopics(db)).toHaveLength(3);
  });

  it('drops a deleted track’s topics with it', async () => {
    await fitLibraryTopics(db, { seed: 3 });
    const id = idOf('mp3-apev2');
    expect(trackTopics(db, id)).not.toBeNull();
    const before = showTopics(db).reduce((s, t) => s + t.songs, 0);
    db.prepare('DELETE FROM tracks WHERE id = ?').run(id);
    expect(db.prepare('SELECT COUNT(*) AS n FROM track_topics WHERE track_id = ?').get(id)).toEqual({ n: 0 });
    expect(showTopics(db).reduce((s, t) => s + t.songs, 0)).toBeLessThan(before);
  });
});
