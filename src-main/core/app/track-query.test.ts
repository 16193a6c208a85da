import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from 'better-sqlite3';
import { tempDir } from '../../../test/helpers/temp-dir.ts';
import { getTracks, listTracks, trackFacets } from './track-query.ts';
import { insertTracks, openTestDb } from './test-db.ts';

function addTopics(db: Database, topicsByTrack: Map<number, number[]>): void {
  const modelId = Number(
    db
      .prepare(
        `INSERT INTO topic_models (fingerprint, k, seed, alpha, beta, sweeps, min_doc_freq, vocab, topic_word, topic_share, labels, top_tags, num_docs, num_tokens, created_at, active)
         VALUES ('f', 7, 1, 0.1, 0.1, 1, 1, '[]', x'', x'', '[]', '[]', 0, 0, 0, 1)`,
      )
      .run().lastInsertRowid,
  );
  const insert = db.prepare("INSERT INTO track_topics (track_id, model_id, theta, topic_set, dominant) VALUES (?, ?, x'', ?, ?)");
  for (const [id, set] of topicsByTrack) insert.run(id, modelId, JSON.stringify(set), set[0]);
}

describe('track queries', () => {
  let db: Database;
  let ids: number[];

  beforeAll(() => {
    db = openTestDb(path.join(tempDir(), 'data'));
    ids = insertTracks(db, [
      {
        path: '/m/a.mp3',
        title: 'Glass Harbor',
        artist: 'Aurora Tide',
        album: 'Lumen',
        duration: 200,
        year: 2019,
        genres: ['Electronic'],
      },
      {
        path: '/m/b.flac',
        title: 'Prélude',
        artist: 'Cello Quartet',
        album: 'Études',
        container: 'FLAC',
        codec: 'FLAC',
        duration: 100,
        genres: ['Classical'],
      },
      {
        path: '/m/c.ogg',
        title: 'barley',
        artist: 'Folk Ensemble',
        container: 'Ogg',
        codec: 'Vorbis I',
        duration: 150,
        year: 2015,
        genres: ['Folk', 'Classical'],
      },
      { path: '/m/d_100%.mp3', title: null, artist: null, duration: null, available: false },
    ]);
    addTopics(
      db,
      new Map([
        [ids[0]!, [2, 5]],
        [ids[2]!, [5]],
      ]),
    );
  });
  afterAll(() => db.close());

  const titles = (q: Parameters<typeof listTracks>[1]) => listTracks(db, q).tracks.map((t) => t.title);

  it('returns a window and the total, sorted with ties broken by id', () => {
    const page = listTracks(db, { offset: 1, limit: 2, sort: { key: 'title', dir: 'asc' } });
    expect(page.total).toBe(4);
    expect(page.offset).toBe(1);
    // Case-insensitive; a track without a title sorts by its path ('/m/d_100%.mp3').
    expect(titles({ offset: 0, limit: 10, sort: { key: 'title', dir: 'asc' } })).toEqual([
      null,
      'barley',
      'Glass Harbor',
      'Prélude',
    ]);
    expect(page.tracks.map((t) => t.title)).toEqual(['barley', 'Glass Harbor']);
    expect(titles({ offset: 0, limit: 10, sort: { key: 'duration', dir: 'desc' } })).toEqual([
      'Glass Harbor',
      'barley',
      'Prélude',
      null,
    ]);
    expect(titles({ offset: 0, limit: 10, sort: { key: 'artist', dir: 'asc' } }).at(-1)).toBeNull(); // missing artist last
    // flac < mp3 (two: ties by id) < ogg
    expect(titles({ offset: 0, limit: 10, sort: { key: 'format', dir: 'asc' } })).toEqual([
      'Prélude',
      'Glass Harbor',
      null,
      'barley',
    ]);
  });

  it('maps rows to the API shape, with the format name and the topics', () => {
    const [glass] = listTracks(db, { offset: 0, limit: 1, search: 'harbor' }).tracks;
    expect(glass).toMatchObject({
      id: ids[0],
      title: 'Glass Harbor',
      format: 'mp3',
      genres: ['Electronic'],
      topics: [2, 5],
      available: true,
      year: 2019,
    });
  });

  it('searches every word across title, artist, album and path, treating % and _ literally', () => {
    expect(titles({ offset: 0, limit: 10, search: 'aurora lumen' })).toEqual(['Glass Harbor']);
    expect(titles({ offset: 0, limit: 10, search: 'aurora classical' })).toEqual([]);
    expect(titles({ offset: 0, limit: 10, search: 'ÉTUDES' })).toEqual(['Prélude']); // SQLite LIKE folds ASCII letters
    expect(listTracks(db, { offset: 0, limit: 10, search: '100%' }).total).toBe(1);
    expect(listTracks(db, { offset: 0, limit: 10, search: 'd_1' }).total).toBe(1);
    expect(listTracks(db, { offset: 0, limit: 10, search: 'a_m' }).total).toBe(0);
  });

  it('filters by format, genre, topic and availability (and combines them)', () => {
    const q = (filter: object) =>
      listTracks(db, { offset: 0, limit: 10, sort: { key: 'title', dir: 'asc' }, filter }).tracks.map((t) => t.title);
    expect(q({ formats: ['flac', 'ogg'] })).toEqual(['barley', 'Prélude']);
    expect(q({ formats: ['wma'] })).toEqual([]);
    expect(q({ genres: ['Classical'] })).toEqual(['barley', 'Prélude']);
    expect(q({ topics: [5] })).toEqual(['barley', 'Glass Harbor']);
    expect(q({ topics: [2] })).toEqual(['Glass Harbor']);
    expect(q({ topics: [5], genres: ['Folk'] })).toEqual(['barley']);
    expect(q({ availability: 'unavailable' })).toEqual([null]);
    expect(q({ availability: 'available' })).toHaveLength(3);
  });

  it('keeps totals and facets only until the library changes', () => {
    const query = { offset: 0, limit: 2, sort: { key: 'artist', dir: 'asc' } } as const;
    const before = listTracks(db, query).total;
    const facets = trackFacets(db).genres.find((g) => g.name === 'Polka')?.count ?? 0;
    const [added] = insertTracks(db, [{ path: '/m/new.mp3', title: 'Late Arrival', artist: 'Zed', genres: ['Polka'] }]);
    expect(listTracks(db, query).total).toBe(before + 1);
    expect(listTracks(db, { ...query, search: 'late arrival' }).tracks.map((t) => t.id)).toEqual([added]);
    expect(trackFacets(db).genres.find((g) => g.name === 'Polka')?.count).toBe(facets + 1);
    db.prepare('DELETE FROM tracks WHERE id = ?').run(added);
    expect(listTracks(db, query).total).toBe(before);
    expect(trackFacets(db).genres.find((g) => g.name === 'Polka')?.count ?? 0).toBe(facets);
  });

  it('gets tracks by id in the order asked, and reports the facets', () => {
    expect(getTracks(db, [ids[2]!, 999, ids[0]!]).map((t) => t.id)).toEqual([ids[2], ids[0]]);
    const facets = trackFacets(db);
    expect(facets.formats).toEqual([
      { name: 'mp3', count: 2 },
      { name: 'flac', count: 1 },
      { name: 'ogg', count: 1 },
    ]);
    expect(facets.genres[0]).toEqual({ name: 'Classical', count: 2 });
  });
});

