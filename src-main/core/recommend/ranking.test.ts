import { describe, expect, it } from 'vitest';
import { blendQueue, rankQueue, type RankTracks } from './ranking.ts';
import { distancesToLaneScores, selectionLanes, TAG_WEIGHT, topicMixFromDistances } from './topic-lanes.ts';
import { smallestK } from './top-k.ts';

function tracks(artists: number[], songs?: number[]): RankTracks {
  return { count: artists.length, artistKey: Int32Array.from(artists), songKey: Int32Array.from(songs ?? artists.map(() => -1)) };
}

describe('smallestK', () => {
  it('matches a full sort, skipping excluded indices and NaN', () => {
    const scores = Float32Array.from({ length: 5000 }, (_, i) => Math.sin(i * 1.7) * 100);
    scores[17] = Number.NaN;
    const exclude = (i: number) => i % 3 === 0;
    const expected = Array.from(scores.keys())
      .filter((i) => !exclude(i) && !Number.isNaN(scores[i]!))
      .sort((a, b) => scores[a]! - scores[b]! || a - b)
      .slice(0, 25);
    expect(smallestK(scores, 25, exclude)).toEqual(expected);
    expect(smallestK(scores, 0)).toEqual([]);
    expect(smallestK(Float32Array.of(3, 1, 2), 10)).toEqual([1, 2, 0]);
  });
});

describe('rankQueue', () => {
  it('keeps one artist from playing back to back, taking held-back tracks as soon as they fit', () => {
    // Scores ascending with the index; artists 0 0 0 1 2: the strict order would put three 0s together.
    const t = tracks([0, 0, 0, 1, 2]);
    const q = rankQueue(t, Float32Array.of(1, 2, 3, 4, 5), { n: 5, exclude: new Set() }).map((r) => r.index);
    expect(q).toEqual([0, 3, 1, 4, 2]);
    // Spacing 0 turns the rule off; unknown artists (−1) are never held back.
    expect(
      rankQueue(t, Float32Array.of(1, 2, 3, 4, 5), { n: 5, exclude: new Set(), artistSpacing: 0 }).map((r) => r.index),
    ).toEqual([0, 1, 2, 3, 4]);
    expect(rankQueue(tracks([-1, -1, -1]), Float32Array.of(1, 2, 3), { n: 3, exclude: new Set() })).toHaveLength(3);
  });

  it('returns a shorter queue rather than break a rule, and collapses one song under several files', () => {
    const q = rankQueue(tracks([0, 0, 0]), Float32Array.of(1, 2, 3), { n: 3, exclude: new Set() });
    expect(q.map((r) => r.index)).toEqual([0]);
    const dup = rankQueue(tracks([0, 1, 2, 3], [7, 8, 7, 9]), Float32Array.of(1, 2, 3, 4), { n: 4, exclude: new Set() });
    expect(dup.map((r) => r.index)).toEqual([0, 1, 3]);
    const notSeed = rankQueue(tracks([0, 1, 2, 3], [7, 8, 7, 9]), Float32Array.of(1, 2, 3, 4), {
      n: 4,
      exclude: new Set([0]),
      excludeSongs: new Set([7]),
    });
    expect(notSeed.map((r) => r.index)).toEqual([1, 3]);
  });

  it('grows the pool past excluded tracks over a large library', () => {
    const count = 10_000;
    const t = tracks(Array.from({ length: count }, (_, i) => i));
    const scores = Float32Array.from({ length: count }, (_, i) => i);
    const exclude = new Set(Array.from({ length: 500 }, (_, i) => i));
    const q = rankQueue(t, scores, { n: 10, exclude });
    expect(q.map((r) => r.index)).toEqual(Array.from({ length: 10 }, (_, i) => 500 + i));
  });

  it('feedback anchors move neighbours by a fraction of the pool range', () => {
    const t = tracks([0, 1, 2, 3, 4, 5]);
    const scores = Float32Array.of(1, 2, 3, 4, 5, 6);
    const down = rankQueue(t, scores, {
      n: 6,
      exclude: new Set(),
      feedbackWeight: 1,
      anchors: [{ index: 5, sign: -1, neighbours: Int32Array.of(0), distances: Float32Array.of(0.1) }],
    });
    expect(down[0]!.index).not.toBe(0);
    const up = rankQueue(t, scores, {
      n: 6,
      exclude: new Set(),
      feedbackWeight: 1,
      anchors: [{ index: 5, sign: 1, neighbours: Int32Array.of(3), distances: Float32Array.of(0.1) }],
    });
    expect(up.findIndex((r) => r.index === 3)).toBeLessThan(3);
    expect(up.find((r) => r.index === 3)!.likedAnchor).toBe(5);
  });
});

