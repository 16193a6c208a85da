import { writeFileSync } from 'node:fs';
import { selectBackend } from '../../core/model/backend.ts';
import { loadLibraryDataset, NotReadyError } from '../../core/model/data.ts';
import { EVAL_DEFAULTS, formatEvalMarkdown, runEvaluation, type EvalOptions } from '../../core/model/evaluate.ts';
import { formatFeedbackMarkdown, simulateFeedback, tasteFromCsv } from '../../core/recommend/feedback-simulation.ts';
import {
  formatCurveMarkdown,
  formatNestedMarkdown,
  learningCurve,
  learningCurveChance,
  learningCurveSvg,
  NESTED_DEFAULTS,
  runNestedEvaluation,
  sealedFinal,
  type NestedEvalOptions,
} from '../../core/model/nested-report.ts';
import { configName, DatasetMetrics, sealedSplit } from '../../core/model/nested-eval.ts';
import { nestedLearnedFold } from '../../core/model/nested-learned.ts';
import type { Command } from '../command.ts';
import { printJson, UsageError, type CommandContext } from '../context.ts';
import { backendOption, intOption, MODEL_OPTION_SPECS, modelOption, positiveOption, type Options } from './model.ts';

export const evalCommand: Command = {
  name: 'eval',
  summary:
    "held-out evaluation: the paper's tables (--model paper) or the quality report of a model (--model default), over seeded artist-disjoint splits or k folds by artist",
  usage:
    'cadenza eval [--data-dir D] [--model paper|default|descriptors] [--seeds N | --folds K] [--epochs N] [--json]\n' +
    '             [--backend B] [--seed FIRST] [--patience N] [--max-triplets N] [--budget N] [--lr X] [--batch-size N] [--negatives N]\n' +
    '       cadenza eval --feedback --taste FILE.csv [--taste-column quadrant] [--listeners Q1,Q2] [--seeds 3] [--events 20]\n' +
    '             [--selection-size 2] [--adventurous 0.1] [--taste-weight 1] [--epochs 2] [--lr X] [--weight N] [--max-triplets N] [--backend B] [--json]\n' +
    '             (does feedback help? simulated listeners)\n' +
    '       cadenza eval --nested [--folds K] [--inner-folds K] [--models paper,default] [--unlearned-only] [--curve 100,200,300] [--curve-folds N] [--all-configs] [--json]\n' +
    '       cadenza eval --learning-curve 100,200,300 [--curve-folds N] [--svg FILE] [--json]\n' +
    '       cadenza eval --sealed-final learned|unlearned   (the sealed part for one procedure, as JSON; run once, for the final choice)\n' +
    '       cadenza eval --outer-fold F [--folds K]   (one outer fold of the learned side, as JSON: folds in parallel processes)',
  options: {
    ...MODEL_OPTION_SPECS,
    seeds: { type: 'string' },
    folds: { type: 'string' },
    feedback: { type: 'boolean', default: false },
    taste: { type: 'string' },
    'taste-column': { type: 'string' },
    listeners: { type: 'string' },
    events: { type: 'string' },
    weight: { type: 'string' },
    adventurous: { type: 'string' },
    'taste-weight': { type: 'string' },
    'selection-size': { type: 'string' },
    nested: { type: 'boolean', default: false },
    'inner-folds': { type: 'string' },
    'unlearned-only': { type: 'boolean', default: false },
    curve: { type: 'string' },
    'curve-folds': { type: 'string' },
    'all-configs': { type: 'boolean', default: false },
    'learning-curve': { type: 'string' },
    'sealed-final': { type: 'string' },
    'outer-fold': { type: 'string' },
    models: { type: 'string' },
    svg: { type: 'string' },
  },
  async run(ctx, args, options) {
    if (args.length > 0) throw new UsageError(`usage: ${this.usage}`);
    if (options.feedback === true) return feedbackEvaluation(ctx, options);
    if (['learning-curve', 'sealed-final', 'outer-fold'].some((o) => options[o] !== undefined) || options.nested === true)
      return nestedEval(ctx, options);
    const opts: EvalOptions = { ...EVAL_DEFAULTS };
    opts.epochs = intOption(options, 'epochs', 1, 100_000) ?? opts.epochs;
    opts.seeds = intOption(options, 'seeds', 1, 100) ?? opts.seeds;
    opts.folds = intOption(options, 'folds', 2, 50) ?? opts.folds;
    if (opts.folds > 0 && options.seeds !== undefined) throw new UsageError('--seeds and --folds are alternatives: give one');
    opts.firstSeed = intOption(options, 'seed', 0, 2 ** 31 - 1) ?? opts.firstSeed;
    opts.patience = intOption(options, 'patience', 0, 100_000) ?? opts.patience;
    opts.maxTripletsPerEpoch = intOption(options, 'max-triplets', 0, 1e9) ?? opts.maxTripletsPerEpoch;
    opts.tripletBudget = intOption(options, 'budget', 0, 1e9) ?? opts.tripletBudget;
    opts.learningRate = positiveOption(options, 'lr') ?? opts.learningRate;
    opts.batchSize = intOption(options, 'batch-size', 1, 65_536) ?? opts.batchSize;
    opts.negatives = intOption(options, 'negatives', 1, 1000) ?? opts.negatives;
    opts.model = modelOption(options) ?? opts.model;
    const backend = await selectBackend(backendOption(options));
    ctx.stderr(`Backend: ${backend.name} — ${backend.device}`);
    const db = ctx.openDb();
    let dataset;
    try {
      dataset = loadLibraryDataset(db);
    } catch (error) {
      if (error instanceof NotReadyError) throw new UsageError(error.message);
      throw error;
    } finally {
      db.close();
    }
    if (dataset.songs.length < 20)
      throw new UsageError(`only ${dataset.songs.length} songs have features and topics; the evaluation needs at least 20`);
    let cancelled = false;
    const onSigint = () => (cancelled = true);
    process.once('SIGINT', onSigint);
    try {
      const report = await runEvaluation(
        dataset,
        opts,
        (line) => ctx.stderr(line),
        () => cancelled,
      );
      if (ctx.json) printJson(ctx, { backend: { name: backend.name, device: backend.device }, ...report });
      else ctx.stdout(formatEvalMarkdown(report));
      return 0;
    } catch (error) {
      if (cancelled) {
        ctx.stderr('Evaluation cancelled.');
        return 130;
      }
      throw error;
    } finally {
      process.off('SIGINT', onSigint);
    }
  },
};

