import { describe, expect, it } from 'vitest';
import { createRng } from '../topics/rng.ts';
import { allGroups, fitStandardizer, groupPools, sampleTriplets, splitByArtist, standardize, topicMask, tripletBatch } from './data.ts';
import { syntheticDataset } from './synthetic.ts';

const ds = syntheticDataset({ songs: 140, width: 16, seed: 2 });
const all = ds.songs.map((_, i) => i);

describe('training data', () => {
  it('has 127 user groups for 7 topics', () => {
    const groups = allGroups(7);
    expect(groups).toHaveLength(127);
    expect(new Set(groups).size).toBe(127);
    expect(Math.min(...groups)).toBe(1);
    expect(Math.max(...groups)).toBe(127);
  });

  it('positives have their dominant topic in the group; negatives none of their topics', () => {
    const pools = groupPools(ds.songs, all, 7);
    expect(pools.groups).not.toContain(127); // every song has a topic in the full group: no negatives
    expect(pools.groups).toHaveLength(126);
    for (const g of [1, 6, 42, 100]) {
      for (const p of pools.positives.get(g)!) expect(g & (1 << ds.songs[p]!.dominant)).not.toBe(0);
      for (const n of pools.negatives.get(g)!) expect(g & topicMask(ds.songs[n]!.topics)).toBe(0);
      const covered = new Set([...pools.positives.get(g)!, ...pools.negatives.get(g)!]);
      for (const i of all) if (!covered.has(i)) expect(g & topicMask(ds.songs[i]!.topics)).not.toBe(0); // a minor topic in g: neither
    }
  });

  it('sampling: unbalanced follows the library, balanced and 1-to-n give every group the same count', () => {
    const pools = groupPools(ds.songs, all, 7);
    const count = (t: { group: Int32Array }) => {
      const c = new Map<number, number>();
      for (const g of t.group) c.set(g, (c.get(g) ?? 0) + 1);
      return c;
    };
    const unbalanced = sampleTriplets(pools, { mode: 'unbalanced' }, createRng(1));
    expect(unbalanced.group.length).toBe(pools.groups.reduce((n, g) => n + pools.positives.get(g)!.length, 0));
    const m = Math.min(...pools.groups.map((g) => pools.positives.get(g)!.length));
    const balanced = count(sampleTriplets(pools, { mode: 'balanced' }, createRng(1)));
    expect(new Set(balanced.values())).toEqual(new Set([m]));
    expect(balanced.size).toBe(126);
    const oneToN = sampleTriplets(pools, { mode: '1-to-n', negativesPerPositive: 4 }, createRng(1));
    expect(new Set(count(oneToN).values())).toEqual(new Set([4 * m]));
    for (let i = 0; i < oneToN.group.length; i++) {
      expect(oneToN.group[i]! & (1 << ds.songs[oneToN.pos[i]!]!.dominant)).not.toBe(0);
      expect(oneToN.group[i]! & topicMask(ds.songs[oneToN.neg[i]!]!.topics)).toBe(0);
    }
    const capped = sampleTriplets(pools, { mode: 'unbalanced', maxTriplets: 100 }, createRng(1));
    expect(capped.group.length).toBe(100);
    // The same seed draws the same epoch; another seed another one.
    expect(sampleTriplets(pools, { mode: 'balanced' }, createRng(5)).neg).toEqual(sampleTriplets(pools, { mode: 'balanced' }, createRng(5)).neg);
    expect(sampleTriplets(pools, { mode: 'balanced' }, createRng(5)).neg).not.toEqual(sampleTriplets(pools, { mode: 'balanced' }, createRng(6)).neg);
  });

  it('splits by artist: no artist on both sides, about the asked fraction held out', () => {
    const { kept, held } = splitByArtist(ds.songs, all, 0.2, 3);
    expect(kept.length + held.length).toBe(all.length);
    expect(held.length).toBeGreaterThanOrEqual(28);
    expect(held.length).toBeLessThan(28 + 4);
    const heldArtists = new Set(held.map((i) => ds.songs[i]!.artist));
    for (const i of kept) expect(heldArtists.has(ds.songs[i]!.artist)).toBe(false);
  });

  it('standardises with statistics of the given rows only, and builds k-hot user batches', () => {
    const rows = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    const s = fitStandardizer(ds.features!, ds.width, rows);
    const m = standardize(ds.features!, ds.width, s, rows);
    for (let d = 0; d < ds.width; d++) {
      let mean = 0;
      for (let r = 0; r < rows.length; r++) mean += m.data[r * ds.width + d]! / rows.length;
      expect(Math.abs(mean)).toBeLessThan(1e-4);
    }
    const t = { group: Int32Array.from([5]), pos: Int32Array.from([3]), neg: Int32Array.from([4]) };
    const rowOf = Int32Array.from(all, (i) => i + 100);
    const batch = tripletBatch(t, 0, 1, 7, rowOf);
    expect([...batch.users]).toEqual([1, 0, 1, 0, 0, 0, 0]);
    expect([...batch.pos, ...batch.neg]).toEqual([103, 104]);
  });
});
