import type { Database } from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/helpers/temp-dir.ts';
import { CLIP_DESCRIPTOR_LENGTH, CLIP_STATS, DESCRIPTOR_DIMS } from '../analysis/dsp/descriptors.ts';
import { blobToFeatures, featuresToBlob } from '../analysis/feature-store.ts';
import { openLibraryDatabase } from '../db/open.ts';
import { syntheticDataset, writeSyntheticLibrary } from '../model/synthetic.ts';
import { startTrainJob } from '../model/train-job.ts';
import { createRng } from '../topics/rng.ts';
import { auc, energyTable } from './energy.ts';
import { recordFeedback } from './feedback.ts';
import { mixDistance } from './mix-distance.ts';
import { moreLikeThis, RecommendError, RecommendIndex, topicQueue } from './recommender.ts';
import { GroupIndex, MIXTURE_MIN_SONGS, similarGroups } from './group-similarity.ts';
import { radio, RADIO_SEEDS, radioSeeds } from './radio.ts';
import { orderTracks, pathLength } from './smooth-order.ts';
import { songSimilarity } from './song-similarity.ts';
import { interpolationPath, pathIndices, songPath } from './song-path.ts';

const RMS_MEAN = DESCRIPTOR_DIMS.indexOf('rms') * CLIP_STATS.length;
const ONSET_MEAN = DESCRIPTOR_DIMS.indexOf('onset') * CLIP_STATS.length;
const TEMPO = 310;