function nonNegative(options: Options, name: string): number | undefined {
  const v = options[name];
  if (v === undefined) return undefined;
  const x = Number(v);
  if (typeof v !== 'string' || !Number.isFinite(x) || x < 0) throw new UsageError(`--${name} must be a number ≥ 0`);
  return x;
}

/** `cadenza eval --feedback`: simulated listeners with a hidden taste, on a copy of the library (docs/benchmarks.md, "Feedback: does it help?"). */
async function feedbackEvaluation(ctx: CommandContext, options: Options): Promise<number> {
  const file = options.taste;
  if (typeof file !== 'string' || file === '')
    throw new UsageError('--feedback needs --taste FILE.csv (a path column and a taste column)');
  const backend = await selectBackend(backendOption(options));
  ctx.stderr(`Backend: ${backend.name} — ${backend.device}`);
  const db = ctx.openDb();
  try {
    const taste = tasteFromCsv(db, file, typeof options['taste-column'] === 'string' ? options['taste-column'] : 'quadrant');
    if (taste.size === 0)
      throw new UsageError(`no track of the library is in ${file} (rows are matched by the end of their path)`);
    const listeners =
      typeof options.listeners === 'string'
        ? options.listeners
            .split(',')
            .map((x) => x.trim())
            .filter(Boolean)
        : undefined;
    const unknown = listeners?.filter((l) => ![...taste.values()].includes(l)) ?? [];
    if (unknown.length) throw new UsageError(`no track has the taste ${unknown.join(', ')}`);
    const retrain = {
      ...(intOption(options, 'epochs', 1, 1000) !== undefined ? { epochs: intOption(options, 'epochs', 1, 1000)! } : {}),
      ...(positiveOption(options, 'lr') !== undefined ? { learningRate: positiveOption(options, 'lr')! } : {}),
      ...(intOption(options, 'weight', 1, 10_000) !== undefined
        ? { personalWeight: intOption(options, 'weight', 1, 10_000)! }
        : {}),
      ...(intOption(options, 'max-triplets', 1, 1e9) !== undefined
        ? { libraryTriplets: intOption(options, 'max-triplets', 1, 1e9)! }
        : {}),
    };
    const report = await simulateFeedback(
      db,
      ctx.dataDir,
      {
        taste,
        ...(listeners ? { listeners } : {}),
        seeds: intOption(options, 'seeds', 1, 100) ?? 3,
        firstSeed: intOption(options, 'seed', 0, 2 ** 31 - 1) ?? 1,
        events: intOption(options, 'events', 5, 1000) ?? 20,
        ...(intOption(options, 'selection-size', 1, 100) !== undefined
          ? { selectionSize: intOption(options, 'selection-size', 1, 100)! }
          : {}),
        ...(nonNegative(options, 'adventurous') !== undefined ? { adventurous: nonNegative(options, 'adventurous')! } : {}),
        ...(nonNegative(options, 'taste-weight') !== undefined ? { tasteWeight: nonNegative(options, 'taste-weight')! } : {}),
        retrain,
        backend: backend.name,
      },
      (line) => ctx.stderr(line),
    );
    if (ctx.json) printJson(ctx, report);
    else ctx.stdout(formatFeedbackMarkdown(report));
    return 0;
  } finally {
    db.close();
  }
}

