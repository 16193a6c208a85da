import type { Database } from 'better-sqlite3';
import { saveMeasuredLoudness, type ClipLoudness } from '../loudness/loudness-store.ts';
import { CLIP_DESCRIPTOR_LENGTH, DESCRIPTOR_LENGTH } from './dsp/descriptors.ts';
import { FEATURE_LENGTH, FEATURE_VERSION } from './dsp/index.ts';

/** A track that needs analysis, with the file stat it will be stored against. */
export interface AnalysisTask {
  trackId: number;
  path: string;
  /** On-disk path bytes where they differ from `path` (not UTF-8, or NFD on Linux). */
  pathBytes: Buffer | null;
  size: number;
  mtimeMs: number;
  duration: number | null;
  /**
   * Set for a track whose features are current but whose loudness was never measured (analysed before
   * migration 0007, no ReplayGain tag): only its clip, from `start`, is decoded and measured again.
   */
  loudnessOnly?: { start: number };
}

/** Where one described clip ("view") lies in the track. */
export interface DescriptorView {
  /** Seconds into the track. */
  start: number;
  /** Seconds of distinct audio used (less than 30 for a short track, which is looped). */
  seconds: number;
}

/** What the analysis of one file produces, as stored. */
export interface AnalysedClip {
  /** The MFCC matrix, FEATURE_LENGTH values (20 × 378, segment-major; docs/features.md). */
  features: Float32Array;
  clipStart: number;
  /** Seconds of distinct audio used (less than 30 for a short track, which is looped). */
  clipSeconds: number;
  /** views.length × DESCRIPTOR_LENGTH values (feature version 2); view 0 describes the MFCC's clip. */
  descriptors: Float32Array;
  /** Where each described clip lies in the track, in `descriptors` order (views[0] = the MFCC's clip). */
  views: DescriptorView[];
  decoder: string;
  /** Integrated loudness of the decoded clip (all channels; saved to track_loudness). */
  loudness?: ClipLoudness;
}

export interface StoredFeatures extends AnalysedClip {
  trackId: number;
}

/** Features as little-endian float32 bytes (the platform order of every machine Cadenza runs on). */
export function featuresToBlob(features: Float32Array): Buffer {
  return Buffer.from(features.buffer, features.byteOffset, features.byteLength);
}

export function blobToFeatures(blob: Buffer): Float32Array {
  const copy = new Float32Array(blob.byteLength / 4);
  new Uint8Array(copy.buffer).set(blob);
  return copy;
}

/**
 * Writes (or replaces) a track's row of track_model_inputs: the clip descriptors of view 0, the part of the
 * descriptors the default model reads, in a narrow table so that loading them never walks the MFCC blob
 * (migration 0010). Call it in the transaction that writes the track's track_features row, after that row.
 */
export function saveModelInputs(db: Database, trackId: number, featureVersion: number, descriptors: Float32Array): void {
  if (descriptors.length < CLIP_DESCRIPTOR_LENGTH) {
    throw new Error(`expected at least ${CLIP_DESCRIPTOR_LENGTH} descriptor values, got ${descriptors.length}`);
  }
  db.prepare(
    `INSERT INTO track_model_inputs (track_id, feature_version, clip_descriptors) VALUES (?, ?, ?)
     ON CONFLICT(track_id) DO UPDATE SET feature_version = excluded.feature_version, clip_descriptors = excluded.clip_descriptors`,
  ).run(trackId, featureVersion, featuresToBlob(descriptors.subarray(0, CLIP_DESCRIPTOR_LENGTH)));
}

/** Reads and writes track_features (with its track_model_inputs row) / analysis_failures. */
export class FeatureStore {
  constructor(
    readonly db: Database,
    readonly version = FEATURE_VERSION,
  ) {}

  /**
   * Available tracks without current features: never analysed, analysed by an older pipeline, or
   * changed on disk since (or, in a library damaged by hand, missing the model-inputs row that goes with
   * the features). A failure recorded for the same file and pipeline is not retried.
   */
  pending(): AnalysisTask[] {
    return [...this.pendingFeatures(), ...this.pendingLoudness()];
  }

