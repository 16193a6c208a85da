import fs from 'node:fs';
import {
  fitLibraryTopics,
  fitTagDocuments,
  NoTaggedSongsError,
  showTopics,
  summarizeTopics,
} from '../../core/topics/library-topics.ts';
import type { TopicFitOptions, TopicSummary } from '../../core/topics/library-topics.ts';
import { parseTagFile, tagDocuments, TagFileError } from '../../core/topics/tag-file.ts';
import type { Command } from '../command.ts';
import type { CommandContext } from '../context.ts';
import { printJson, UsageError } from '../context.ts';
import { ProgressBar } from '../progress-bar.ts';

type Options = Record<string, string | boolean | string[] | boolean[] | undefined>;

function numberOption(options: Options, name: string, check: (n: number) => boolean, what: string): number | undefined {
  const raw = options[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !check(n))
    throw new UsageError(`--${name} takes ${what}, got ${String(raw)}`);
  return n;
}

function fitOptions(options: Options): TopicFitOptions {
  const out: TopicFitOptions = {};
  const k = numberOption(options, 'k', (n) => Number.isInteger(n) && n >= 1 && n <= 100, 'an integer from 1 to 100');
  const seed = numberOption(options, 'seed', (n) => Number.isSafeInteger(n), 'an integer');
  const sweeps = numberOption(
    options,
    'sweeps',
    (n) => Number.isInteger(n) && n >= 1 && n <= 100_000,
    'an integer from 1 to 100000',
  );
  const alpha = numberOption(options, 'alpha', (n) => Number.isFinite(n) && n > 0, 'a number > 0');
  const beta = numberOption(options, 'beta', (n) => Number.isFinite(n) && n > 0, 'a number > 0');
  const minDocFreq = numberOption(options, 'min-doc-freq', (n) => Number.isInteger(n) && n >= 1, 'an integer ≥ 1');
  if (k !== undefined) out.k = k;
  if (seed !== undefined) out.seed = seed;
  if (sweeps !== undefined) out.sweeps = sweeps;
  if (alpha !== undefined) out.alpha = alpha;
  if (beta !== undefined) out.beta = beta;
  if (minDocFreq !== undefined) out.minDocFreq = minDocFreq;
  return out;
}

function printTopics(ctx: CommandContext, topics: readonly TopicSummary[]): void {
  for (const t of topics) {
    ctx.stdout(`Topic ${t.id}: ${t.label}  (${t.songs} song${t.songs === 1 ? '' : 's'})`);
    ctx.stdout(`  ${t.topTags.join(', ')}`);
  }
}

/** Runs `body` with a progress bar and Ctrl-C cancelling the fit; returns 130 when cancelled. */
async function withCancel<T>(body: (opts: TopicFitOptions) => Promise<T>, base: TopicFitOptions): Promise<T | 130> {
  const bar = new ProgressBar();
  const controller = new AbortController();
  const onSigint = () => controller.abort(new Error('cancelled'));
  process.once('SIGINT', onSigint);
  try {
    return await body({ ...base, signal: controller.signal, onProgress: (p) => bar.update('Fitting topics (sweeps)', p) });
  } catch (error) {
    if (controller.signal.aborted) return 130;
    throw error;
  } finally {
    bar.done();
    process.off('SIGINT', onSigint);
  }
}

