import type { CadenzaApi } from '../../../src-main/api/contract.ts';
import type { JobKind, JobOutcome, JobProgress } from '../../../src-main/api/types.ts';
import { JOB_KINDS } from '../../../src-main/api/types.ts';

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
  /** The pipeline (scan → analyse → topics) is running. */
  pipeline = $state(false);

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
      if (!(await this.run('scan', folders))) return;
      await this.run('analysis');
      if (!(await this.run('topics'))) return;
      const model = await this.api.call('model.info', null);
      if (model.ok && !model.value.active?.current) await this.run('training');
    } finally {
      this.pipeline = false;
    }
  }
}
