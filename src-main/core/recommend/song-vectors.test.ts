import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from 'better-sqlite3';
import { tempDir } from '../../../test/helpers/temp-dir.ts';
import { N_FRAMES, N_MFCC } from '../analysis/dsp/constants.ts';
import { blobToFeatures } from '../analysis/feature-store.ts';
import { openLibraryDatabase } from '../db/open.ts';
import { syntheticDataset, writeSyntheticLibrary } from '../model/synthetic.ts';
import { DESCRIPTOR_INPUT_LENGTH } from '../model/inputs.ts';
import {
  DCT_TERMS,
  DESCRIPTORS_AT,
  ensureSongVectors,
  FLUCTUATION_LENGTH,
  MFCC_DCT_LENGTH,
  RESIDUAL_AT,
  songVector,
} from './song-vectors.ts';

const descriptors = Float32Array.from({ length: DESCRIPTOR_INPUT_LENGTH + 5 }, (_, i) => i * 0.5);

/** A 420 × 18 MFCC matrix whose trajectories are sums of the first `terms` cosines (plus `noise`). */
function matrix(seed: number, terms: number, noise = 0): Float32Array {
  const m = new Float32Array(N_FRAMES * N_MFCC);
  for (let c = 0; c < N_MFCC; c++) {
    for (let k = 0; k < terms; k++) {
      const a = Math.sin(seed * 7.1 + c * 1.3 + k * 0.7) * 5;
      for (let f = 0; f < N_FRAMES; f++) m[f * N_MFCC + c]! += a * Math.cos((Math.PI * (f + 0.5) * k) / N_FRAMES);
    }
    for (let f = 0; f < N_FRAMES; f++) m[f * N_MFCC + c]! += noise * Math.sin(seed * 13 + f * 2.1 + c * 0.37);
  }
  return m;
}

const rawDistance2 = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + (v - b[i]!) ** 2, 0);
function compressedDistance2(a: Float32Array, b: Float32Array): number {
  const va = songVector(a, descriptors);
  const vb = songVector(b, descriptors);
  let s = va[RESIDUAL_AT]! + vb[RESIDUAL_AT]!;
  for (let i = FLUCTUATION_LENGTH; i < FLUCTUATION_LENGTH + MFCC_DCT_LENGTH; i++) s += (va[i]! - vb[i]!) ** 2;
  return s;
}

describe('song vectors', () => {
  it('keep the raw MFCC distance exactly when the trajectories lie in the kept DCT terms', () => {
    const a = matrix(1, DCT_TERMS);
    const b = matrix(2, DCT_TERMS);
    expect(songVector(a, descriptors)[RESIDUAL_AT]).toBeLessThan(1e-3 * rawDistance2(a, new Float32Array(a.length)));
    expect(compressedDistance2(a, b) / rawDistance2(a, b)).toBeCloseTo(1, 4);
  });

  it('approximate it when fast detail is left out (its cross term is dropped)', () => {
    const a = matrix(1, 4, 0.5);
    const b = matrix(3, 4, 0.5);
    const ratio = compressedDistance2(a, b) / rawDistance2(a, b);
    expect(ratio).toBeGreaterThan(0.8);
    expect(ratio).toBeLessThan(1.25);
    expect(songVector(a, descriptors)[RESIDUAL_AT]).toBeGreaterThan(1);
  });
});

describe('ensureSongVectors on a real library database', () => {
  let db: Database;
  let ids: number[];
  beforeAll(() => {
    db = openLibraryDatabase(tempDir());
    ids = writeSyntheticLibrary(db, syntheticDataset({ songs: 12, seed: 5, signal: 1 }), 500);
  });
  afterAll(() => db.close());

  it('computes every missing vector once, then only those whose features changed', () => {
    expect(ensureSongVectors(db, 1000)).toBe(12);
    expect(ensureSongVectors(db, 2000)).toBe(0);
    const row = db.prepare('SELECT vector FROM track_song_vectors WHERE track_id = ?').get(ids[4]) as { vector: Buffer };
    const features = db.prepare('SELECT features, descriptors FROM track_features WHERE track_id = ?').get(ids[4]) as {
      features: Buffer;
      descriptors: Buffer;
    };
    const stored = blobToFeatures(row.vector);
    expect(Array.from(stored)).toEqual(
      Array.from(songVector(blobToFeatures(features.features), blobToFeatures(features.descriptors))),
    );
    // The descriptors part is the model input's 311 clip values.
    expect(Array.from(stored.subarray(DESCRIPTORS_AT))).toEqual(
      Array.from(blobToFeatures(features.descriptors).subarray(0, DESCRIPTOR_INPUT_LENGTH)),
    );
    // The descriptors come from track_model_inputs (the same values): a broken blob in track_features changes nothing.
    db.prepare("UPDATE track_features SET descriptors = x'00' WHERE track_id = ?").run(ids[4]);
    db.prepare('DELETE FROM track_song_vectors WHERE track_id = ?').run(ids[4]);
    expect(ensureSongVectors(db, 3000)).toBe(1);
    expect(
      blobToFeatures(
        (db.prepare('SELECT vector FROM track_song_vectors WHERE track_id = ?').get(ids[4]) as { vector: Buffer }).vector,
      ),
    ).toEqual(stored);
    // Re-analysed later: stale.
    db.prepare('UPDATE track_features SET analysed_at = 5000 WHERE track_id = ?').run(ids[4]);
    expect(ensureSongVectors(db, 6000)).toBe(1);
    expect(ensureSongVectors(db, 7000)).toBe(0);
    // A removed track takes its vector with it.
    db.prepare('DELETE FROM tracks WHERE id = ?').run(ids[0]);
    expect(db.prepare('SELECT COUNT(*) AS n FROM track_song_vectors').get()).toEqual({ n: 11 });
  });
});
