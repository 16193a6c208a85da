/**
 * The whole first run's time left (scan → analyse → topics → train), not only the running stage's: the
 * running stage's own ETA, plus, for each stage still to come, the songs it will see at the rate this
 * machine last ran it (remembered per stage), or a prior until it has run once.
 */
import type { JobKind, JobProgress } from '../../../src-main/api/types.ts';

export const PIPELINE_STAGES: readonly JobKind[] = ['scan', 'analysis', 'topics', 'training'];

/** Seconds per song of each stage after the scan, with a fixed part (start-up) for topics and training. */
export interface StageCosts {
  analysisPerSong: number;
  topicsPerSong: number;
  topicsFixed: number;
  trainingPerSong: number;
  trainingFixed: number;
}

/**
 * Until a stage has run on this machine: analysis at 8 songs/s (issue 12: 8.3 songs/s for full-length
 * tracks on 2 cores), topics 0.1 ms per song + 2 s (bench:topics: 4 s for 55,000 tracks), training 20 ms
 * per song + 10 s (the target of ≤ 5 min at 20,000: a guess until the trainer has run here).
 */
export const PRIOR_COSTS: StageCosts = {
  analysisPerSong: 1 / 8,
  topicsPerSong: 1e-4,
  topicsFixed: 2,
  trainingPerSong: 0.02,
  trainingFixed: 10,
};

export interface PipelinePosition {
  /** The stage running now. */
  stage: JobKind;
  /** Its latest progress (null before the first report). */
  progress: JobProgress | null;
  /** Songs in the library so far (during the scan: what it has found). */
  songs: number;
  /** Whether training will run at the end (no current model). */
  training: boolean;
}

export interface PipelineEta {
  /** Seconds left in all, or null while the running stage cannot say yet. */
  totalSec: number | null;
  /** Seconds left per stage (0 for stages done, null for the running one without an ETA yet). */
  stages: Record<JobKind, number | null>;
}

/** The first run's time left from where the pipeline stands, `costs` for the stages still to come. */
export function pipelineEta(at: PipelinePosition, costs: StageCosts): PipelineEta {
  const songs = Math.max(at.songs, at.stage === 'scan' ? (at.progress?.total ?? at.progress?.done ?? 0) : 0);
  const estimate: Record<JobKind, number> = {
    scan: 0,
    analysis: songs * costs.analysisPerSong,
    topics: costs.topicsFixed + songs * costs.topicsPerSong,
    training: at.training ? costs.trainingFixed + songs * costs.trainingPerSong : 0,
  };
  const current = PIPELINE_STAGES.indexOf(at.stage);
  const stages = {} as Record<JobKind, number | null>;
  let total: number | null = 0;
  PIPELINE_STAGES.forEach((stage, i) => {
    const left = i < current ? 0 : i > current ? estimate[stage] : ownEta(at.progress, estimate[stage]);
    stages[stage] = left;
    total = left === null || total === null ? null : total + left;
  });
  return { totalSec: total, stages };
}

/** The running stage's ETA from its own rate; before it has one, the estimate for its whole size. */
function ownEta(progress: JobProgress | null, estimate: number): number | null {
  if (progress?.etaSec !== null && progress?.etaSec !== undefined) return progress.etaSec;
  if (progress && progress.done > 0) return null; // under way, rate not known yet
  return estimate;
}

/** Learns a stage's cost per song from a finished run (its wall time over the songs it saw). */
export function learnCost(costs: StageCosts, stage: JobKind, seconds: number, songs: number): StageCosts {
  if (!(songs > 0) || !(seconds >= 0)) return costs;
  if (stage === 'analysis') return { ...costs, analysisPerSong: seconds / songs };
  if (stage === 'topics') return { ...costs, topicsPerSong: Math.max(0, seconds - costs.topicsFixed) / songs };
  if (stage === 'training') return { ...costs, trainingPerSong: Math.max(0, seconds - costs.trainingFixed) / songs };
  return costs;
}
