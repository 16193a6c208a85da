/**
 * Analysis, then embedding by the active model: the two jobs orchestrated above both layers (the analysis
 * job knows nothing of models). Used by `cadenza analyze` and the app's analysis job.
 */
import { startAnalysisJob, type AnalysisJobOptions, type AnalysisResult } from '../analysis/analysis-job.ts';
import { openLibraryDatabase } from '../db/open.ts';
import { startEmbedJob } from '../model/embed-job.ts';
import { activeModel, missingEmbeddings } from '../model/store.ts';

export interface AnalyseAndEmbedOptions extends AnalysisJobOptions {
  /** Embed the songs the active model lacks once analysis ends (default true). */
  embed?: boolean;
  /** Called when the embedding step starts, with the number of songs to embed. */
  onEmbedding?: (songs: number) => void;
}

export interface AnalyseAndEmbedResult extends AnalysisResult {
  /** Songs embedded by the active model after analysis (cold start: no tags needed); null without a model. */
  embedded: number | null;
}

export interface AnalyseAndEmbedJob {
  result: Promise<AnalyseAndEmbedResult>;
  cancel(): void;
}

export function startAnalyseAndEmbed(options: AnalyseAndEmbedOptions): AnalyseAndEmbedJob {
  const { embed = true, onEmbedding, ...analysisOptions } = options;
  let cancelled = false;
  let cancelCurrent: () => void = () => undefined;
  const run = async (): Promise<AnalyseAndEmbedResult> => {
    const analysis = startAnalysisJob(analysisOptions);
    cancelCurrent = () => analysis.cancel();
    if (cancelled) analysis.cancel();
    const analysed = await analysis.result;
    const missing = embed ? songsTheActiveModelLacks(options.dataDir) : null;
    if (missing === null || analysed.cancelled || cancelled) return { ...analysed, embedded: missing === null ? null : 0 };
    if (missing === 0) return { ...analysed, embedded: 0 };
    onEmbedding?.(missing);
    // New songs get their embedding at once, so "more like this" and queues include them without retraining.
    const embedding = startEmbedJob(options.dataDir);
    cancelCurrent = () => embedding.cancel();
    if (cancelled) embedding.cancel();
    const embedded = await embedding.result;
    return { ...analysed, cancelled: analysed.cancelled || embedded.cancelled, embedded: embedded.embedded };
  };
  return {
    result: run(),
    cancel: () => {
      cancelled = true;
      cancelCurrent();
    },
  };
}

/** Analysed songs without an embedding under the active model; null when there is no active model. */
export function songsTheActiveModelLacks(dataDir: string): number | null {
  const db = openLibraryDatabase(dataDir);
  try {
    const model = activeModel(db);
    return model ? missingEmbeddings(db, model.id) : null;
  } finally {
    db.close();
  }
}