/** `--nested`: the sealed split, nested CV of the song metrics (and the learned side), the sealed report, the learning curve. */
async function nestedEval(ctx: Parameters<Command['run']>[0], options: Parameters<Command['run']>[2]): Promise<number> {
  const opts: NestedEvalOptions = { ...NESTED_DEFAULTS };
  opts.outerFolds = intOption(options, 'folds', 2, 50) ?? opts.outerFolds;
  opts.innerFolds = intOption(options, 'inner-folds', 2, 50) ?? opts.innerFolds;
  opts.seed = intOption(options, 'seed', 0, 2 ** 31 - 1) ?? opts.seed;
  opts.model = modelOption(options) ?? opts.model;
  if (typeof options.models === 'string') {
    // Each name as --model takes it (default resolved; an unknown one is a usage error).
    opts.models = options.models.split(',').map((m) => modelOption({ model: m.trim() })!);
  }
  const epochs = intOption(options, 'epochs', 1, 100_000);
  if (epochs !== undefined) opts.epochs = epochs;
  opts.learned = options['unlearned-only'] !== true;
  opts.curveFolds = intOption(options, 'curve-folds', 1, 50) ?? opts.curveFolds;
  const curveOnly = typeof options['learning-curve'] === 'string';
  const sizes = curveOnly ? options['learning-curve'] : options.curve;
  if (typeof sizes === 'string') {
    opts.curve = sizes.split(',').map((x) => Number(x.trim()));
    if (opts.curve.some((n) => !Number.isInteger(n) || n < 10))
      throw new UsageError('--curve takes training sizes of at least 10 songs, e.g. 100,200,300');
    if (!opts.learned) throw new UsageError('--curve trains models: leave out --unlearned-only');
  }
  if (opts.learned) {
    const backend = await selectBackend(backendOption(options));
    ctx.stderr(`Backend: ${backend.name} — ${backend.device}`);
  }
  const db = ctx.openDb();
  let dataset;
  try {
    dataset = loadLibraryDataset(db);
  } catch (error) {
    if (error instanceof NotReadyError) throw new UsageError(error.message);
    throw error;
  } finally {
    db.close();
  }
  if (dataset.songs.length < 60)
    throw new UsageError(`only ${dataset.songs.length} songs have features and topics; the nested evaluation needs at least 60`);
  let cancelled = false;
  const onSigint = () => (cancelled = true);
  process.once('SIGINT', onSigint);
  try {
    const outerFold = intOption(options, 'outer-fold', 1, opts.outerFolds);
    if (outerFold !== undefined) {
      const { development } = sealedSplit(dataset.songs, opts.sealFraction);
      const fold = await nestedLearnedFold(
        dataset,
        new DatasetMetrics(dataset),
        development,
        outerFold - 1,
        opts,
        (line) => ctx.stderr(line),
        () => cancelled,
      );
      printJson(ctx, {
        kind: 'learned-fold',
        settings: opts,
        fold: outerFold,
        candidateNames: fold.candidates.map(configName),
        ...fold,
      });
      return 0;
    }
    const finalOnly = options['sealed-final'];
    if (finalOnly !== undefined) {
      if (finalOnly !== 'learned' && finalOnly !== 'unlearned') throw new UsageError('--sealed-final takes learned or unlearned');
      const final = await sealedFinal(
        dataset,
        new DatasetMetrics(dataset),
        finalOnly,
        opts,
        (line) => ctx.stderr(line),
        () => cancelled,
      );
      printJson(ctx, { kind: 'sealed-final', settings: opts, final });
      return 0;
    }
    if (curveOnly) {
      const points = await learningCurve(
        dataset,
        opts,
        (line) => ctx.stderr(line),
        () => cancelled,
      );
      const chance = learningCurveChance(dataset, opts);
      if (typeof options.svg === 'string') writeFileSync(options.svg, learningCurveSvg(points, chance));
      if (ctx.json) printJson(ctx, { kind: 'learning-curve', settings: opts, chance, points });
      else ctx.stdout(formatCurveMarkdown(points, opts.curveFolds));
      return 0;
    }
    const report = await runNestedEvaluation(
      dataset,
      opts,
      (line) => ctx.stderr(line),
      () => cancelled,
    );
    if (ctx.json) printJson(ctx, report);
    else ctx.stdout(formatNestedMarkdown(report, options['all-configs'] === true));
    return 0;
  } catch (error) {
    if (cancelled) {
      ctx.stderr('Evaluation cancelled.');
      return 130;
    }
    throw error;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
