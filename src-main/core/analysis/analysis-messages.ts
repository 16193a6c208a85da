import type { StageTimings } from './analyse-file.ts';
import type { AnalysisTask } from './feature-store.ts';

/** Messages between the analysis job and its workers: tagged unions; errors travel as values. */
export type AnalysisRequest = { type: 'analyse'; task: AnalysisTask } | { type: 'stop' };

export type AnalysisReply =
  | { type: 'ready' }
  | { type: 'analysed'; trackId: number; decoder: string; timings: StageTimings }
  | { type: 'failed'; trackId: number; code: string; reason: string; timings: StageTimings }
  | { type: 'fatal'; error: string };

export interface AnalysisWorkerData {
  dataDir: string;
  allowFfmpeg: boolean;
}