describe('mixes on a small trained model (issue 16)', () => {
  let dataDir: string;
  let ids: number[];
  let db: Database;
  let index: RecommendIndex;

  beforeAll(async () => {
    dataDir = tempDir();
    db = openLibraryDatabase(dataDir);
    ids = writeSyntheticLibrary(db, syntheticDataset({ songs: 120, seed: 5, signal: 1, songsPerArtist: 3 }));
    const job = startTrainJob({ dataDir, epochs: 8, sampling: 'unbalanced', learningRate: 0.05 });
    expect((await job.result).saved?.activated).toBe(true);
    // Albums of 6 songs (two artists each); loudness, onsets and tempo that rise with the song number
    // (written after training, so the embeddings are unchanged: only energy reads them).
    const read = db.prepare('SELECT descriptors FROM track_features WHERE track_id = ?');
    const write = db.prepare('UPDATE track_features SET descriptors = ? WHERE track_id = ?');
    // The song vectors read the clip descriptors from their narrow table (migration 0010): the same values.
    const writeInputs = db.prepare('UPDATE track_model_inputs SET clip_descriptors = ? WHERE track_id = ?');
    ids.forEach((id, i) => {
      db.prepare('UPDATE tracks SET album = ? WHERE id = ?').run(`album ${Math.floor(i / 6)}`, id);
      const d = blobToFeatures((read.get(id) as { descriptors: Buffer }).descriptors);
      d[RMS_MEAN] = 0.01 + 0.002 * i;
      d[ONSET_MEAN] = 1 + 0.05 * i + (i % 7) * 0.01;
      d[TEMPO] = 70 + i;
      write.run(featuresToBlob(d), id);
      expect(writeInputs.run(featuresToBlob(d.slice(0, CLIP_DESCRIPTOR_LENGTH)), id).changes).toBe(1);
    });
    index = RecommendIndex.load(db, dataDir)!;
  }, 300_000);

  afterAll(() => db.close());

  const at = (id: number) => index.indexOf(id)!;
  const d = (a: number, b: number) => mixDistance(index).among([a, b])[1]!;

  it('a path starts and ends where asked, repeats nothing and steps between neighbours', () => {
    const rng = createRng(3);
    let ours = 0;
    let shuffled = 0;
    let straight = 0;
    for (let trial = 0; trial < 6; trial++) {
      const a = ids[rng.int(60)]!;
      const b = ids[60 + rng.int(60)]!;
      const path = pathIndices(db, index, [a, b], { n: 10, recentWindow: 0 });
      expect(path).toHaveLength(10);
      expect(path[0]).toBe(at(a));
      expect(path.at(-1)).toBe(at(b));
      expect(new Set(path).size).toBe(10);
      for (let k = 1; k < path.length; k++) {
        // Never a step longer than the jump from A straight to B, and no artist twice in a row.
        expect(d(path[k - 1]!, path[k]!)).toBeLessThanOrEqual(d(at(a), at(b)) + 1e-6);
        expect(index.artistKey[path[k - 1]!]).not.toBe(index.artistKey[path[k]!]);
      }
      const largest = (p: readonly number[]) => Math.max(...p.slice(1).map((x, k) => d(p[k]!, x)));
      ours += largest(path);
      for (let s = 0; s < 10; s++) {
        const middle = path.slice(1, -1).sort(() => rng.next() - 0.5);
        shuffled += largest([path[0]!, ...middle, path.at(-1)!]) / 10;
      }
      straight += largest(interpolationPath(db, index, [a, b], { n: 10, recentWindow: 0 }));
    }
    expect(ours).toBeLessThan(0.8 * shuffled);
    expect(ours).toBeLessThanOrEqual(straight * 1.0001);
  });

  it('a path goes through waypoints in order and honours the caps, dislikes and the explanation', () => {
    const [a, b, c] = [ids[0]!, ids[50]!, ids[100]!];
    const path = songPath(db, index, [a, b, c], { n: 13, recentWindow: 0, maxPerArtist: 1, maxPerAlbum: 2 });
    const got = path.tracks.map((t) => t.id);
    expect(got).toHaveLength(13);
    expect(got[0]).toBe(a);
    expect(got.indexOf(b)).toBeGreaterThan(0);
    expect(got.at(-1)).toBe(c);
    const artists = got.map((id) => index.artistKey[at(id)]);
    expect(new Set(artists).size).toBe(artists.length);
    const albums = new Map<number, number>();
    for (const id of got) albums.set(index.albumKey[at(id)]!, (albums.get(index.albumKey[at(id)]!) ?? 0) + 1);
    expect(Math.max(...albums.values())).toBeLessThanOrEqual(2);
    expect(path.steps[0]).toBe(0);
    expect(path.largestStep).toBe(Math.max(...path.steps));
    expect(path.tracks[1]!.why.text).toMatch(/^step 1 of 12: D /);
    // A song on the path, once disliked, is never on it again.
    const victim = got[3]!;
    recordFeedback(db, { trackId: victim, kind: 'dislike', topics: [] });
    try {
      const again = pathIndices(db, index, [a, b, c], { n: 13, recentWindow: 0, maxPerArtist: 1, maxPerAlbum: 2 });
      expect(again.map((i) => index.tracks.id(i))).not.toContain(victim);
    } finally {
      db.prepare('DELETE FROM feedback_events WHERE track_id = ?').run(victim);
    }
    expect(() => songPath(db, index, [a], {})).toThrow(RecommendError);
    expect(() => songPath(db, index, [a, a], {})).toThrow(/repeat/);
    expect(() => songPath(db, index, [a, b], { n: 1 })).toThrow(/2 to 100 songs/);
  });

  it('smooth order keeps the first song and the songs, and shortens the walk below the original and random orders', () => {
    const rng = createRng(9);
    const chosen = Array.from({ length: 30 }, (_, k) => ids[(k * 37) % 120]!);
    const result = orderTracks(index, [...chosen, 999_999], chosen[4]);
    expect(result.trackIds[0]).toBe(chosen[4]);
    expect(result.trackIds.at(-1)).toBe(999_999);
    expect(result.unplaced).toEqual([999_999]);
    expect([...result.trackIds].sort((x, y) => x - y)).toEqual([...chosen, 999_999].sort((x, y) => x - y));
    expect(result.after).toBeLessThan(result.before);
    const dist = mixDistance(index).among(chosen.map(at));
    const ordered = result.trackIds.slice(0, 30).map((id) => chosen.indexOf(id));
    expect(pathLength(dist, 30, ordered)).toBeCloseTo(result.after, 3);
    for (let r = 0; r < 10; r++) {
      const random = Array.from({ length: 30 }, (_, i) => i).sort(() => rng.next() - 0.5);
      expect(result.after).toBeLessThan(pathLength(dist, 30, random));
    }
    expect(() => orderTracks(index, chosen, 999_999)).toThrow(RecommendError);
  });

  it('a blend with subtraction moves away from the subtracted song', () => {
    const seed = ids[10]!;
    const plain = moreLikeThis(db, index, [seed], { n: 10, recentWindow: 0, artistSpacing: 0 });
    // Subtract the plain list's best song: the blend leaves it and its close neighbours out.
    const away = plain[0]!.id;
    const blended = moreLikeThis(db, index, [seed], { n: 10, recentWindow: 0, artistSpacing: 0, unlike: [away] });
    expect(blended.map((t) => t.id)).not.toContain(away);
    const similarity = songSimilarity(db, index);
    const closeness = (list: { id: number }[]) => {
      const row = similarity.metricRow(at(away));
      return list.reduce((s, t) => s + row[at(t.id)]!, 0) / list.length;
    };
    // Mean blended distance to the subtracted song rises (farther away) when it is subtracted.
    expect(closeness(blended)).toBeGreaterThan(closeness(plain.slice(1)) + 0.05);
    const harder = moreLikeThis(db, index, [seed], { n: 10, recentWindow: 0, artistSpacing: 0, unlike: [away], unlikeWeight: 4 });
    expect(closeness(harder)).toBeGreaterThanOrEqual(closeness(blended) - 1e-6);
    expect(() => moreLikeThis(db, index, [seed], { unlike: [seed] })).toThrow(/both/);
  });

  it('energy: the score follows loudness and onsets; queues lean calmer or more energetic, filter tempo, rise or fall', () => {
    const { energy, tempo } = energyTable(db, index);
    const byNumber = ids.map((id) => energy[at(id)]!);
    expect(
      auc(
        byNumber,
        byNumber.map((_, i) => i >= 60),
      ),
    ).toBeGreaterThan(0.95);
    expect(tempo[at(ids[5]!)]).toBeCloseTo(75, 3);
    const mean = (list: { id: number }[]) => list.reduce((s, t) => s + energy[at(t.id)]!, 0) / list.length;
    const calm = topicQueue(db, index, [1, 2, 3], { n: 15, recentWindow: 0, energy: -1 });
    const lively = topicQueue(db, index, [1, 2, 3], { n: 15, recentWindow: 0, energy: 1 });
    expect(mean(lively)).toBeGreaterThan(mean(calm) + 0.3);
    const ranged = moreLikeThis(db, index, [ids[40]!], { n: 10, recentWindow: 0, tempo: { min: 100, max: 140 } });
    expect(ranged.length).toBeGreaterThan(0);
    for (const t of ranged) expect(tempo[at(t.id)]).toBeGreaterThanOrEqual(100);
    for (const t of ranged) expect(tempo[at(t.id)]).toBeLessThanOrEqual(140);
    const rising = topicQueue(db, index, [1, 4], { n: 12, recentWindow: 0, energyCurve: 'rising' });
    const levels = rising.map((t) => energy[at(t.id)]!);
    expect(levels).toHaveLength(12);
    const inversions = levels.slice(1).filter((x, k) => x < levels[k]!).length;
    expect(inversions).toBeLessThanOrEqual(2); // only where the artist spacing swapped two neighbours
    for (let k = 1; k < rising.length; k++) expect(rising[k]!.artist).not.toBe(rising[k - 1]!.artist);
    const falling = topicQueue(db, index, [1, 4], { n: 12, recentWindow: 0, energyCurve: 'falling' });
    expect(energy[at(falling[0]!.id)]!).toBeGreaterThan(energy[at(falling.at(-1)!.id)]!);
    expect(() => topicQueue(db, index, [1], { energy: 2 })).toThrow(RecommendError);
  });

  it('radio: never repeats within the session, leaves dislikes out, and reacts to early skips and completions', () => {
    const since = Date.now() - 1;
    const clean = () => db.prepare('DELETE FROM feedback_events WHERE created_at >= ?').run(since);
    try {
      const heard = new Set<number>();
      const disliked = ids[33]!;
      recordFeedback(db, { trackId: disliked, kind: 'dislike', topics: [] });
      for (let round = 0; round < 3; round++) {
        const next = radio(db, index, { trackIds: [ids[20]!] }, { n: 8, recentWindow: 0, sessionSince: since });
        expect(next).toHaveLength(8);
        for (const t of next) {
          expect(heard.has(t.id)).toBe(false);
          expect(t.id).not.toBe(disliked);
          heard.add(t.id);
          recordFeedback(db, { trackId: t.id, kind: 'play', topics: [] });
        }
      }
      // An artist or album seed stands for its songs; a topic seed is the blended topic queue.
      const byArtist = radio(db, index, { artist: 'ARTIST 4' }, { n: 5, recentWindow: 0, sessionSince: since });
      expect(byArtist.length).toBe(5);
      for (const t of byArtist) expect(t.artist).not.toBe('artist 4');
      expect(radio(db, index, { topics: [2] }, { n: 5, sessionSince: since }).every((t) => !heard.has(t.id))).toBe(true);
      expect(() => radio(db, index, { album: 'no such album' }, {})).toThrow(RecommendError);
    } finally {
      clean();
    }
    // Within a session: a skip in the first 30 s pushes the song's neighbours down; a completion pulls them up.
    const later = Date.now() - 1;
    try {
      const top = (n = 12) =>
        radio(db, index, { trackIds: [ids[70]!] }, { n, recentWindow: 0, sessionSince: later, artistSpacing: 0 });
      const before = top();
      const skipped = before[0]!.id;
      const neighbours = new Set(Array.from(index.neighbours(at(skipped), 10).neighbours, (i) => index.tracks.id(i)));
      const near = (list: { id: number }[]) => list.filter((t) => neighbours.has(t.id)).length;
      recordFeedback(db, { trackId: skipped, kind: 'play', topics: [] });
      recordFeedback(db, { trackId: skipped, kind: 'skip', position: 5, topics: [] });
      const afterSkip = top();
      expect(afterSkip.map((t) => t.id)).not.toContain(skipped);
      expect(near(before)).toBeGreaterThan(0);
      expect(near(afterSkip)).toBeLessThan(near(before));
      // The same skip late in the song says nothing about its neighbours.
      recordFeedback(db, { trackId: skipped, kind: 'skip', position: 200, topics: [] });
      expect(near(top())).toBeGreaterThanOrEqual(near(before) - 1);
      // A completion of a song far down the list lifts its neighbours.
      const far = top(40).at(-1)!.id;
      const farNeighbours = new Set(Array.from(index.neighbours(at(far), 10).neighbours, (i) => index.tracks.id(i)));
      const lifted = (list: { id: number }[]) => list.filter((t) => farNeighbours.has(t.id)).length;
      const beforeComplete = lifted(top());
      recordFeedback(db, { trackId: far, kind: 'play', topics: [] });
      recordFeedback(db, { trackId: far, kind: 'complete', position: 30, topics: [] });
      expect(lifted(top())).toBeGreaterThan(beforeComplete);
    } finally {
      db.prepare('DELETE FROM feedback_events WHERE created_at >= ?').run(later);
    }
  });

  it('radio from a large seed ranks from its core: its RADIO_SEEDS most central songs, not an outlier', () => {
    // A tight group (song a and its 7 nearest) and the song farthest from a, as one playlist-like seed.
    const all = index.tracks.toArray().map((_, i) => i);
    const a = 3;
    const far = all.reduce((best, i) => (d(a, i) > d(a, best) ? i : best), a);
    const group = all
      .filter((i) => i !== a && i !== far)
      .sort((x, y) => d(a, x) - d(a, y))
      .slice(0, 7);
    const seed = [far, a, ...group].map((i) => index.tracks.id(i));
    const seeds = radioSeeds(index, seed);
    expect(seeds).toHaveLength(RADIO_SEEDS);
    expect(seeds).not.toContain(index.tracks.id(far));
    // In the seed's order, and exactly the songs of least summed D to the others.
    expect(seeds).toEqual(seed.filter((id) => seeds.includes(id)));
    const summed = (id: number) => seed.reduce((s, other) => s + d(at(id), at(other)), 0);
    const worstSeed = Math.max(...seeds.map(summed));
    for (const id of seed.filter((x) => !seeds.includes(x))) expect(summed(id)).toBeGreaterThanOrEqual(worstSeed - 1e-4);
    // A seed of RADIO_SEEDS songs or fewer is used whole.
    expect(radioSeeds(index, seed.slice(0, 2))).toEqual(seed.slice(0, 2));
  });

  it('similar artists and albums: the nearest ones sound closer, song by song, than the rest', () => {
    const songsOf = (field: 'artist' | 'album', name: string) =>
      index.tracks
        .toArray()
        .map((t, i) => (t[field] === name ? i : -1))
        .filter((i) => i >= 0);
    const between = (a: number[], b: number[]) => {
      let sum = 0;
      for (const x of a) for (const y of b) sum += d(x, y);
      return sum / (a.length * b.length);
    };
    for (const [field, name] of [
      ['artist', 'artist 7'],
      ['album', 'album 3'],
    ] as const) {
      // An album is keyed by its (album) artist too: "album 3" of its first artist.
      const named = songsOf(field, name);
      const own = named.filter((i) => index.tracks.at(i).artist === index.tracks.at(named[0]!).artist);
      const ownIds = new Set(own.map((i) => index.tracks.id(i)));
      const all = similarGroups(index, field, name, 1000);
      expect(all.some((g) => g.trackIds.some((id) => ownIds.has(id)))).toBe(false);
      for (let k = 1; k < all.length; k++) expect(all[k]!.distance).toBeGreaterThanOrEqual(all[k - 1]!.distance);
      const closeness = all.map((g) => between(own, g.trackIds.map(at)));
      const top = closeness.slice(0, 3).reduce((x, y) => x + y, 0) / 3;
      const rest = closeness.reduce((x, y) => x + y, 0) / closeness.length;
      expect(top).toBeLessThan(rest);
    }
    expect(similarGroups(index, 'artist', 'Artist 7', 2)).toHaveLength(2);
    expect(() => similarGroups(index, 'album', 'no such album')).toThrow(RecommendError);
  });

  it('an artist with two sounds gets two components under the mixture, and its songs lie nearer to it', () => {
    // Two tight clusters far apart, given one artist name: song a with its 3 nearest, and the song
    // farthest from a with its 3 nearest.
    const all = index.tracks.toArray().map((_, i) => i);
    const nearest = (from: number, k: number, taken: Set<number>) =>
      all
        .filter((i) => i !== from && !taken.has(i))
        .sort((x, y) => d(from, x) - d(from, y))
        .slice(0, k);
    const a = 0;
    const far = all.reduce((best, i) => (d(a, i) > d(a, best) ? i : best), a);
    const first = [a, ...nearest(a, 3, new Set([far]))];
    const second = [far, ...nearest(far, 3, new Set(first))];
    const members = [...first, ...second];
    expect(members.length).toBeGreaterThanOrEqual(MIXTURE_MIN_SONGS);
    const before = members.map((i) => ({ id: index.tracks.id(i), artist: index.tracks.at(i).artist }));
    const rename = db.prepare('UPDATE tracks SET artist = ? WHERE id = ?');
    try {
      for (const m of before) rename.run('Two Sounds', m.id);
      const renamed = RecommendIndex.load(db, dataDir)!;
      const mixture = new GroupIndex(renamed, 'artist', 'mixture');
      const medoid = new GroupIndex(renamed, 'artist', 'medoid');
      const g = mixture.groupOf('Two Sounds')!;
      expect(mixture.componentsOf(g)).toBe(2);
      expect(medoid.componentsOf(medoid.groupOf('Two Sounds')!)).toBe(1);
      // Groups under MIXTURE_MIN_SONGS songs keep one point.
      const small = mixture.members.findIndex((songs) => songs.length < MIXTURE_MIN_SONGS);
      expect(mixture.componentsOf(small)).toBe(1);
      const mix = mixDistance(renamed);
      const sum = (groups: GroupIndex) => {
        const own = groups.groupOf('Two Sounds')!;
        return members.reduce((s, i) => s + groups.scores(mix.point(renamed.indexOf(index.tracks.id(i))!))[own]!, 0);
      };
      expect(sum(mixture)).toBeLessThan(sum(medoid));
      // The ranking of artists like it lists every other artist once, and not itself.
      const matches = similarGroups(renamed, 'artist', 'Two Sounds', 1000);
      expect(new Set(matches.map((m) => m.name)).size).toBe(matches.length);
      expect(matches.some((m) => m.name === 'Two Sounds')).toBe(false);
    } finally {
      for (const m of before) rename.run(m.artist, m.id);
    }
  });
});
