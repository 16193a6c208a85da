/**
 * The compact per-song vectors of the unlearned song metric (docs/recommend.md#song-metric), derived
 * from the stored MFCC matrix (420 frames × 18) and cached in track_song_vectors:
 * - the MFCC fluctuation pattern (18 × 6 bands, song-metrics.ts);
 * - the raw MFCC matrix compressed for Euclidean distance: per coefficient the first DCT_TERMS terms of
 *   an orthonormal DCT over time, plus the energy left out. ‖a − b‖² of the raw matrices is
 *   ‖A − B‖² of the kept terms + the two songs' left-out energies − twice their dot product, which is
 *   dropped (fast temporal detail of two different songs is nearly uncorrelated);
 * - the clip descriptors φ of the default model reads (311, inputs.ts; read from track_model_inputs),
 *   copied so that the index reads ~2 KB per song instead of the 11 KB descriptor blob.
 */
import type { Database } from 'better-sqlite3';
import { FEATURE_VERSION, HOP, N_MFCC, SAMPLE_RATE } from '../analysis/dsp/constants.ts';
import { blobToFeatures, featuresToBlob } from '../analysis/feature-store.ts';
import { DESCRIPTOR_INPUT_LENGTH, descriptorInput } from '../model/inputs.ts';
import { FLUCTUATION_BANDS, mfccFluctuation } from './song-metrics.ts';

/** Bump when the layout or any computation below changes: stored vectors of another version are recomputed. */
export const SONG_VECTOR_VERSION = 2;
export const DCT_TERMS = 8;
export const FLUCTUATION_LENGTH = N_MFCC * FLUCTUATION_BANDS.length;
export const MFCC_DCT_LENGTH = N_MFCC * DCT_TERMS;
export const RESIDUAL_AT = FLUCTUATION_LENGTH + MFCC_DCT_LENGTH;
export const DESCRIPTORS_AT = RESIDUAL_AT + 1;
/** [fluctuation 108 | MFCC DCT 144 | left-out energy 1 | clip descriptors 311]. */
export const SONG_VECTOR_LENGTH = DESCRIPTORS_AT + DESCRIPTOR_INPUT_LENGTH;

const dctTables = new Map<number, Float64Array>();

function dctTable(frames: number): Float64Array {
  let t = dctTables.get(frames);
  if (!t) {
    t = new Float64Array(DCT_TERMS * frames);
    for (let k = 0; k < DCT_TERMS; k++) {
      const scale = Math.sqrt((k === 0 ? 1 : 2) / frames);
      for (let f = 0; f < frames; f++) t[k * frames + f] = scale * Math.cos((Math.PI * (f + 0.5) * k) / frames);
    }
    dctTables.set(frames, t);
  }
  return t;
}

/** The song vector of one MFCC matrix (frame-major, N_MFCC values per frame) and its stored descriptors. */
export function songVector(mfcc: Float32Array, descriptors: Float32Array): Float32Array {
  const frames = mfcc.length / N_MFCC;
  const out = new Float32Array(SONG_VECTOR_LENGTH);
  out.set(mfccFluctuation(mfcc, 0, frames, N_MFCC, SAMPLE_RATE / HOP), 0);
  const table = dctTable(frames);
  let total = 0;
  let kept = 0;
  for (let c = 0; c < N_MFCC; c++) {
    for (let f = 0; f < frames; f++) total += mfcc[f * N_MFCC + c]! ** 2;
    for (let k = 0; k < DCT_TERMS; k++) {
      let v = 0;
      for (let f = 0; f < frames; f++) v += table[k * frames + f]! * mfcc[f * N_MFCC + c]!;
      out[FLUCTUATION_LENGTH + c * DCT_TERMS + k] = v;
      kept += v * v;
    }
  }
  out[RESIDUAL_AT] = Math.max(0, total - kept);
  out.set(descriptorInput(descriptors), DESCRIPTORS_AT);
  return out;
}

function upsertSongVector(db: Database, trackId: number, vector: Float32Array, now: number): void {
  db.prepare(
    `INSERT INTO track_song_vectors (track_id, feature_version, layout_version, vector, computed_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT(track_id) DO UPDATE SET feature_version = excluded.feature_version, layout_version = excluded.layout_version,
       vector = excluded.vector, computed_at = excluded.computed_at`,
  ).run(trackId, FEATURE_VERSION, SONG_VECTOR_VERSION, featuresToBlob(vector), now);
}

/**
 * Stores the song vector of a track just analysed (its MFCC matrix and descriptors, view 0 first, still
 * in memory), so that the first "more like this" does not compute the whole library's: ~1.2 ms a song
 * here against a lazy pass of 116 s at 100,000 songs (docs/benchmarks.md). `now` must not be earlier than
 * the features' analysed_at (a stale vector is recomputed).
 */
export function saveSongVector(
  db: Database,
  trackId: number,
  mfcc: Float32Array,
  descriptors: Float32Array,
  now = Date.now(),
): void {
  upsertSongVector(db, trackId, songVector(mfcc, descriptors), now);
}

/**
 * Computes the missing or stale (other feature or layout version, or features analysed since) song
 * vectors of every track with current features, reading the feature rows one by one and writing in transactions of 256; returns how many were computed. A killed run keeps
 * what it wrote.
 */
export function ensureSongVectors(db: Database, now = Date.now()): number {
  const stale = db.prepare(
    `SELECT f.track_id AS trackId FROM track_features f
     JOIN track_model_inputs i ON i.track_id = f.track_id AND i.feature_version = f.feature_version
     LEFT JOIN track_song_vectors v ON v.track_id = f.track_id AND v.feature_version = f.feature_version AND v.layout_version = ?
       AND v.computed_at >= f.analysed_at
     WHERE f.feature_version = ? AND v.track_id IS NULL`,
  );
  const write = db.transaction((batch: { trackId: number; vector: Float32Array }[]) => {
    for (const b of batch) upsertSongVector(db, b.trackId, b.vector, now);
  });
  // Read the ids first: writing while a SELECT on the same tables is open is not allowed in one connection.
  const ids = (stale.all(SONG_VECTOR_VERSION, FEATURE_VERSION) as { trackId: number }[]).map((r) => r.trackId);
  // The clip descriptors from their narrow table (migration 0010): the same values, without walking on past the MFCC blob.
  const features = db.prepare(
    `SELECT f.features, i.clip_descriptors AS descriptors FROM track_features f
     JOIN track_model_inputs i ON i.track_id = f.track_id AND i.feature_version = f.feature_version
     WHERE f.track_id = ? AND f.feature_version = ?`,
  );
  let done = 0;
  for (let start = 0; start < ids.length; start += 256) {
    const batch = ids.slice(start, start + 256).map((trackId) => {
      const row = features.get(trackId, FEATURE_VERSION) as { features: Buffer; descriptors: Buffer };
      return { trackId, vector: songVector(blobToFeatures(row.features), blobToFeatures(row.descriptors)) };
    });
    write(batch);
    done += batch.length;
  }
  return done;
}
