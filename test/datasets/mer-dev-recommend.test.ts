/**
 * Recommendations on a real library: ../shared/datasets/mer-dev scanned, analysed, topic-fitted and a
 * small model trained (a few epochs), then the queue rules, feedback and the refused retrain checked.
 * Fails (never skips) where the data set is absent.
 */
import type { Database } from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnalysisJob } from '../../src-main/core/analysis/analysis-job.ts';
import { openLibraryDatabase } from '../../src-main/core/db/open.ts';
import { scanLibrary } from '../../src-main/core/library/scanner.ts';
import { activeModel } from '../../src-main/core/model/store.ts';
import { startTrainJob } from '../../src-main/core/model/train-job.ts';
import { recordFeedback } from '../../src-main/core/recommend/feedback.ts';
import {
  moreLikeThis,
  normalizeName,
  RecommendIndex,
  topicQueue,
  type Recommendation,
} from '../../src-main/core/recommend/recommender.ts';
import { fineTuneFromFeedback } from '../../src-main/core/recommend/retrain.ts';
import { fitLibraryTopics } from '../../src-main/core/topics/library-topics.ts';
import { requireMerDev } from '../helpers/shared-data.ts';
import { tempDir } from '../helpers/temp-dir.ts';

describe('recommendations on mer-dev', () => {
  let dataDir: string;
  let db: Database;
  let duplicateOf: { id: number; copy: number };
  let missing: number;

  beforeAll(async () => {
    const root = requireMerDev();
    dataDir = tempDir();
    db = openLibraryDatabase(dataDir);
    await scanLibrary(db, { addRoots: [root] });
    db.close();
    const analysed = await startAnalysisJob({ dataDir }).result;
    expect(analysed.failed).toEqual([]);
    db = openLibraryDatabase(dataDir);
    await fitLibraryTopics(db, { seed: 1 });
    const trained = await startTrainJob({ dataDir, epochs: 6, maxTripletsPerEpoch: 4096, learningRate: 0.01, patience: 0 })
      .result;
    expect(trained.saved?.activated).toBe(true);
    expect(trained.embedded?.count).toBe(509);
    // One song under a second file (same artist and title as another track), and one file gone missing.
    const [a, b, c] = db.prepare('SELECT id, artist, title FROM tracks ORDER BY id LIMIT 3').all() as {
      id: number;
      artist: string;
      title: string;
    }[];
    db.prepare('UPDATE tracks SET artist = ?, title = ? WHERE id = ?').run(a!.artist, a!.title, b!.id);
    duplicateOf = { id: a!.id, copy: b!.id };
    db.prepare('UPDATE tracks SET available = 0 WHERE id = ?').run(c!.id);
    missing = c!.id;
  }, 600_000);

  afterAll(() => db.close());

  const load = () => RecommendIndex.load(db, dataDir)!;
  const obeysRules = (queue: Recommendation[], spacing = 1) => {
    expect(new Set(queue.map((t) => t.id)).size).toBe(queue.length);
    expect(queue.map((t) => t.id)).not.toContain(missing);
    const songs = queue.map((t) => `${normalizeName(t.artist)}|${normalizeName(t.title)}`);
    expect(new Set(songs).size).toBe(songs.length);
    for (let i = 0; i < queue.length; i++)
      for (let j = i + 1; j <= i + spacing && j < queue.length; j++)
        if (queue[i]!.artist) expect(normalizeName(queue[j]!.artist)).not.toBe(normalizeName(queue[i]!.artist));
  };

  it('the topic queue obeys every rule, for every topic', () => {
    const index = load();
    expect(index.count).toBe(508); // the missing file is not indexed
    for (let t = 1; t <= 7; t++) {
      const queue = topicQueue(db, index, [t], { n: 50 });
      expect(queue).toHaveLength(50);
      obeysRules(queue);
      expect(queue[0]!.why.text).toContain('% in the selected topics');
    }
    obeysRules(topicQueue(db, index, [2, 5], { n: 60, artistSpacing: 3 }), 3);
    const a = topicQueue(db, index, [3], { n: 30, adventurous: 0.5, seed: 1 });
    const b = topicQueue(db, index, [3], { n: 30, adventurous: 0.5, seed: 2 });
    obeysRules(a);
    obeysRules(b);
    expect(a.map((t) => t.id)).not.toEqual(b.map((t) => t.id));
  });

  it('more like this leaves out the seed and its duplicate file, and obeys the rules', () => {
    const index = load();
    const similar = moreLikeThis(db, index, [duplicateOf.id], { n: 40 });
    expect(similar).toHaveLength(40);
    expect(similar.map((t) => t.id)).not.toContain(duplicateOf.id);
    expect(similar.map((t) => t.id)).not.toContain(duplicateOf.copy);
    obeysRules(similar);
  });

  it('recent plays and dislikes leave the queue; a dislike pushes its neighbours down, a like lifts them', () => {
    const index = load();
    const ids = (q: Recommendation[]) => q.map((t) => t.id);
    const pos = (list: number[], id: number) => (list.includes(id) ? list.indexOf(id) : list.length);
    const base = ids(topicQueue(db, index, [1], { n: 60 }));
    recordFeedback(db, { trackId: base[0]!, kind: 'play', topics: [1] });
    expect(ids(topicQueue(db, index, [1], { n: 60 }))).not.toContain(base[0]);

    const nearOf = (id: number, list: number[]) =>
      Array.from(index.neighbours(index.indexOf(id)!, 20).neighbours, (i) => index.tracks.id(i)).filter((x) =>
        list.slice(0, 50).includes(x),
      );
    const disliked = base.find((id, p) => p > 0 && nearOf(id, base).length > 0)!;
    const near = nearOf(disliked, base);
    recordFeedback(db, { trackId: disliked, kind: 'dislike', topics: [1] });
    const after = ids(topicQueue(db, index, [1], { n: 60, recentWindow: 0 }));
    const control = ids(topicQueue(db, index, [1], { n: 60, recentWindow: 0, useFeedback: false }));
    expect(after).not.toContain(disliked);
    for (const id of near) expect(pos(after, id)).toBeGreaterThanOrEqual(pos(control, id));
    expect(near.some((id) => pos(after, id) > pos(control, id))).toBe(true);

    const all = ids(topicQueue(db, index, [1], { n: 300, recentWindow: 0, useFeedback: false }));
    const liked = all.at(-1)!;
    const lifted = Array.from(index.neighbours(index.indexOf(liked)!, 20).neighbours, (i) => index.tracks.id(i));
    recordFeedback(db, { trackId: liked, kind: 'like', topics: [1] });
    const withLike = ids(topicQueue(db, index, [1], { n: 300, recentWindow: 0 }));
    const without = ids(topicQueue(db, index, [1], { n: 300, recentWindow: 0, useFeedback: false }));
    const risen = lifted.filter((id) => pos(withLike, id) < pos(without, id));
    const fallen = lifted.filter((id) => pos(withLike, id) > pos(without, id));
    expect(risen.length).toBeGreaterThan(lifted.length / 2);
    expect(fallen.length).toBeLessThan(risen.length);
    db.exec('DELETE FROM feedback_events');
  });

  // Whether this inverted feedback harms the held-out songs beyond noise varies from run to run (seven CI
  // runs lost 4.9–11.1 points; one gained 0.4), so the test holds the gate to its rule on the measured
  // numbers: refused exactly when a held-out measure fell beyond its tolerance, and then nothing changes.
  // That it refuses real harm is shown deterministically in src-main/core/recommend/retrain.test.ts.
  it('keeps a retrain from feedback only when held-out precision@10 is not worse beyond noise', async () => {
    const before = activeModel(db)!.id;
    // Feedback that inverts the library's own labels, under every single-topic selection: songs without the
    // topic liked, songs whose dominant topic it is disliked.
    const rows = db.prepare('SELECT track_id AS id, topic_set AS topics, dominant FROM track_topics ORDER BY track_id').all() as {
      id: number;
      topics: string;
      dominant: number;
    }[];
    for (let t = 1; t <= 7; t++) {
      for (const r of rows.filter((x) => !(JSON.parse(x.topics) as number[]).includes(t)).slice(0, 10))
        recordFeedback(db, { trackId: r.id, kind: 'like', topics: [t] });
      for (const r of rows.filter((x) => x.dominant === t).slice(0, 10))
        recordFeedback(db, { trackId: r.id, kind: 'dislike', topics: [t] });
    }
    // Six epochs at weight 40: with four at weight 20 the inverted feedback cost user → song 2.2 points
    // against a tolerance of 3.3 in one CI run (accepted); at 6 × 40, four runs lost 4.9–11.1 against 3.5–4.2.
    const result = await fineTuneFromFeedback(db, dataDir, {
      epochs: 6,
      learningRate: 0.05,
      personalWeight: 40,
      libraryTriplets: 1024,
      backend: 'wasm',
    });
    if (result.after === null) {
      // The heavy inverted feedback can also make the fine-tune diverge: the gate refuses that too.
      console.log(`inverted feedback: ${result.reason}`);
      expect(result.reason).toMatch(/^the retrain diverged/);
      expect(result.accepted).toBe(false);
      expect(result.saved).toBeNull();
      expect(activeModel(db)!.id).toBe(before);
      return;
    }
    console.log(
      `inverted feedback: user → song ${result.before!.userToSong.toFixed(3)} → ${result.after!.userToSong.toFixed(3)} (±${result.tolerance!.userToSong.toFixed(3)}), song → song ${result.before!.songToSong.toFixed(3)} → ${result.after!.songToSong.toFixed(3)} (±${result.tolerance!.songToSong.toFixed(3)}), personal ${result.personalBefore!.toFixed(3)} → ${result.personalAfter!.toFixed(3)}`,
    );
    expect(result.personalTriplets).toBeGreaterThan(500);
    expect(result.personalAfter!).toBeGreaterThan(result.personalBefore!); // it did learn the feedback
    const dropped = (m: 'userToSong' | 'songToSong') => result.after![m] < result.before![m] - result.tolerance![m];
    const harmed = dropped('userToSong') || dropped('songToSong');
    expect(result.accepted, JSON.stringify(result)).toBe(!harmed);
    if (harmed) {
      expect(result.saved).toBeNull();
      expect(activeModel(db)!.id).toBe(before);
    } else {
      expect(result.saved).not.toBeNull();
      expect(activeModel(db)!.id).not.toBe(before);
    }
  }, 300_000);
});
