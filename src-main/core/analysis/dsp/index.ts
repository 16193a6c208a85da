export * from './constants.ts';
export { downmixToMono } from './mono.ts';
export { resample, resampledLength, RESAMPLE_BETA, RESAMPLE_ROLLOFF, RESAMPLE_ZERO_CROSSINGS } from './resample.ts';
export { mfcc, newMfccSpectra, toSegments, segmentView, hannPeriodic, type MfccOptions, type MfccSpectra } from './mfcc.ts';
export { RealFft } from './fft.ts';
export { hzToMel, melToHz, melFilterbank, melFilterbankDense, dctMatrix, type MelFilterbank } from './mel.ts';
