import type { Database } from 'better-sqlite3';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/helpers/temp-dir.ts';
import { openLibraryDatabase } from '../db/open.ts';
import { selectBackend } from '../model/backend.ts';
import { Network } from '../model/network.ts';
import { embedUsers } from '../model/step.ts';
import { syntheticDataset, writeSyntheticLibrary } from '../model/synthetic.ts';
import { startTrainJob } from '../model/train-job.ts';
import { distanceScorer } from './distance-kernel.ts';
import { listenerSays, recordFeedback } from './feedback.ts';
import { LearnedDistance } from './learned-distance.ts';
import { distanceLayers, topicVector, userEmbedding } from './model-math.ts';
import { moreLikeThis, normalizeName, RecommendIndex, topicQueue } from './recommender.ts';
import { songSimilarity } from './song-similarity.ts';
import { tasteDirection } from './taste.ts';
import { acceptSuggestions, suggestTags } from './tag-suggest.ts';
import { trackTagInfo } from '../topics/library-tags.ts';

describe('recommendations on a small trained model', () => {
  let dataDir: string;
  let ids: number[];
  let db: Database;

  beforeAll(async () => {
    dataDir = tempDir();
    db = openLibraryDatabase(dataDir);
    ids = writeSyntheticLibrary(db, syntheticDataset({ songs: 120, seed: 3, signal: 1 }));
    // One song under a second file (same artist and title), and one file gone missing.
    db.prepare("UPDATE tracks SET artist = 'artist 0', title = 'song 0' WHERE id = ?").run(ids[119]);
    db.prepare('UPDATE tracks SET available = 0 WHERE id = ?').run(ids[118]);
    const job = startTrainJob({ dataDir, epochs: 10, sampling: 'unbalanced', learningRate: 0.05 });
    const result = await job.result;
    expect(result.saved?.activated).toBe(true);
  }, 240_000);

  afterAll(() => db.close());

  const load = () => RecommendIndex.load(db, dataDir)!;

  it('evaluates π and D in JavaScript/wasm as the TF.js network does', async () => {
    const index = load();
    const model = index.model!;
    expect(index.scorer.kind).toBe('wasm-simd');
    await selectBackend('wasm');
    const net = new Network(model.meta.config, model.weights);
    try {
      const groups = new Float32Array(7 * 3);
      groups.set(topicVector([1, 4], 7), 0);
      groups.set(topicVector([2], 7), 7);
      groups.set(topicVector([3, 5, 7], 7), 14);
      const tfUsers = await embedUsers(net, groups);
      const e = model.meta.config.embedding; // 32 for the default model
      for (let g = 0; g < 3; g++) {
        const js = userEmbedding(model, groups.subarray(g * 7, g * 7 + 7));
        expect(js).toHaveLength(e);
        for (let d = 0; d < e; d++) expect(js[d]).toBeCloseTo(tfUsers[g * e + d]!, 4);
      }
      const q = tfUsers.subarray(0, e);
      const items = Float32Array.from({ length: 5 * e }, (_, i) => index.scorer.item(Math.floor(i / e))[i % e]!);
      const tfD = (await net
        .distance(tf.tensor2d(Array.from({ length: 5 }, () => Array.from(q))), tf.tensor2d(items, [5, e]))
        .data()) as Float32Array;
      const wasm = index.scorer.score(q).slice(0, 5);
      const js = new Float32Array(5);
      new LearnedDistance(distanceLayers(model)).scoreAll(q, items, js);
      for (let i = 0; i < 5; i++) {
        expect(wasm[i]).toBeCloseTo(tfD[i]!, 4);
        expect(js[i]).toBeCloseTo(tfD[i]!, 4);
      }
    } finally {
      net.dispose();
    }
  });

  it('wasm and JavaScript scorers agree on random weights', () => {
    const r = (i: number) => Math.sin(i * 12.9898) * 0.8;
    const layers = [
      {
        w: Float32Array.from({ length: 7 * 13 }, (_, i) => r(i)),
        b: Float32Array.from({ length: 13 }, (_, i) => r(i + 500)),
        inputs: 7,
        outputs: 13,
      },
      { w: Float32Array.from({ length: 13 }, (_, i) => r(i + 900)), b: Float32Array.of(0.25), inputs: 13, outputs: 1 },
    ];
    const items = Float32Array.from({ length: 1000 * 7 }, (_, i) => r(i + 2000) * 3);
    const a = distanceScorer(layers);
    const b = distanceScorer(layers, 'js');
    expect(a.kind).toBe('wasm-simd');
    a.setItems(items);
    b.setItems(items);
    const q = Float32Array.of(0.1, -0.5, 1, 2, -1, 0, 0.3);
    const sa = a.score(q).slice();
    const sb = b.score(q);
    for (let i = 0; i < 1000; i++) expect(sa[i]).toBeCloseTo(sb[i]!, 4);
  });

  it('wasm and JavaScript scorers agree for a 16-d embedding (a 64-byte stride is a signed i32 immediate)', () => {
    const r = (i: number) => Math.sin(i * 7.233) * 0.8;
    const dim = 16;
    const layers = [
      {
        w: Float32Array.from({ length: dim * 8 }, (_, i) => r(i)),
        b: Float32Array.from({ length: 8 }, (_, i) => r(i + 500)),
        inputs: dim,
        outputs: 8,
      },
      { w: Float32Array.from({ length: 8 }, (_, i) => r(i + 900)), b: Float32Array.of(-0.5), inputs: 8, outputs: 1 },
    ];
    const items = Float32Array.from({ length: 300 * dim }, (_, i) => r(i + 2000) * 2);
    const a = distanceScorer(layers);
    const b = distanceScorer(layers, 'js');
    expect(a.kind).toBe('wasm-simd');
    a.setItems(items);
    b.setItems(items);
    const q = Float32Array.from({ length: dim }, (_, i) => r(i + 77));
    const sa = a.score(q).slice();
    const sb = b.score(q);
    for (let i = 0; i < 300; i++) expect(sa[i]).toBeCloseTo(sb[i]!, 4);
  });

  it('topic queue: ranked by D, no repeats, no missing files, one copy of a song, artists not back to back', () => {
    const index = load();
    expect(index.indexOf(ids[118]!)).toBeUndefined(); // unavailable: not indexed
    const queue = topicQueue(db, index, [1, 4], { n: 40, adventurous: 0, ranking: 'nearest' });
    expect(queue).toHaveLength(40);
    expect(new Set(queue.map((t) => t.id)).size).toBe(40);
    expect(queue.some((t) => t.id === ids[118])).toBe(false);
    const songs = queue.map((t) => `${normalizeName(t.artist)}|${normalizeName(t.title)}`);
    expect(new Set(songs).size).toBe(songs.length);
    for (let i = 1; i < queue.length; i++) expect(queue[i]!.artist).not.toBe(queue[i - 1]!.artist);
    // Deterministic at temperature 0, and mostly ascending distance (the artist rule may swap neighbours).
    expect(topicQueue(db, index, [1, 4], { n: 40, ranking: 'nearest' }).map((t) => t.id)).toEqual(queue.map((t) => t.id));
    expect(queue[0]!.distance).toBeLessThanOrEqual(queue[39]!.distance);
    expect(queue[0]!.why).toMatchObject({ standsFor: null, rankedBy: 'distance' });
    // Wider spacing: no artist twice within three places.
    const spaced = topicQueue(db, index, [2], { n: 20, artistSpacing: 2 });
    for (let i = 0; i < spaced.length; i++)
      for (let j = i + 1; j <= i + 2 && j < spaced.length; j++) expect(spaced[j]!.artist).not.toBe(spaced[i]!.artist);
  });

  it('blend: every selected topic its share by weight, interleaved, each song saying which topic it stands for', () => {
    const index = load();
    const queue = topicQueue(db, index, [1, 4], { n: 40 });
    expect(queue).toHaveLength(40);
    expect(new Set(queue.map((t) => t.id)).size).toBe(40);
    for (let i = 1; i < queue.length; i++) expect(queue[i]!.artist).not.toBe(queue[i - 1]!.artist);
    const standsFor = queue.map((t) => t.why.standsFor?.id);
    expect(standsFor.filter((t) => t === 1)).toHaveLength(20);
    expect(standsFor.filter((t) => t === 4)).toHaveLength(20);
    expect(standsFor.join('')).not.toMatch(/111|444/);
    // Each song fills the share of a topic its tags (and the model) give it; all are tagged here.
    for (const t of queue) {
      expect(t.why.rankedBy).toBe('tags+audio');
      expect(t.why.text).toMatch(/^for .+ \(topic [14]\): \d+% match by its tags and its sound/);
    }
    const dominantIn = (t: (typeof queue)[number], topic: number) => t.why.topics[0]!.id === topic;
    expect(queue.filter((t) => t.why.standsFor!.id === 1 && dominantIn(t, 1)).length).toBeGreaterThanOrEqual(15);
    expect(queue.filter((t) => t.why.standsFor!.id === 4 && dominantIn(t, 4)).length).toBeGreaterThanOrEqual(15);
    // The nearest ranking (the paper's) for comparison: one point, so both topics are not guaranteed.
    const weighted = topicQueue(db, index, [1, 4], { n: 40, weights: [3, 1] }).map((t) => t.why.standsFor!.id);
    expect(weighted.filter((t) => t === 1)).toHaveLength(30);
    expect(weighted.filter((t) => t === 4)).toHaveLength(10);
    expect(() => topicQueue(db, index, [1, 4], { weights: [1] })).toThrow(/one positive weight per selected topic/);
    expect(() => topicQueue(db, index, [1, 9])).toThrow(/topic 9 is not in the model/);
    expect(() => topicQueue(db, index, [2, 2], { weights: [1, 2] })).toThrow(/once/);
    expect(topicQueue(db, index, [2, 2], { n: 5 }).every((t) => t.why.standsFor!.id === 2)).toBe(true);
  });

  it('the selected topics lead the queue (the model learned them) and each result says why', () => {
    const index = load();
    const queue = topicQueue(db, index, [5], { n: 10 });
    const inTopic = queue.filter((t) => t.why.topics.find((x) => x.id === 5)!.share > 0).length;
    expect(inTopic).toBeGreaterThanOrEqual(6); // chance: ~0.4
    expect(queue[0]!.why.text).toMatch(/distance \d/);
    expect(queue[0]!.why.text).toContain('in the selected topics');
    expect(queue[0]!.why.source).toBe('tags');
    expect(queue[0]!.why.topics[0]!.tags.length).toBeGreaterThan(0);
  });

  it('adventurous > 0 varies the queue with the seed, still within the rules', () => {
    const index = load();
    const a = topicQueue(db, index, [1], { n: 15, adventurous: 0.8, seed: 1 }).map((t) => t.id);
    const b = topicQueue(db, index, [1], { n: 15, adventurous: 0.8, seed: 2 }).map((t) => t.id);
    expect(a).not.toEqual(b);
    expect(new Set(a).size).toBe(15);
    expect(topicQueue(db, index, [1], { n: 15, adventurous: 0.8, seed: 1 }).map((t) => t.id)).toEqual(a);
  });

  it('more like this: nearest by the chosen song metric, seeds and their duplicates left out, several seeds', () => {
    const index = load();
    const similar = moreLikeThis(db, index, [ids[0]!], { n: 10 });
    expect(similar).toHaveLength(10);
    expect(similar.some((t) => t.id === ids[0] || t.id === ids[119])).toBe(false); // the seed, and the seed's song under another file
    // The first is the nearest eligible song by the song metric (song-similarity.ts), computed on its own.
    const scores = songSimilarity(db, index)
      .score([index.indexOf(ids[0]!)!])
      .slice();
    let best = -1;
    for (let i = 0; i < index.count; i++)
      if (index.tracks.id(i) !== ids[0] && index.tracks.id(i) !== ids[119] && (best < 0 || scores[i]! < scores[best]!)) best = i;
    expect(similar[0]!.id).toBe(index.tracks.id(best));
    expect(similar[0]!.distance).toBeCloseTo(scores[best]!, 5);
    // Mutual proximity: a probability on the shortlist.
    expect(similar.every((t) => t.distance >= 0 && t.distance <= 1)).toBe(true);
    const two = moreLikeThis(db, index, [ids[0]!, ids[1]!], { n: 10 });
    expect(two.some((t) => t.id === ids[0] || t.id === ids[1])).toBe(false);
    expect(two).toHaveLength(10);
  });

  it('recently played and disliked tracks are left out; likes lift neighbours, dislikes push them down', () => {
    // On the nearest ranking, where D alone orders the songs, so each neighbour's move is visible
    // (blendQueue applies the same adjustment in each lane: ranking.test.ts).
    const index = load();
    const nearest = 'nearest' as const;
    const base = topicQueue(db, index, [5], { ranking: nearest, n: 30 }).map((t) => t.id);
    // Recent plays leave the queue (window configurable).
    recordFeedback(db, { trackId: base[0]!, kind: 'play', topics: [5] });
    const afterPlay = topicQueue(db, index, [5], { ranking: nearest, n: 30 }).map((t) => t.id);
    expect(afterPlay).not.toContain(base[0]);
    expect(topicQueue(db, index, [5], { ranking: nearest, n: 30, recentWindow: 0 }).map((t) => t.id)).toContain(base[0]);

    // A dislike: the track goes, its near neighbours in the queue fall (against the same queue without feedback).
    const pos = (list: number[], id: number) => (list.includes(id) ? list.indexOf(id) : list.length);
    const nearOf = (id: number, list: number[]) =>
      Array.from(index.neighbours(index.indexOf(id)!, 20).neighbours, (i) => index.tracks.id(i)).filter((x) =>
        list.slice(0, 25).includes(x),
      );
    const disliked = base.find((id, p) => p > 0 && nearOf(id, base).length > 0)!;
    const near = nearOf(disliked, base);
    expect(near.length).toBeGreaterThan(0);
    recordFeedback(db, { trackId: disliked, kind: 'dislike', topics: [5] });
    const afterDislike = topicQueue(db, index, [5], { ranking: nearest, n: 30, recentWindow: 0 }).map((t) => t.id);
    const control = topicQueue(db, index, [5], { ranking: nearest, n: 30, recentWindow: 0, useFeedback: false }).map((t) => t.id);
    expect(afterDislike).not.toContain(disliked);
    expect(control).not.toContain(disliked);
    for (const id of near) expect(pos(afterDislike, id)).toBeGreaterThanOrEqual(pos(control, id));
    expect(near.some((id) => pos(afterDislike, id) > pos(control, id))).toBe(true);

    // A like of a track far down: its neighbours rise, and say so.
    const all = topicQueue(db, index, [5], { ranking: nearest, n: 110, recentWindow: 0, useFeedback: false }).map((t) => t.id);
    const liked = all.at(-1)!;
    const liftedIds = Array.from(index.neighbours(index.indexOf(liked)!, 20).neighbours, (i) => index.tracks.id(i)).filter(
      (id) => id !== disliked,
    );
    recordFeedback(db, { trackId: liked, kind: 'like', topics: [5] });
    const afterLike = topicQueue(db, index, [5], { ranking: nearest, n: 110, recentWindow: 0 });
    const noFeedback = topicQueue(db, index, [5], { ranking: nearest, n: 110, recentWindow: 0, useFeedback: false }).map(
      (t) => t.id,
    );
    const likedIds = afterLike.map((t) => t.id);
    const risen = liftedIds.filter((id) => pos(likedIds, id) < pos(noFeedback, id));
    expect(risen.length).toBeGreaterThan(liftedIds.length / 2);
    const lifted = afterLike.find((t) => t.id === risen[0])!;
    expect(lifted.why.closeTo?.id).toBe(liked);
    expect(lifted.why.text).toContain('which you liked');
  });

  it('untagged songs get topics predicted from audio, explained as such, and tag suggestions that can be accepted', () => {
    // Songs 10 and 12 (dominant topics 4 and 6) lose their tags after training: still embedded.
    db.prepare('DELETE FROM track_topics WHERE track_id IN (?, ?)').run(ids[10], ids[12]);
    const index = load();
    const suggestions = suggestTags(db, index);
    expect(suggestions.map((s) => s.trackId)).toEqual([ids[10], ids[12]]);
    for (const s of suggestions) {
      expect(s.topics.length).toBeGreaterThan(0);
      expect(s.topics[0]!.share).toBeGreaterThanOrEqual(0.25);
      expect(s.tags).toContain(`tag${s.topics[0]!.id - 1}`); // the synthetic topic t's top tag is tag{t−1}
    }
    const similar = moreLikeThis(db, index, [ids[11]!], { n: 120, artistSpacing: 0, recentWindow: 0 });
    const cold = similar.find((t) => t.id === ids[10])!;
    expect(cold.why.source).toBe('audio');
    expect(cold.why.text).toMatch(/^sounds like /);
    // In a topic queue an untagged song is ranked by the model's prediction alone, and says so.
    const queue = topicQueue(db, index, [4, 6], { n: 119, artistSpacing: 0, recentWindow: 0 });
    for (const id of [ids[10], ids[12]]) {
      const t = queue.find((x) => x.id === id)!;
      expect(t.why.rankedBy).toBe('audio');
      expect(t.why.text).toMatch(/match by its sound \(no tags\)/);
    }
    expect(queue.filter((t) => t.why.rankedBy === 'tags+audio').length).toBeGreaterThan(100);
    expect(acceptSuggestions(db, suggestions)).toBeGreaterThan(0);
    expect(trackTagInfo(db, ids[10]!)!.user).toEqual(suggestions[0]!.tags);
  });
  it('reads the taste from likes, completions and early skips, and moves the whole queue towards it', () => {
    db.exec('DELETE FROM feedback_events');
    const index = load();
    // A late skip says "not now", not "not this"; the latest say about a track wins.
    recordFeedback(db, { trackId: ids[1]!, kind: 'skip', position: 12 });
    recordFeedback(db, { trackId: ids[2]!, kind: 'skip', position: 95 });
    recordFeedback(db, { trackId: ids[3]!, kind: 'complete', position: 30 });
    recordFeedback(db, { trackId: ids[4]!, kind: 'dislike' });
    recordFeedback(db, { trackId: ids[4]!, kind: 'like' });
    recordFeedback(db, { trackId: ids[5]!, kind: 'dislike' });
    expect(listenerSays(db)).toEqual({
      liked: [ids[4]],
      disliked: [ids[5]],
      positives: [ids[4], ids[3]],
      negatives: [ids[5], ids[1]],
    });
    // A later late skip ends an early skip's "not this"; an explicit say outlasts any listening reaction.
    recordFeedback(db, { trackId: ids[1]!, kind: 'skip', position: 140 });
    recordFeedback(db, { trackId: ids[5]!, kind: 'complete', position: 200 });
    recordFeedback(db, { trackId: ids[4]!, kind: 'skip', position: 3 });
    expect(listenerSays(db)).toEqual({ liked: [ids[4]], disliked: [ids[5]], positives: [ids[4], ids[3]], negatives: [ids[5]] });
    db.exec('DELETE FROM feedback_events');
    recordFeedback(db, { trackId: ids[1]!, kind: 'skip', position: 12 });
    recordFeedback(db, { trackId: ids[3]!, kind: 'complete', position: 30 });
    recordFeedback(db, { trackId: ids[4]!, kind: 'dislike' });
    recordFeedback(db, { trackId: ids[4]!, kind: 'like' });
    recordFeedback(db, { trackId: ids[5]!, kind: 'dislike' });

    // Liked: songs of topic 2; disliked: songs of topic 6. The topic-4 queue leans towards topic 2's side.
    db.exec('DELETE FROM feedback_events');
    const dominant = (id: number) =>
      (db.prepare('SELECT dominant FROM track_topics WHERE track_id = ?').get(id) as { dominant: number } | undefined)?.dominant;
    const likedIds = ids.filter((id) => dominant(id) === 2).slice(0, 4);
    const dislikedIds = ids.filter((id) => dominant(id) === 6).slice(0, 4);
    for (const id of likedIds) recordFeedback(db, { trackId: id, kind: 'like', topics: [4] });
    for (const id of dislikedIds) recordFeedback(db, { trackId: id, kind: 'dislike', topics: [4] });
    const taste = tasteDirection(
      index.scorer,
      likedIds.map((id) => index.indexOf(id)!),
      dislikedIds.map((id) => index.indexOf(id)!),
    )!;
    const lean = (q: { id: number }[]) => q.reduce((a, t) => a + taste.score(index.indexOf(t.id)!), 0) / q.length;
    const rules = { n: 20, recentWindow: 0, artistSpacing: 0 };
    const withTaste = topicQueue(db, index, [4], rules);
    const neighboursOnly = topicQueue(db, index, [4], { ...rules, tasteWeight: 0 });
    expect(lean(withTaste)).toBeGreaterThan(lean(neighboursOnly));
    db.exec('DELETE FROM feedback_events');
  });
});

