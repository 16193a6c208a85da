/**
 * The whole first run's time left (scan → analyse → topics → train), not only the running stage's: the
 * running stage's own ETA, plus, for each stage still to come, the songs it will see at the rate this
 * machine last ran it (remembered per stage), or a prior until it has run once.
 */
import type { JobKind, JobProgress } from '../../../src-main/api/types.ts';

export const PIPELINE_STAGES: readonly JobKind[] = ['scan', 'analysis', 'topics', 'training'];

/**
 * Seconds per song of each stage after the scan, with a fixed part (start-up) for topics. Training is
 * not linear in the library: its epochs hold a triplet budget, so once a library is large enough for the
 * budget to bind they cost the same at 20,000 songs as at 100,000; only loading and embedding grow.
 */
export interface StageCosts {
  analysisPerSong: number;
  topicsPerSong: number;
  topicsFixed: number;
  /** Loading the dataset and embedding the library, per song. */
  trainingLoadPerSong: number;
  /** The epochs once the budget binds (the most they cost)… */
  trainingEpochsSec: number;
  /** …and per song below that (a small library's epochs are smaller, and it stops sooner). */
  trainingEpochsPerSong: number;
}

/**
 * Until a stage has run on this machine: analysis at 10 songs/s (bench:library on a quiet 2-core machine:
 * 11.4 songs/s for full-length tracks), topics 0.1 ms per song + 2 s (bench:topics: 4 s for 55,000
 * tracks), training 210 s of epochs at most, 50 ms per song below that, + 0.6 ms per song (the same
 * bench: 64 s at 1,200 songs, ≈ 3.2 min at 20,000, ≈ 3.7 min at 100,000).
 */
export const PRIOR_COSTS: StageCosts = {
  analysisPerSong: 1 / 10,
  topicsPerSong: 1e-4,
  topicsFixed: 2,
  trainingLoadPerSong: 6e-4,
  trainingEpochsSec: 210,
  trainingEpochsPerSong: 0.05,
};

/** The training stage's seconds for a library of `songs`. */
export function trainingSeconds(costs: StageCosts, songs: number): number {
  return Math.min(costs.trainingEpochsSec, songs * costs.trainingEpochsPerSong) + songs * costs.trainingLoadPerSong;
}

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
    training: at.training ? trainingSeconds(costs, songs) : 0,
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
  if (stage === 'training') {
    // The epochs' part: the cap when the budget bound at this size, else the per-song rate below it.
    const epochs = Math.max(0, seconds - songs * costs.trainingLoadPerSong);
    return songs * costs.trainingEpochsPerSong >= costs.trainingEpochsSec
      ? { ...costs, trainingEpochsSec: epochs }
      : { ...costs, trainingEpochsPerSong: epochs / songs };
  }
  return costs;
}
