import { describe, expect, it } from 'vitest';
import { createRng } from '../topics/rng.ts';
import type { Song } from './data.ts';
import { songToSongMetrics } from './evaluate.ts';
import { compareScores, describeDecision, retrainDecision, songToSongPerSong } from './held-out.ts';

const songs: Song[] = Array.from({ length: 30 }, (_, i) => ({
  trackId: i + 1,
  artist: `a${i}`,
  topics: [i % 3],
  dominant: i % 3,
}));

describe('the retrain acceptance on held-out precision@10', () => {
  it('per-song song → song precision@10 averages to evaluate.ts’s', () => {
    const rng = createRng(3);
    const n = songs.length;
    const d = new Float32Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++)
        d[i * n + j] = i === j ? 0 : rng.next() + (songs[i]!.dominant === songs[j]!.dominant ? -0.3 : 0);
    const per = songToSongPerSong(d, songs);
    expect(per).toHaveLength(n);
    expect(per.reduce((a, b) => a + b, 0) / n).toBeCloseTo(songToSongMetrics(d, songs).precision10, 12);
  });

  it('refuses a model whose song → song precision@10 drops beyond noise while user → song holds', () => {
    const userToSong = Float64Array.from({ length: 40 }, (_, i) => 0.5 + (i % 5) / 10);
    const before = { userToSong, songToSong: Float64Array.from({ length: 30 }, (_, i) => 0.3 + (i % 3) / 10) };
    // Every song loses one or two of its ten same-topic neighbours.
    const after = {
      userToSong: userToSong.map((x) => x + 0.01),
      songToSong: before.songToSong.map((x, i) => x - (i % 2 ? 0.1 : 0.2)),
    };
    const d = retrainDecision(before, after);
    expect(d.userToSong.dropped).toBe(false);
    expect(d.songToSong.dropped).toBe(true);
    expect(d.accepted).toBe(false);
    expect(d.songToSong.before - d.songToSong.after).toBeCloseTo(0.15, 10);
    expect(describeDecision(d)).toMatch(/song → song P@10 40\.0 → 25\.0 \(a drop beyond noise/);
  });

  it('counts a small, noisy drop as noise, and never refuses an unchanged model', () => {
    const rng = createRng(9);
    const before = Float64Array.from({ length: 50 }, () => rng.next());
    // Mean drop 0.02 but per-query changes of ±0.3: well inside two standard errors.
    const after = before.map((x, i) => x - 0.02 + (i % 2 ? 0.3 : -0.3));
    const c = compareScores(before, after);
    expect(c.tolerance).toBeGreaterThan(0.05);
    expect(c.dropped).toBe(false);
    const same = compareScores(before, before.slice());
    expect(same).toMatchObject({ tolerance: 0.005, dropped: false });
    expect(retrainDecision({ userToSong: before, songToSong: before }, { userToSong: before, songToSong: before }).accepted).toBe(
      true,
    );
  });
});