describe('blendQueue', () => {
  // Lane 0 prefers the low indices, lane 1 the high ones: a plain ranking by either gives one side only.
  const count = 40;
  const up = Float32Array.from({ length: count }, (_, i) => i);
  const down = Float32Array.from({ length: count }, (_, i) => count - i);
  const anyone = () => tracks(Array.from({ length: count }, (_, i) => i));

  it('gives each lane its share by weight, interleaved without long runs', () => {
    const equal = blendQueue(
      anyone(),
      [
        { scores: up, weight: 1 },
        { scores: down, weight: 1 },
      ],
      { n: 10, exclude: new Set() },
    );
    expect(equal.map((r) => r.lane)).toEqual([0, 1, 0, 1, 0, 1, 0, 1, 0, 1]);
    expect(equal.map((r) => r.index)).toEqual([0, 39, 1, 38, 2, 37, 3, 36, 4, 35]);
    const weighted = blendQueue(
      anyone(),
      [
        { scores: up, weight: 2 },
        { scores: down, weight: 1 },
      ],
      { n: 12, exclude: new Set() },
    );
    const lanes = weighted.map((r) => r.lane);
    expect(lanes.filter((l) => l === 0)).toHaveLength(8);
    expect(lanes.filter((l) => l === 1)).toHaveLength(4);
    // Sainte-Laguë order: never more than two of the heavier lane in a row.
    expect(lanes.join('')).not.toMatch(/000/);
    // A lane of weight 0 takes no share; no lane at all gives nothing.
    expect(
      blendQueue(
        anyone(),
        [
          { scores: up, weight: 1 },
          { scores: down, weight: 0 },
        ],
        { n: 5, exclude: new Set() },
      ).map((r) => r.lane),
    ).toEqual([0, 0, 0, 0, 0]);
    expect(blendQueue(anyone(), [], { n: 5, exclude: new Set() })).toEqual([]);
  });

  it('never takes a track or song twice across lanes, and keeps exclusions and artist spacing', () => {
    const same = blendQueue(
      anyone(),
      [
        { scores: up, weight: 1 },
        { scores: up, weight: 1 },
      ],
      { n: 6, exclude: new Set([0]) },
    );
    expect(same.map((r) => r.index)).toEqual([1, 2, 3, 4, 5, 6]);
    // Songs 0 and 39 are one song (key 5); artists: 0–1 and 38–39 share an artist.
    const songs = Array.from({ length: count }, (_, i) => (i === 0 || i === 39 ? 5 : -1));
    const artists = Array.from({ length: count }, (_, i) => (i < 2 ? 100 : i > 37 ? 200 : i));
    const q = blendQueue(
      tracks(artists, songs),
      [
        { scores: up, weight: 1 },
        { scores: down, weight: 1 },
      ],
      {
        n: 8,
        exclude: new Set(),
        artistSpacing: 2,
      },
    );
    const ids = q.map((r) => r.index);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((i) => i === 0 || i === 39)).toHaveLength(1);
    for (let a = 0; a < q.length; a++)
      for (let b = a + 1; b <= a + 2 && b < q.length; b++) expect(artists[ids[b]!]).not.toBe(artists[ids[a]!]);
    // Both lanes still get their share.
    expect(q.filter((r) => r.lane === 0)).toHaveLength(4);
  });

  it('exclusive lanes: a track goes only to the lane that scores it best', () => {
    // Track 20 is the best of both lanes but closer to lane 1 (0.5 vs 1).
    const a = Float32Array.from({ length: count }, (_, i) => (i === 20 ? 1 : 10 + i));
    const b = Float32Array.from({ length: count }, (_, i) => (i === 20 ? 0.5 : 100 - i));
    const open = blendQueue(
      anyone(),
      [
        { scores: a, weight: 1 },
        { scores: b, weight: 1 },
      ],
      { n: 4, exclude: new Set() },
    );
    expect(open[0]).toMatchObject({ index: 20, lane: 0 });
    const exclusive = blendQueue(
      anyone(),
      [
        { scores: a, weight: 1 },
        { scores: b, weight: 1 },
      ],
      { n: 4, exclude: new Set(), exclusiveLanes: true },
    );
    expect(exclusive.find((r) => r.index === 20)!.lane).toBe(1);
  });

  it('grows a lane past excluded tracks over a large library', () => {
    const n = 10_000;
    const t = tracks(Array.from({ length: n }, (_, i) => i));
    const upN = Float32Array.from({ length: n }, (_, i) => i);
    const downN = Float32Array.from({ length: n }, (_, i) => n - i);
    const exclude = new Set(Array.from({ length: 500 }, (_, i) => i));
    const q = blendQueue(
      t,
      [
        { scores: upN, weight: 1 },
        { scores: downN, weight: 1 },
      ],
      { n: 10, exclude },
    );
    expect(q.filter((r) => r.lane === 0).map((r) => r.index)).toEqual([500, 501, 502, 503, 504]);
  });

  it('the same seed samples the same adventurous blend', () => {
    const lanes = [
      { scores: up, weight: 1 },
      { scores: down, weight: 1 },
    ];
    const a = blendQueue(anyone(), lanes, { n: 10, exclude: new Set(), adventurous: 0.8, seed: 3 });
    const b = blendQueue(anyone(), lanes, { n: 10, exclude: new Set(), adventurous: 0.8, seed: 3 });
    expect(a).toEqual(b);
    expect(a.map((r) => r.lane)).toEqual([0, 1, 0, 1, 0, 1, 0, 1, 0, 1]);
  });
});

