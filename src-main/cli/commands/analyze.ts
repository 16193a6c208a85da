import { startAnalyseAndEmbed } from '../../core/pipeline/analyse-and-embed.ts';
import type { Command } from '../command.ts';
import { printJson, UsageError } from '../context.ts';
import { cancelOnInterrupt } from '../interrupt.ts';
import { ProgressBar } from '../progress-bar.ts';

export const analyzeCommand: Command = {
  name: 'analyze',
  summary: 'compute the audio features (MFCC 20 × 378 and descriptors) of every track that has none yet',
  usage: 'cadenza analyze [--data-dir D] [--json] [--workers N] [--views 1|3] [--no-ffmpeg]',
  options: { workers: { type: 'string' }, views: { type: 'string' }, 'no-ffmpeg': { type: 'boolean', default: false } },
  async run(ctx, args, options) {
    if (args.length > 0) throw new UsageError(`usage: ${this.usage}`);
    const workers = options.workers === undefined ? undefined : Number(options.workers);
    if (workers !== undefined && !(Number.isInteger(workers) && workers >= 1 && workers <= 64)) {
      throw new UsageError('--workers takes a whole number from 1 to 64');
    }
    const views = options.views === undefined ? undefined : Number(options.views);
    if (views !== undefined && views !== 1 && views !== 3) throw new UsageError('--views takes 1 (the middle clip) or 3 (also ¼ and ¾ of tracks of 90 s or more)');
    ctx.openDb().close(); // migrate and fail early and clearly if the database cannot be opened
    const bar = new ProgressBar();
    const job = startAnalyseAndEmbed({
      dataDir: ctx.dataDir,
      ...(workers ? { workers } : {}),
      ...(views ? { views } : {}),
      allowFfmpeg: !options['no-ffmpeg'],
      onProgress: (p) => bar.update('Analysing', p, `failed ${p.failed}`),
      onEmbedding: (songs) => {
        bar.done();
        if (!ctx.json) ctx.stderr(`Embedding ${songs} song(s) with the active model…`);
      },
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
          `resample ${s.resampleMs.toFixed(1)} ms, MFCC ${s.mfccMs.toFixed(1)} ms, descriptors ${s.descriptorsMs.toFixed(1)} ms, ` +
          `loudness ${s.loudnessMs.toFixed(1)} ms, other ${s.otherMs.toFixed(1)} ms; ` +
          `${result.views} clips described)`,
      );
      for (const f of result.failed.slice(0, 20)) ctx.stdout(`  failed: ${f.path}: ${f.reason}`);
    }
    return result.cancelled ? 130 : 0;
  },
};