export const topicsCommand: Command = {
  name: 'topics',
  summary: 'fit the tag topics (LDA, K = 7) on the library or a tag file, or show them',
  usage:
    'cadenza topics fit [--k 7] [--seed N] [--sweeps N] [--alpha A] [--beta B] [--min-doc-freq N] [--tags-file FILE] [--json]\n' +
    '       cadenza topics show [--json]',
  options: {
    k: { type: 'string' },
    seed: { type: 'string' },
    sweeps: { type: 'string' },
    alpha: { type: 'string' },
    beta: { type: 'string' },
    'min-doc-freq': { type: 'string' },
    'tags-file': { type: 'string' },
  },
  async run(ctx, [action, ...rest], options) {
    if ((action !== 'fit' && action !== 'show') || rest.length > 0) throw new UsageError(`usage: ${this.usage}`);
    if (action === 'show') {
      for (const name of ['k', 'seed', 'sweeps', 'alpha', 'beta', 'min-doc-freq', 'tags-file']) {
        if (options[name] !== undefined) throw new UsageError(`--${name} is an option of \`topics fit\``);
      }
      const db = ctx.openDb();
      try {
        const topics = showTopics(db);
        if (ctx.json) printJson(ctx, { topics });
        else if (topics.length === 0) ctx.stdout('No topics yet: run `cadenza topics fit`.');
        else printTopics(ctx, topics);
        return 0;
      } finally {
        db.close();
      }
    }
    const base = fitOptions(options);
    const tagsFile = options['tags-file'];
    if (typeof tagsFile === 'string') return fitTagsFile(ctx, tagsFile, base);
    const db = ctx.openDb();
    try {
      const result = await withCancel((opts) => fitLibraryTopics(db, opts), base).catch((error: unknown) => {
        if (error instanceof NoTaggedSongsError) throw new UsageError(error.message);
        throw error;
      });
      if (result === 130) {
        ctx.stderr('Topic fit cancelled; the previous topics are kept.');
        return 130;
      }
      if (ctx.json) {
        printJson(ctx, result);
        return 0;
      }
      ctx.stdout(
        `Fitted ${result.k} topics on ${result.tagged} tagged song(s) (${result.untagged} without tags get none), ` +
          `${result.vocabularySize} tags, ${result.sweeps} sweeps, seed ${result.seed}, in ${(result.elapsedMs / 1000).toFixed(1)} s`,
      );
      ctx.stdout(
        `Topic model ${result.fingerprint}` +
          (result.previousFingerprint === null
            ? ''
            : result.changed
              ? ` (changed from ${result.previousFingerprint})`
              : ' (unchanged)'),
      );
      printTopics(ctx, result.topics);
      return 0;
    } finally {
      db.close();
    }
  },
};

async function fitTagsFile(ctx: CommandContext, file: string, base: TopicFitOptions): Promise<number> {
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new UsageError(`not a file: ${file}`);
  let docs: string[][];
  try {
    docs = tagDocuments(parseTagFile(fs.readFileSync(file, 'utf8'))).docs;
  } catch (error) {
    if (error instanceof TagFileError) throw new UsageError(`${file}: ${error.message}`);
    throw error;
  }
  const fitted = await withCancel((opts) => fitTagDocuments(docs, opts), base).catch((error: unknown) => {
    if (error instanceof NoTaggedSongsError) throw new UsageError(`${file}: ${error.message}`);
    throw error;
  });
  if (fitted === 130) {
    ctx.stderr('Topic fit cancelled.');
    return 130;
  }
  const topics = summarizeTopics(fitted);
  const tagged = fitted.docs.filter((d) => d.length > 0).length;
  const summary = {
    file,
    fingerprint: fitted.fingerprint,
    k: fitted.model.k,
    seed: fitted.model.seed,
    sweeps: fitted.model.sweeps,
    alpha: fitted.model.alpha,
    beta: fitted.model.beta,
    minDocFreq: fitted.minDocFreq,
    songs: fitted.docs.length,
    tagged,
    untagged: fitted.docs.length - tagged,
    vocabularySize: fitted.vocab.length,
    tokens: fitted.model.numTokens,
    elapsedMs: fitted.elapsedMs,
    topics,
  };
  if (ctx.json) {
    printJson(ctx, summary);
    return 0;
  }
  ctx.stdout(
    `Fitted ${summary.k} topics on ${tagged} tagged song(s) of ${summary.songs} in ${file} (not stored): ${summary.vocabularySize} tags, ` +
      `${summary.tokens} tag tokens, ${summary.sweeps} sweeps, seed ${summary.seed}, in ${(summary.elapsedMs / 1000).toFixed(1)} s` +
      `; topic model ${summary.fingerprint}`,
  );
  printTopics(ctx, topics);
  return 0;
}