  /**
   * Tracks with current features but no loudness measurement and no ReplayGain track gain (analysed
   * before loudness existed): they need only their clip's loudness, not a new analysis.
   */
  pendingLoudness(): AnalysisTask[] {
    const rows = this.db
      .prepare(
        `SELECT t.id AS trackId, t.path, t.path_bytes AS pathBytes, t.size, t.mtime_ms AS mtimeMs, t.duration,
           f.clip_start AS clipStart
         FROM tracks t
         JOIN track_features f ON f.track_id = t.id
           AND f.feature_version = @v AND f.source_size = t.size AND f.source_mtime_ms = t.mtime_ms
         LEFT JOIN track_loudness l ON l.track_id = t.id
         WHERE t.available = 1 AND l.track_id IS NULL AND t.rg_track_gain IS NULL
         ORDER BY t.id`,
      )
      .all({ v: this.version }) as (Omit<AnalysisTask, 'loudnessOnly'> & { clipStart: number })[];
    return rows.map(({ clipStart, ...task }) => ({ ...task, loudnessOnly: { start: clipStart } }));
  }

  private pendingFeatures(): AnalysisTask[] {
    return this.db
      .prepare(
        `SELECT t.id AS trackId, t.path, t.path_bytes AS pathBytes, t.size, t.mtime_ms AS mtimeMs, t.duration
         FROM tracks t
         LEFT JOIN track_features f ON f.track_id = t.id
           AND f.feature_version = @v AND f.source_size = t.size AND f.source_mtime_ms = t.mtime_ms
         LEFT JOIN track_model_inputs i ON i.track_id = f.track_id AND i.feature_version = @v
         LEFT JOIN analysis_failures a ON a.track_id = t.id
           AND a.feature_version = @v AND a.source_size = t.size AND a.source_mtime_ms = t.mtime_ms
         WHERE t.available = 1 AND (f.track_id IS NULL OR i.track_id IS NULL) AND a.track_id IS NULL
         ORDER BY t.id`,
      )
      .all({ v: this.version }) as AnalysisTask[];
  }

  countCurrent(): number {
    return (
      this.db.prepare('SELECT COUNT(*) AS n FROM track_features WHERE feature_version = ?').get(this.version) as { n: number }
    ).n;
  }

  /** True while the track is still in the library (a rescan or the watcher may remove it mid-analysis). */
  private trackExists(trackId: number): boolean {
    return this.db.prepare('SELECT 1 FROM tracks WHERE id = ?').get(trackId) !== undefined;
  }

  /** Stores a track's features; false (nothing stored) when the track was removed from the library meanwhile. */
  saveFeatures(task: AnalysisTask, result: AnalysedClip, now = Date.now()): boolean {
    if (result.features.length !== FEATURE_LENGTH)
      throw new Error(`expected ${FEATURE_LENGTH} features, got ${result.features.length}`);
    const { descriptors, views } = result;
    if (descriptors.length === 0 || descriptors.length % DESCRIPTOR_LENGTH !== 0) {
      throw new Error(`expected a positive multiple of ${DESCRIPTOR_LENGTH} descriptor values, got ${descriptors.length}`);
    }
    if (views.length !== descriptors.length / DESCRIPTOR_LENGTH) {
      throw new Error(`${descriptors.length / DESCRIPTOR_LENGTH} descriptor views but ${views.length} view positions`);
    }
    const viewsJson = JSON.stringify(views.map(({ start, seconds }) => ({ start, seconds })));
    // IMMEDIATE: the transaction reads before it writes, and a deferred one would get SQLITE_BUSY at once
    // (no busy wait) when a sibling worker committed in between.
    return this.db
      .transaction((): boolean => {
        if (!this.trackExists(task.trackId)) return false;
        this.db
          .prepare(
            `INSERT INTO track_features (track_id, feature_version, features, source_size, source_mtime_ms, clip_start, clip_seconds, decoder, analysed_at,
             descriptors, descriptor_views)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT(track_id) DO UPDATE SET feature_version = excluded.feature_version, features = excluded.features,
             source_size = excluded.source_size, source_mtime_ms = excluded.source_mtime_ms, clip_start = excluded.clip_start,
             clip_seconds = excluded.clip_seconds, decoder = excluded.decoder, analysed_at = excluded.analysed_at,
             descriptors = excluded.descriptors, descriptor_views = excluded.descriptor_views`,
          )
          .run(
            task.trackId,
            this.version,
            featuresToBlob(result.features),
            task.size,
            task.mtimeMs,
            result.clipStart,
            result.clipSeconds,
            result.decoder,
            now,
            featuresToBlob(descriptors),
            viewsJson,
          );
        saveModelInputs(this.db, task.trackId, this.version, descriptors);
        this.db.prepare('DELETE FROM analysis_failures WHERE track_id = ?').run(task.trackId);
        if (result.loudness) saveMeasuredLoudness(this.db, task.trackId, result.loudness, now);
        return true;
      })
      .immediate();
  }