describe('RecommendIndex.tracksNamed', () => {
  it('finds every track of a normalised artist or album title through the interned keys, and none of an unknown one', () => {
    const one = { w: Float32Array.of(1), b: new Float32Array(1), inputs: 1, outputs: 1 };
    const tracks = [
      { id: 1, path: '/a', artist: 'Ana  Böhm', title: 'x', album: 'Greatest Hits' },
      { id: 2, path: '/b', artist: 'Other', title: 'y', album: 'greatest hits' },
      { id: 3, path: '/c', artist: 'ana böhm', title: 'z', album: 'Live' },
      { id: 4, path: '/d', artist: null, title: 'w', album: null },
      { id: 5, path: '/e', artist: 'Other', title: 'v', album: 'Greatest  Hits' },
    ];
    const index = new RecommendIndex(null, tracks, distanceScorer([one, one]), new Float32Array(5));
    expect(index.tracksNamed('artist', normalizeName('ANA BÖHM'))).toEqual([0, 2]);
    expect(index.tracksNamed('artist', 'other')).toEqual([1, 4]);
    expect(index.tracksNamed('artist', 'nobody')).toEqual([]);
    expect(index.tracksNamed('artist', '')).toEqual([]);
    // An album title names every album with it, whoever's (two artists' "Greatest Hits" here).
    expect(index.tracksNamed('album', normalizeName('GREATEST HITS'))).toEqual([0, 1, 4]);
    expect(index.tracksNamed('album', 'live')).toEqual([2]);
    expect(index.tracksNamed('album', '')).toEqual([]);
    expect(index.tracksNamed('album', 'nothing')).toEqual([]);
  });
});
