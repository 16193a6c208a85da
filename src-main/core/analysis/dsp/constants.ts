/** Parameters of the audio feature pipeline. The definition is in docs/features.md. */

/**
 * Bump whenever any parameter or step below (or in descriptors.ts) changes the produced numbers.
 * 1: the MFCC matrix. 2: the same MFCC matrix plus the descriptors of one or three clips (views).
 */
export const FEATURE_VERSION = 2;

export const SAMPLE_RATE = 22050;
/** Clip length the features describe: 30 s at SAMPLE_RATE. */
export const CLIP_SECONDS = 30;
export const CLIP_SAMPLES = SAMPLE_RATE * CLIP_SECONDS; // 661,500
export const N_FFT = 2048;
export const WIN_LENGTH = N_FFT;
export const HOP = 1575;
export const N_BINS = N_FFT / 2 + 1; // 1025
export const N_MELS = 128;
export const F_MIN = 0;
export const F_MAX = SAMPLE_RATE / 2;
export const N_MFCC = 18;
export const N_FRAMES = 420;
export const SEGMENTS = 20;
export const FRAMES_PER_SEGMENT = N_FRAMES / SEGMENTS; // 21
export const SEGMENT_LENGTH = FRAMES_PER_SEGMENT * N_MFCC; // 378
export const FEATURE_LENGTH = SEGMENTS * SEGMENT_LENGTH; // 7560
/** Power floor before the logarithm (amin). */
export const POWER_FLOOR = 1e-10;
/** Dynamic range kept below the clip's loudest mel cell, in dB. */
export const TOP_DB = 80;