  /**
   * Stores a loudness-only measurement (null: the clip could not be decoded again; stored as unknown so
   * it is not retried until the track is analysed again). False when the track left the library.
   */
  saveLoudness(task: AnalysisTask, measured: ClipLoudness | null, now = Date.now()): boolean {
    return this.db
      .transaction((): boolean => {
        if (!this.trackExists(task.trackId)) return false;
        saveMeasuredLoudness(
          this.db,
          task.trackId,
          measured ?? { integratedLufs: null, samplePeak: 0, seconds: 0, start: task.loudnessOnly?.start ?? 0 },
          now,
        );
        return true;
      })
      .immediate();
  }

  /**
   * Records why a track could not be analysed, against the file's size and mtime (it is retried once the
   * file changes). False (nothing stored) when the track is gone, or already has current features (a
   * worker stopped for its deadline may have stored them just before).
   */
  saveFailure(task: AnalysisTask, code: string, reason: string, now = Date.now()): boolean {
    return this.db
      .transaction((): boolean => {
        if (!this.trackExists(task.trackId)) return false;
        const current = this.db
          .prepare(
            'SELECT 1 FROM track_features WHERE track_id = ? AND feature_version = ? AND source_size = ? AND source_mtime_ms = ?',
          )
          .get(task.trackId, this.version, task.size, task.mtimeMs);
        if (current) return false;
        this.db
          .prepare(
            `INSERT INTO analysis_failures (track_id, feature_version, source_size, source_mtime_ms, code, reason, failed_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(track_id) DO UPDATE SET feature_version = excluded.feature_version, source_size = excluded.source_size,
           source_mtime_ms = excluded.source_mtime_ms, code = excluded.code, reason = excluded.reason, failed_at = excluded.failed_at`,
          )
          .run(task.trackId, this.version, task.size, task.mtimeMs, code, reason, now);
        return true;
      })
      .immediate();
  }

  failures(): { path: string; reason: string; code: string }[] {
    return this.db
      .prepare(
        `SELECT t.path, a.reason, a.code FROM analysis_failures a JOIN tracks t ON t.id = a.track_id
         WHERE a.feature_version = ? ORDER BY t.path`,
      )
      .all(this.version) as { path: string; reason: string; code: string }[];
  }

  /** The current features of a track (undefined when it has none of this feature version). */
  features(trackId: number): StoredFeatures | undefined {
    const row = this.db
      .prepare(
        `SELECT features, clip_start, clip_seconds, decoder, descriptors, descriptor_views FROM track_features
         WHERE track_id = ? AND feature_version = ?`,
      )
      .get(trackId, this.version) as
      | {
          features: Buffer;
          clip_start: number;
          clip_seconds: number;
          decoder: string;
          descriptors: Buffer | null;
          descriptor_views: string | null;
        }
      | undefined;
    return (
      row && {
        trackId,
        features: blobToFeatures(row.features),
        clipStart: row.clip_start,
        clipSeconds: row.clip_seconds,
        descriptors: row.descriptors ? blobToFeatures(row.descriptors) : new Float32Array(0),
        views: row.descriptor_views ? (JSON.parse(row.descriptor_views) as DescriptorView[]) : [],
        decoder: row.decoder,
      }
    );
  }
}
