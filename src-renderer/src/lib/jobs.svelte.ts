import type { CadenzaApi } from '../../../src-main/api/contract.ts';
import type { JobKind, JobOutcome, JobProgress } from '../../../src-main/api/types.ts';
import { JOB_KINDS } from '../../../src-main/api/types.ts';
import { learnCost, pipelineEta, PRIOR_COSTS, type StageCosts } from './first-run-eta.ts';

const COSTS_KEY = 'cadenza.stageCosts';

/** The stage costs this machine measured on its last pipeline run (kept in the renderer's storage). */
function loadCosts(): StageCosts {
  try {
    const stored = JSON.parse(localStorage.getItem(COSTS_KEY) ?? 'null') as Partial<StageCosts> | null;
    const costs = { ...PRIOR_COSTS };
    for (const key of Object.keys(PRIOR_COSTS) as (keyof StageCosts)[]) {
      const v = stored?.[key];
      if (typeof v === 'number' && Number.isFinite(v) && v >= 0) costs[key] = v;
    }
    return costs;
  } catch {
    return { ...PRIOR_COSTS };
  }
}

export const JOB_LABELS: Record<
  JobKind,
  { title: string; unit: string; cancel: 'library.cancelScan' | 'analysis.cancel' | 'topics.cancel' | 'model.cancel' }
> = {
  scan: { title: 'Scan', unit: 'files', cancel: 'library.cancelScan' },
  analysis: { title: 'Analyse', unit: 'songs', cancel: 'analysis.cancel' },
  topics: { title: 'Topics', unit: 'sweeps', cancel: 'topics.cancel' },
  training: { title: 'Training', unit: 'batches', cancel: 'model.cancel' },
};

/** The long jobs as the UI shows them: live progress from events, and the first-run pipeline. */
export class JobsState {
  running = $state<Record<JobKind, boolean>>({ scan: false, analysis: false, topics: false, training: false });
  progress = $state<Record<JobKind, JobProgress | null>>({ scan: null, analysis: null, topics: null, training: null });
  last = $state<Record<JobKind, JobOutcome | null>>({ scan: null, analysis: null, topics: null, training: null });
  /** The pipeline (scan → analyse → topics → train) is running. */
  pipeline = $state(false);
  /** Where the pipeline stands: its running stage, the songs so far, whether it will train. */
  pipelineStage = $state<JobKind | null>(null);
  pipelineSongs = $state(0);
  pipelineTrains = $state(true);
  private costs = $state.raw<StageCosts>(loadCosts());

  /** The whole pipeline's time left (every stage still to come, not only the running one's). */
  pipelineEta = $derived(
    this.pipelineStage === null
      ? null
      : pipelineEta(
          {
            stage: this.pipelineStage,
            progress: this.progress[this.pipelineStage],
            songs: this.pipelineSongs,
            training: this.pipelineTrains,
          },
          this.costs,
        ),
  );

  constructor(private readonly api: CadenzaApi) {
    api.on('job.progress', (p) => {
      this.running[p.job] = true;
      this.progress[p.job] = p;
    });
    api.on('job.finished', (o) => {
      this.running[o.job] = false;
      this.last[o.job] = o;
    });
  }

  anyRunning = $derived(JOB_KINDS.some((k) => this.running[k]));

  /** Re-reads the jobs' state (on start, and after the event socket reconnects). */
  async sync(): Promise<void> {
    const result = await this.api.call('jobs.status', null);
    if (!result.ok) return;
    for (const s of result.value.jobs) {
      this.running[s.job] = s.running;
      this.progress[s.job] = s.progress;
      this.last[s.job] = s.last;
    }
  }

  async cancel(job: JobKind): Promise<void> {
    await this.api.call(JOB_LABELS[job].cancel, null);
  }

  /** Starts a job and waits for it; its outcome arrives as an event (errors included). */
  async run(job: JobKind, folders: string[] = []): Promise<boolean> {
    this.running[job] = true;
    this.progress[job] = null;
    const result =
      job === 'scan'
        ? await this.api.call('library.scan', { folders })
        : job === 'analysis'
          ? await this.api.call('analysis.start', null)
          : job === 'topics'
            ? await this.api.call('topics.fit', {})
            : await this.api.call('model.train', {});
    this.running[job] = false;
    if (!result.ok) this.last[job] = { job, status: 'failed', message: result.error, finishedAt: Date.now() };
    return result.ok && !(result.value as { cancelled?: boolean }).cancelled;
  }

  /**
   * Scan (adding `folders`), then analyse, fit the topics, and train the default model when there is no
   * current one (the first run, or topics that changed). A failed or cancelled analysis does not stop the
   * topics (they come from tags); a cancelled scan or topic fit stops the pipeline.
   */
  async runPipeline(folders: string[] = []): Promise<void> {
    if (this.pipeline) return;
    this.pipeline = true;
    try {
      const before = await this.api.call('model.info', null);
      this.pipelineTrains = !(before.ok && before.value.active?.current);
      await this.countSongs();
      if (!(await this.stage('scan', folders))) return;
      await this.countSongs();
      await this.stage('analysis');
      if (!(await this.stage('topics'))) return;
      const model = await this.api.call('model.info', null);
      this.pipelineTrains = !(model.ok && model.value.active?.current);
      if (this.pipelineTrains) await this.stage('training');
    } finally {
      this.pipeline = false;
      this.pipelineStage = null;
    }
  }

  /** Runs one pipeline stage and, when it ran to the end, learns its cost per song for the next estimate. */
  private async stage(job: JobKind, folders: string[] = []): Promise<boolean> {
    this.pipelineStage = job;
    const started = performance.now();
    const ok = await this.run(job, folders);
    // The songs the stage saw: analysis those it analysed, topics and training the library's.
    const songs = job === 'analysis' ? (this.progress.analysis?.total ?? 0) : this.pipelineSongs;
    if (ok && job !== 'scan') {
      this.costs = learnCost(this.costs, job, (performance.now() - started) / 1000, songs);
      try {
        localStorage.setItem(COSTS_KEY, JSON.stringify(this.costs));
      } catch {
        // No storage (a private window): the estimate keeps this session's costs.
      }
    }
    return ok;
  }

  private async countSongs(): Promise<void> {
    const summary = await this.api.call('library.summary', null);
    if (summary.ok) this.pipelineSongs = summary.value.tracks;
  }
}
