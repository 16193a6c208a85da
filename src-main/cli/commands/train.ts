import { NotReadyError } from '../../core/model/data.ts';
import { startTrainJob, type TrainJobOptions } from '../../core/model/train-job.ts';
import { fineTuneFromFeedback } from '../../core/recommend/retrain.ts';
import type { Command } from '../command.ts';
import { printJson, UsageError, type CommandContext } from '../context.ts';
import { ProgressBar } from '../progress-bar.ts';
import {
  backendOption,
  intOption,
  MODEL_OPTION_SPECS,
  modelOption,
  positiveOption,
  samplingOption,
  type Options,
} from './model.ts';

export const trainCommand: Command = {
  name: 'train',
  summary: 'train the triplet network on the analysed, topic-tagged songs and embed every song',
  usage:
    'cadenza train [--data-dir D] [--epochs N] [--sampling unbalanced|balanced|1-to-n] [--backend tensorflow-gpu|tensorflow|wasm|cpu] [--json]\n' +
    '              [--seed N] [--batch-size N] [--lr X] [--patience N] [--negatives N] [--max-triplets N] [--budget N] [--model default|paper|descriptors]\n' +
    '       cadenza train --from-feedback [--epochs 5] [--lr 0.003] [--weight N] [--seed N] [--backend B] [--json]   (fine-tune the active model; kept only if held-out P@10 holds)',
  options: {
    ...MODEL_OPTION_SPECS,
    sampling: { type: 'string' },
    'from-feedback': { type: 'boolean', default: false },
    weight: { type: 'string' },
  },
  async run(ctx, args, options) {
    if (args.length > 0) throw new UsageError(`usage: ${this.usage}`);
    if (options['from-feedback'] === true) return trainFromFeedback(ctx, options);
    const job: TrainJobOptions = { dataDir: ctx.dataDir };
    const set = <K extends keyof TrainJobOptions>(key: K, value: TrainJobOptions[K] | undefined) => {
      if (value !== undefined) job[key] = value;
    };
    set('epochs', intOption(options, 'epochs', 1, 100_000));
    set('sampling', samplingOption(options));
    set('backend', backendOption(options));
    set('seed', intOption(options, 'seed', 0, 2 ** 31 - 1));
    set('batchSize', intOption(options, 'batch-size', 1, 65_536));
    set('learningRate', positiveOption(options, 'lr'));
    set('patience', intOption(options, 'patience', 0, 100_000));
    set('negatives', intOption(options, 'negatives', 1, 1000));
    set('maxTripletsPerEpoch', intOption(options, 'max-triplets', 0, 1e9));
    set('tripletBudget', intOption(options, 'budget', 0, 1e9));
    set('model', modelOption(options));
    ctx.openDb().close(); // migrate, and fail early and clearly if the database cannot be opened
    const bar = new ProgressBar();
    const started = performance.now();
    const running = startTrainJob({
      ...job,
      onBackend: (b) => {
        if (!ctx.json)
          ctx.stderr(`Backend: ${b.name} — ${b.device}${b.skipped.length ? ` (skipped: ${b.skipped.join('; ')})` : ''}`);
      },
      onProgress: (p) => {
        const done = (p.epoch - 1) * p.steps + p.step;
        const total = p.expectedEpochs * p.steps; // early stopping's expected end (trainer.ts)
        const detail = `epoch ${p.epoch}/${p.epochs} loss ${p.loss.toFixed(3)}${p.lastValAccuracy === null ? '' : ` val ${p.lastValAccuracy.toFixed(3)}`} ${p.tripletsPerSecond.toFixed(0)} triplets/s`;
        bar.update(
          'Training',
          {
            done,
            total,
            rate: done / Math.max(0.001, (performance.now() - started) / 1000),
            etaSec: p.etaSec,
            elapsedMs: performance.now() - started,
          },
          detail,
        );
      },
    });
    const onSigint = () => running.cancel();
    process.once('SIGINT', onSigint);
    try {
      const result = await running.result;
      bar.done();
      if (ctx.json) {
        printJson(ctx, result);
      } else if (result.cancelled) {
        ctx.stdout(
          `Training cancelled after ${result.epochsRun} epoch(s); a checkpoint is kept and \`cadenza train\` with the same options resumes it.`,
        );
      } else {
        const s = result.saved!;
        ctx.stdout(
          `Trained on ${result.trainSongs} songs (validation ${result.valSongs}) with ${result.backend.name} (${result.backend.device}): ` +
            `${result.epochsRun} epoch(s)${result.stoppedEarly ? ' (stopped early)' : ''}, best epoch ${result.bestEpoch}, ` +
            `validation accuracy ${result.valAccuracy === null ? '—' : result.valAccuracy.toFixed(3)}, ${result.tripletsPerSecond.toFixed(0)} triplets/s` +
            `${result.resumedFromEpoch !== null ? `, resumed from epoch ${result.resumedFromEpoch}` : ''}.`,
        );
        ctx.stdout(
          `Model ${s.modelId} saved (${s.file}); ${s.activated ? 'it is now the active model' : `model ${s.previous?.id} stays active (validation accuracy ${s.previous?.valAccuracy?.toFixed(3)} is better)`}. ` +
            `Embedded ${result.embedded?.count ?? 0} song(s).`,
        );
      }
      return result.cancelled ? 130 : 0;
    } catch (error) {
      bar.done();
      if (error instanceof NotReadyError) throw new UsageError(error.message);
      throw error;
    } finally {
      process.off('SIGINT', onSigint);
    }
  },
};

/** `cadenza train --from-feedback`: fine-tunes the active model with the personal triplets (docs/recommend.md). */
async function trainFromFeedback(ctx: CommandContext, options: Options): Promise<number> {
  const db = ctx.openDb();
  try {
    const result = await fineTuneFromFeedback(db, ctx.dataDir, {
      epochs: intOption(options, 'epochs', 1, 10_000),
      learningRate: positiveOption(options, 'lr'),
      personalWeight: intOption(options, 'weight', 1, 1000),
      batchSize: intOption(options, 'batch-size', 1, 65_536),
      seed: intOption(options, 'seed', 0, 2 ** 31 - 1),
      backend: backendOption(options),
    });
    if (ctx.json) printJson(ctx, result);
    else {
      const pct = (x: number) => (100 * x).toFixed(1);
      if (result.before && result.after) {
        ctx.stdout(
          `Held-out precision@10 on ${result.heldOutSongs} songs (${result.personalTriplets} personal triplet(s) × ${result.personalWeight} per epoch, ${result.epochsRun} epoch(s)):`,
        );
        for (const [label, key] of [
          ['user → song', 'userToSong'],
          ['song → song', 'songToSong'],
        ] as const)
          ctx.stdout(
            `  ${label}: ${pct(result.before[key])} → ${pct(result.after[key])} (noise ±${pct(result.tolerance![key])})`,
          );
      }
      if (result.accepted)
        ctx.stdout(
          `Kept: fine-tuned model ${result.saved!.modelId} is now active (${result.reason}); \`cadenza model rollback\` restores model ${result.baseModelId}.`,
        );
      else ctx.stdout(`Refused: ${result.reason}.`);
    }
    return 0;
  } catch (error) {
    if (error instanceof NotReadyError) throw new UsageError(error.message);
    throw error;
  } finally {
    db.close();
  }
}
