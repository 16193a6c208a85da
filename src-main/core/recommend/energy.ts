/**
 * Energy and tempo per song (issue 16, item 6), from the clip descriptors already stored (the copy in
 * track_song_vectors, docs/features.md section 8): loudness (RMS in dB), onset strength (spectral flux)
 * and tempo. The energy score is a sum of the chosen features' z-scores over the indexed library;
 * which features (ENERGY_FORM) was chosen on one half of mer-dev by the AUC against the arousal half
 * of its quadrant labels and reported on the other half (`bench/mixes-quality.ts`, docs/benchmarks.md).
 */
import type { Database } from 'better-sqlite3';
import { blobToFeatures } from '../analysis/feature-store.ts';
import { CLIP_DESCRIPTOR_LENGTH, CLIP_STATS, DESCRIPTOR_DIMS } from '../analysis/dsp/descriptors.ts';
import type { RecommendIndex } from './recommender.ts';
import { DESCRIPTORS_AT, ensureSongVectors, SONG_VECTOR_VERSION } from './song-vectors.ts';

export type EnergyFeature = 'loudness' | 'onset' | 'tempo';
export const ENERGY_FEATURES: readonly EnergyFeature[] = ['loudness', 'onset', 'tempo'];

/** The features the energy score sums (z-scored), as chosen on the choice half of mer-dev. */
export const ENERGY_FORM: readonly EnergyFeature[] = ['loudness'];

const STATS = CLIP_STATS.length; // mean first
const RMS_MEAN = DESCRIPTOR_DIMS.indexOf('rms') * STATS;
const ONSET_MEAN = DESCRIPTOR_DIMS.indexOf('onset') * STATS;
const TEMPO = CLIP_DESCRIPTOR_LENGTH - 1;

/** The raw features of one song from its clip descriptors (311 values, view 0). */
export function energyFeatures(clip: ArrayLike<number>): Record<EnergyFeature, number> {
  return {
    loudness: 20 * Math.log10(Math.max(1e-5, clip[RMS_MEAN]!)),
    onset: clip[ONSET_MEAN]!,
    tempo: clip[TEMPO]!,
  };
}

/**
 * Energy scores (mean 0 over the songs) for rows of raw features: the sum of the form's z-scores,
 * each z over these songs (a song without onsets has tempo 0: it takes the mean tempo's z of 0).
 */
export function energyScores(
  rows: readonly Record<EnergyFeature, number>[],
  form: readonly EnergyFeature[] = ENERGY_FORM,
): Float32Array {
  const out = new Float32Array(rows.length);
  for (const f of form) {
    const valid = (r: Record<EnergyFeature, number>) => Number.isFinite(r[f]) && (f !== 'tempo' || r[f] > 0);
    let s = 0;
    let s2 = 0;
    let count = 0;
    for (const r of rows)
      if (valid(r)) {
        s += r[f];
        s2 += r[f] * r[f];
        count++;
      }
    if (count === 0) continue;
    const mean = s / count;
    const sd = Math.sqrt(Math.max(1e-12, s2 / count - mean * mean));
    rows.forEach((r, i) => {
      if (valid(r)) out[i]! += (r[f] - mean) / sd / form.length;
    });
  }
  return out;
}

/** Per indexed song: energy (z-score sum, higher = more energetic) and tempo in BPM (0 = unknown). */
export interface EnergyTable {
  energy: Float32Array;
  tempo: Float32Array;
}

const tables = new WeakMap<RecommendIndex, EnergyTable>();

/** The index's energy table, from the song vectors (computed where missing), built once per index. */
export function energyTable(db: Database, index: RecommendIndex): EnergyTable {
  const cached = tables.get(index);
  if (cached) return cached;
  ensureSongVectors(db);
  const rows: Record<EnergyFeature, number>[] = Array.from({ length: index.count }, () => ({
    loudness: Number.NaN,
    onset: Number.NaN,
    tempo: 0,
  }));
  const stmt = db
    .prepare('SELECT track_id AS trackId, vector FROM track_song_vectors WHERE layout_version = ?')
    .iterate(SONG_VECTOR_VERSION) as IterableIterator<{ trackId: number; vector: Buffer }>;
  for (const row of stmt) {
    const i = index.indexOf(row.trackId);
    if (i === undefined) continue;
    rows[i] = energyFeatures(blobToFeatures(row.vector).subarray(DESCRIPTORS_AT));
  }
  const table = { energy: energyScores(rows), tempo: Float32Array.from(rows, (r) => r.tempo) };
  tables.set(index, table);
  return table;
}

/** Sets the index's table (the benchmark's generated library has no stored features). */
export function setEnergyTable(index: RecommendIndex, table: EnergyTable): void {
  tables.set(index, table);
}

/** Area under the ROC curve of `score` for `positive` (ties count half): P(score of a positive > score of a negative). */
export function auc(score: ArrayLike<number>, positive: ArrayLike<boolean>): number {
  const idx = Array.from({ length: score.length }, (_, i) => i).sort((a, b) => score[a]! - score[b]!);
  let rankSum = 0;
  let pos = 0;
  for (let r = 0; r < idx.length;) {
    let end = r;
    while (end + 1 < idx.length && score[idx[end + 1]!] === score[idx[r]!]) end++;
    const mid = (r + end) / 2 + 1;
    for (let k = r; k <= end; k++)
      if (positive[idx[k]!]) {
        rankSum += mid;
        pos++;
      }
    r = end + 1;
  }
  const neg = idx.length - pos;
  if (pos === 0 || neg === 0) return Number.NaN;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}
