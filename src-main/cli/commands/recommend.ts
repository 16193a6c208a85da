import type { Database } from 'better-sqlite3';
import {
  RecommendError,
  RecommendIndex,
  TOPIC_RANKINGS,
  topicQueue,
  type QueueRules,
  type Recommendation,
  type TopicQueueOptions,
  type TopicRanking,
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
  'max-per-artist': { type: 'string' },
  'max-per-album': { type: 'string' },
  energy: { type: 'string' },
  tempo: { type: 'string' },
  'energy-curve': { type: 'string' },
} as const;

export const QUEUE_USAGE =
  '[-n 20] [--adventurous 0..1] [--recent 20] [--spacing 1] [--max-per-artist N] [--max-per-album N] [--energy -1..1] [--tempo 90-130] [--energy-curve rising|falling] [--seed S]';

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
  return { ...rules, ...mixLimitOptions(options), ...energyOptions(options) };
}

/** --max-per-artist N, --max-per-album N and --tempo LO-HI (every mix, paths too). */
export function mixLimitOptions(options: Options): QueueRules {
  const rules: QueueRules = {};
  const artist = intOption(options, 'max-per-artist', 1, 1000);
  if (artist !== undefined) rules.maxPerArtist = artist;
  const album = intOption(options, 'max-per-album', 1, 1000);
  if (album !== undefined) rules.maxPerAlbum = album;
  if (options.tempo !== undefined) {
    const m = /^\s*(\d+(?:\.\d+)?)\s*-\s*(\d+(?:\.\d+)?)\s*$/.exec(String(options.tempo));
    const [min, max] = m ? [Number(m[1]), Number(m[2])] : [NaN, NaN];
    if (!(min <= max && max <= 400)) throw new UsageError(`--tempo takes a BPM range like 90-130, got ${String(options.tempo)}`);
    rules.tempo = { min, max };
  }
  return rules;
}

/** --energy −1..1 (calmer ↔ more energetic) and --energy-curve rising|falling (queues, not paths). */
function energyOptions(options: Options): QueueRules {
  const rules: QueueRules = {};
  if (options.energy !== undefined) {
    const e = Number(options.energy);
    if (typeof options.energy !== 'string' || options.energy.trim() === '' || !(e >= -1 && e <= 1))
      throw new UsageError(`--energy takes a number from -1 (calmer) to 1 (more energetic), got ${String(options.energy)}`);
    rules.energy = e;
  }
  const curve = options['energy-curve'];
  if (curve !== undefined) {
    if (curve !== 'rising' && curve !== 'falling')
      throw new UsageError(`--energy-curve takes rising or falling, got ${String(curve)}`);
    rules.energyCurve = curve;
  }
  return rules;
}

/** `--topics 1,4` → [1, 4] (ids as `cadenza topics show` prints them). */
export function topicsOption(options: Options, required: boolean): number[] {
  const selection = topicSelectionOption(options, required, false);
  return selection.topics;
}

/**
 * `--topics 1,4` or, where weights are allowed, `--topics 1:2,4:1` (topic 1 twice the share of 4):
 * the ids and, when any is weighted, one weight per id (unweighted ids weigh 1).
 */
export function topicSelectionOption(
  options: Options,
  required: boolean,
  weighted = true,
): { topics: number[]; weights?: number[] } {
  const raw = options.topics;
  if (raw === undefined) {
    if (required) throw new UsageError('--topics is required, e.g. --topics 1,4 (ids from `cadenza topics show`)');
    return { topics: [] };
  }
  const form = weighted ? 'topic ids like 1,4 or weighted ids like 1:2,4:1' : 'topic ids like 1,4';
  const items = String(raw)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const topics: number[] = [];
  const weights: number[] = [];
  for (const item of items) {
    const m = weighted ? /^(\d+)(?::(\d+(?:\.\d+)?))?$/.exec(item) : /^(\d+)()$/.exec(item);
    const id = m ? Number(m[1]) : NaN;
    const weight = m?.[2] ? Number(m[2]) : 1;
    if (!m || id < 1 || id > 64 || !(weight > 0 && weight <= 100))
      throw new UsageError(`--topics takes ${form} (weights from above 0 to 100), got ${String(raw)}`);
    if (topics.includes(id)) {
      if (m[2]) throw new UsageError(`--topics names topic ${id} twice`);
      continue;
    }
    topics.push(id);
    weights.push(weight);
  }
  if (topics.length === 0) throw new UsageError(`--topics takes ${form}, got ${String(raw)}`);
  return weights.some((w) => w !== 1) ? { topics, weights } : { topics };
}

/** `--ranking blend|nearest` (default blend). */
export function rankingOption(options: Options): TopicRanking {
  const raw = options.ranking ?? 'blend';
  if (!(TOPIC_RANKINGS as readonly unknown[]).includes(raw))
    throw new UsageError(`--ranking takes ${TOPIC_RANKINGS.join(' or ')}, got ${String(raw)}`);
  return raw as TopicRanking;
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
  summary:
    "a queue for a topic selection: every selected topic its share (weights: --topics 1:2,4:1), ranked by the active model and the songs' tags (no repeats, no recent plays or dislikes, artists spaced); --ranking nearest for the paper's",
  usage: `cadenza recommend --topics 1,4|1:2,4:1 [--ranking blend|nearest] ${QUEUE_USAGE} [--explain] [--data-dir D] [--json]`,
  options: { topics: { type: 'string' }, ranking: { type: 'string' }, ...QUEUE_OPTION_SPECS },
  run(ctx, args, options) {
    if (args.length > 0) throw new UsageError(`usage: ${this.usage}`);
    const { topics, weights } = topicSelectionOption(options, true);
    const ranking = rankingOption(options);
    if (ranking === 'nearest' && weights)
      throw new UsageError('weights need --ranking blend: the nearest ranking has one query point');
    const rules: TopicQueueOptions = { ...queueRules(options), ranking, ...(weights ? { weights } : {}) };
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
