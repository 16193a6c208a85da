/**
 * φ's input for descriptor models, derived from a stored feature-version-2 row: the clip statistics
 * of the descriptors (docs/features.md#descriptors), one vector per song. Chosen by measurement
 * (docs/benchmarks.md#quality): the pooled clip statistics generalise; the per-segment values add
 * width without adding held-out accuracy.
 */
import { CLIP_DESCRIPTOR_LENGTH } from '../analysis/dsp/descriptors.ts';
import { blobToFeatures } from '../analysis/feature-store.ts';
import type { InputKind } from './definition.ts';

export const DESCRIPTOR_INPUT_LENGTH = CLIP_DESCRIPTOR_LENGTH;

/** The model input of one song from its stored descriptors (views × view length, view 0 first). */
export function descriptorInput(stored: Float32Array): Float32Array {
  if (stored.length < CLIP_DESCRIPTOR_LENGTH) throw new RangeError(`expected at least ${CLIP_DESCRIPTOR_LENGTH} descriptor values, got ${stored.length}`);
  return stored.slice(0, CLIP_DESCRIPTOR_LENGTH);
}

/** A track's stored inputs, as much of them as the model needs. */
export interface StoredInputRow {
  /** track_features.features; null where the caller did not read it (a descriptor model). */
  features: Buffer | null;
  /** The stored descriptors, view 0 first: track_model_inputs.clip_descriptors (or track_features.descriptors). */
  descriptors: Buffer | null;
}

/** φ's raw input for one stored row, or null when the row lacks what the model reads (descriptors before v2). */
export function modelInputOf(kind: InputKind | undefined, row: StoredInputRow): Float32Array | null {
  if ((kind ?? 'mfcc') === 'mfcc') return row.features ? blobToFeatures(row.features) : null;
  return row.descriptors ? descriptorInput(blobToFeatures(row.descriptors)) : null;
}
