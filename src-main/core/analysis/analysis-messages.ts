import type { DescriptorViewCount, StageTimings } from './analyse-file.ts';
import type { AnalysisTask } from './feature-store.ts';

/** Messages between the analysis job and its workers: tagged unions; errors travel as values. */
export type AnalysisRequest = { type: 'analyse'; task: AnalysisTask } | { type: 'stop' };

export type AnalysisReply =
  | { type: 'ready' }
  | { type: 'analysed'; trackId: number; decoder: string; timings: StageTimings; views: number }
  | { type: 'failed'; trackId: number; code: string; reason: string; timings: StageTimings }
  /** The track left the library while it was analysed (a rescan or the watcher removed it): nothing stored. */
  | { type: 'gone'; trackId: number }
  /** The worker cannot go on (its database cannot be opened or written): the job stops every worker. */
  | { type: 'fatal'; error: string };

export interface AnalysisWorkerData {
  dataDir: string;
  allowFfmpeg: boolean;
  /** Descriptor views per track (1, or 3 for tracks of ≥ 90 s). */
  views: DescriptorViewCount;
  /** Lower the worker thread's own scheduling priority (os.setPriority(10)), so the app stays responsive. */
  lowPriority: boolean;
  /**
   * Fault injection for the pool's own tests only: the worker ends its thread abruptly (as an out-of-memory
   * kill would) when handed a file whose path ends with this text. Never set by the app or the CLI.
   */
  crashOnPathSuffix?: string;
}
