import { startAnalysisJob } from '../../core/analysis/analysis-job.ts';
import type { Command } from '../command.ts';
import { printJson, UsageError } from '../context.ts';
import { cancelOnInterrupt } from '../interrupt.ts';
import { ProgressBar } from '../progress-bar.ts';

export const analyzeCommand: Command = {
  name: 'analyze',
  summary: 'compute the audio features (MFCC 20 × 378) of every track that has none yet',
  usage: 'cadenza analyze [--data-dir D] [--json] [--workers N] [--no-ffmpeg]',
  options: { workers: { type: 'string' }, 'no-ffmpeg': { type: 'boolean', default: false } },
  async run(ctx, args, options) {
    if (args.length > 0) throw new UsageError(`usage: ${this.usage}`);
    const workers = options.workers === undefined ? undefined : Number(options.workers);
    if (workers !== undefined && !(Number.isInteger(workers) && workers >= 1 && workers <= 64)) {
      throw new UsageError('--workers takes a whole number from 1 to 64');
    }
    ctx.openDb().close(); // migrate and fail early and clearly if the database cannot be opened
    const bar = new ProgressBar();
    const job = startAnalysisJob({
      dataDir: ctx.dataDir,
      ...(workers ? { workers } : {}),
      allowFfmpeg: !options['no-ffmpeg'],
      onProgress: (p) => bar.update('Analysing', p, `failed ${p.failed}`),
    });
    const result = await cancelOnInterrupt(
      () => job.cancel(),
      () => job.result,
    );
    bar.done();
    if (ctx.json) {
      const { analysed, ...rest } = result;
      printJson(ctx, { analyzed: analysed, ...rest });
    } else {
      const s = result.stageMs;
      ctx.stdout(
        `${result.cancelled ? 'Analysis cancelled' : 'Analysis complete'}: ${result.analysed} analysed, ${result.skipped} already done, ` +
          `${result.failed.length} failed (${result.songsPerSecond.toFixed(1)} songs/s; per song: decode ${s.decodeMs.toFixed(1)} ms, ` +
          `resample ${s.resampleMs.toFixed(1)} ms, MFCC ${s.mfccMs.toFixed(1)} ms)`,
      );
      for (const f of result.failed.slice(0, 20)) ctx.stdout(`  failed: ${f.path}: ${f.reason}`);
    }
    return result.cancelled ? 130 : 0;
  },
};