describe('topic lanes', () => {
  it('predicts a mix from distances that does not depend on their scale', () => {
    const mix = topicMixFromDistances([1, 2, 4]);
    expect(mix.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 6);
    expect(mix[0]).toBeGreaterThan(mix[1]!);
    expect(mix[1]).toBeGreaterThan(mix[2]!);
    const scaled = topicMixFromDistances([10, 20, 40]);
    for (let t = 0; t < 3; t++) expect(scaled[t]).toBeCloseTo(mix[t]!, 6);
  });

  it('ranks a tagged song by its tags with the audio, an untagged one by the audio alone', () => {
    // Two topics, three songs; the audio says every song is closer to topic 1, song 2's tags say topic 2.
    const table = Float32Array.of(1, 1, 1, 3, 3, 3);
    const tagged = distancesToLaneScores(table, 2, (i) => (i === 2 ? [0, 1] : null));
    expect([...tagged]).toEqual([0, 0, 1]);
    const audio = topicMixFromDistances([1, 3]);
    expect(-table[0]!).toBeCloseTo(audio[0]!, 6);
    expect(-table[3 + 2]!).toBeCloseTo((1 - TAG_WEIGHT) * audio[1]! + TAG_WEIGHT * 1, 6);
    const [one, two] = selectionLanes(table, 2, [1, 2], [3, 1]);
    expect(one!.weight).toBe(3);
    expect(two!.scores[2]).toBeCloseTo(table[5]!, 6);
    // The tagged song is lane 2's best, the untagged ones lane 1's.
    expect(smallestK(two!.scores, 1)).toEqual([2]);
  });
});