describe('track queries on 100,000 tracks', () => {
  it('answers a window of a sorted, searched, filtered library quickly', () => {
    const db = openTestDb(path.join(tempDir(), 'big'));
    const genres = ['Rock', 'Jazz', 'Folk', 'Ambient', 'Classical'];
    insertTracks(
      db,
      Array.from({ length: 100_000 }, (_, i) => ({
        path: `/big/artist${i % 997}/album${i % 53}/track${i}.mp3`,
        title: `Song ${i}`,
        artist: `Artist ${i % 997}`,
        album: `Album ${i % 53}`,
        duration: 60 + (i % 300),
        genres: [genres[i % 5]!],
      })),
    );
    const started = performance.now();
    const deep = listTracks(db, { offset: 99_900, limit: 100, sort: { key: 'artist', dir: 'asc' } });
    const searched = listTracks(db, {
      offset: 0,
      limit: 100,
      search: 'artist12 song',
      sort: { key: 'title', dir: 'desc' },
      filter: { genres: ['Jazz'] },
    });
    const elapsed = performance.now() - started;
    expect(deep.total).toBe(100_000);
    expect(deep.tracks).toHaveLength(100);
    expect(searched.total).toBeGreaterThan(0);
    expect(searched.tracks.every((t) => t.genres[0] === 'Jazz' && t.path.includes('artist12'))).toBe(true);
    // Generous bound for a shared CI machine; typically ~0.3 s for both.
    expect(elapsed).toBeLessThan(5000);
    db.close();
  });
});
