import type { Database } from 'better-sqlite3';
import {
  RecommendError,
  RecommendIndex,
  topicQueue,
  type QueueRules,
  type Recommendation,
} from '../../core/recommend/recommender.ts';
import type { Command } from '../command.ts';
import { printJson, UsageError, type CommandContext } from '../context.ts';
import { intOption, type Options } from './model.ts';

/** Options of the queue rules, shared by recommend, similar and playlist save. */
export const QUEUE_OPTION_SPECS = {
  n: { type: 'string', short: 'n' },
  adventurous: { type: 'string' },
  recent: { type: 'string' },
  spacing: { type: 'string' },
  seed: { type: 'string' },
  explain: { type: 'boolean', default: false },
} as const;

export const QUEUE_USAGE = '[-n 20] [--adventurous 0..1] [--recent 20] [--spacing 1] [--seed S]';

export function queueRules(options: Options): QueueRules {
  const rules: QueueRules = { n: intOption(options, 'n', 1, 10_000) ?? 20 };
  if (options.adventurous !== undefined) {
    const t = Number(options.adventurous);
    if (typeof options.adventurous !== 'string' || !Number.isFinite(t) || t < 0 || t > 10)
      throw new UsageError(`--adventurous takes a number from 0 to 10, got ${String(options.adventurous)}`);
    rules.adventurous = t;
  }
  const recent = intOption(options, 'recent', 0, 100_000);
  if (recent !== undefined) rules.recentWindow = recent;
  const spacing = intOption(options, 'spacing', 0, 100);
  if (spacing !== undefined) rules.artistSpacing = spacing;
  const seed = intOption(options, 'seed', 0, 2 ** 31 - 1);
  if (seed !== undefined) rules.seed = seed;
  return rules;
}

/** `--topics 1,4` → [1, 4] (ids as `cadenza topics show` prints them). */
export function topicsOption(options: Options, required: boolean): number[] {
  const raw = options.topics;
  if (raw === undefined) {
    if (required) throw new UsageError('--topics is required, e.g. --topics 1,4 (ids from `cadenza topics show`)');
    return [];
  }
  const ids = String(raw)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (ids.length === 0 || ids.some((s) => !/^\d+$/.test(s) || Number(s) < 1 || Number(s) > 64))
    throw new UsageError(`--topics takes topic ids like 1,4, got ${String(raw)}`);
  return [...new Set(ids.map(Number))];
}

export function openIndex(ctx: CommandContext, db: Database): RecommendIndex {
  const index = RecommendIndex.load(db, ctx.dataDir);
  if (!index) throw new UsageError('no trained model yet: run `cadenza train`');
  if (index.count === 0) throw new UsageError('no song has an embedding under the active model: run `cadenza model embed`');
  return index;
}

/** Runs a recommendation, turning its input errors into usage errors. */
export function recommendOrUsage<T>(f: () => T): T {
  try {
    return f();
  } catch (error) {
    if (error instanceof RecommendError || error instanceof RangeError) throw new UsageError(error.message);
    throw error;
  }
}

export function printTracks(ctx: CommandContext, tracks: Recommendation[], explain: boolean): void {
  if (ctx.json) {
    printJson(ctx, {
      tracks: tracks.map((t) => ({
        id: t.id,
        path: t.path,
        artist: t.artist,
        title: t.title,
        distance: t.distance,
        why: t.why.text,
        explanation: t.why,
      })),
    });
    return;
  }
  if (tracks.length === 0) ctx.stdout('No songs left under these rules.');
  tracks.forEach((t, i) => {
    const name = [t.artist, t.title].filter(Boolean).join(' – ') || t.path;
    ctx.stdout(`${String(i + 1).padStart(3)}. ${name}  [${t.id}]  D ${t.distance.toFixed(3)}`);
    if (explain) ctx.stdout(`     why: ${t.why.text}`);
  });
}

export const recommendCommand: Command = {
  name: 'recommend',
  summary: 'a queue for a topic selection, ranked by the active model (no repeats, no recent plays or dislikes, artists spaced)',
  usage: `cadenza recommend --topics 1,4 ${QUEUE_USAGE} [--explain] [--data-dir D] [--json]`,
  options: { topics: { type: 'string' }, ...QUEUE_OPTION_SPECS },
  run(ctx, args, options) {
    if (args.length > 0) throw new UsageError(`usage: ${this.usage}`);
    const topics = topicsOption(options, true);
    const rules = queueRules(options);
    const db = ctx.openDb();
    try {
      const index = openIndex(ctx, db);
      const tracks = recommendOrUsage(() => topicQueue(db, index, topics, rules));
      printTracks(ctx, tracks, options.explain === true);
      return 0;
    } finally {
      db.close();
    }
  },
};
