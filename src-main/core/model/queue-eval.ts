/**
 * Topic queues measured as the listener gets them (docs/recommend.md#blended-topic-queue): for every
 * topic group, the whole set of songs ranked by the paper's plain nearest (D to π(k-hot)) and by the
 * blend (each selected topic its equal share, interleaved), then precision@10, pairwise (by position)
 * and, for groups of 2 and 3 topics, the share of the least-represented selected topic among the
 * first 10 and 20 (each song counted once, for its dominant topic; ideal 1/k). Two settings:
 * cold start (held-out songs, ranked by audio alone) and in library (the training songs, tagged: the
 * blend ranks them by their own tag mix with the audio model). Same trained model for all.
 */
import { blendQueue, type Lane, type RankTracks } from '../recommend/ranking.ts';
import { addTagMixes, distancesToAudioLanes, selectionLanes } from '../recommend/topic-lanes.ts';
import { createRng } from '../topics/rng.ts';
import { allGroups, groupVector, inputMatrix, standardize, topicMask, type Dataset, type Song } from './data.ts';
import { hasTopicHead, Network } from './network.ts';
import * as tf from '@tensorflow/tfjs';
import { distanceMatrix, embedRows, embedUsers } from './step.ts';
import type { TrainedModel } from './trainer.ts';

export interface QueueMetrics {
  /** Over all groups: share of the first 10 whose dominant topic is in the group. */
  precision10: number;
  /** The same over the single-topic groups. */
  singlePrecision10: number;
  /** Share of (positive, negative) pairs with the positive ranked first, mean over groups. */
  pairwise: number;
  /** Mean over 2-topic groups of min over the selected topics of (songs of that topic in the first 10) / 10. */
  minority2at10: number;
  minority2at20: number;
  /** The same over 3-topic groups. */
  minority3at10: number;
  minority3at20: number;
}

/** The rankings compared in one setting. */
export const QUEUE_RANKINGS = [
  'nearest',
  'blend',
  'blendAudioOnly',
  'blendNotExclusive',
  'blendByDistance',
  'blendByHead',
  'blendHeadAndMix',
  'chance',
] as const;
export type QueueRanking = (typeof QUEUE_RANKINGS)[number];

export interface QueueSetting {
  /** Rankings measured (cold start has no tags to use, so no blendAudioOnly there). */
  rankings: Partial<Record<QueueRanking, QueueMetrics>>;
  /** The best minority shares any queue could reach on these songs (too few songs of a topic caps it). */
  attainable: Pick<QueueMetrics, 'minority2at10' | 'minority2at20' | 'minority3at10' | 'minority3at20'>;
  songs: number;
}

export interface QueueEvaluation {
  coldStart: QueueSetting;
  inLibrary: QueueSetting;
}

/** Ranks every song for one group: an order of song positions, best first. */
type Ranker = (group: number) => number[];

/** The metrics of a ranking over the given songs (judged by their dominant topic). */
export function queueMetrics(songs: readonly Song[], k: number, ranker: Ranker): QueueMetrics {
  const groups = allGroups(k);
  const masks = songs.map((s) => topicMask(s.topics));
  const sums = {
    p10: 0,
    p10n: 0,
    single: 0,
    singleN: 0,
    pair: 0,
    pairN: 0,
    m2at10: 0,
    m2at20: 0,
    m2n: 0,
    m3at10: 0,
    m3at20: 0,
    m3n: 0,
  };
  for (const g of groups) {
    const order = ranker(g);
    const isPos = (i: number) => (g & (1 << songs[i]!.dominant)) !== 0;
    const size = popcount(g);
    if (songs.some((_, i) => isPos(i))) {
      const top = order.slice(0, 10);
      const p = top.filter(isPos).length / Math.max(1, top.length);
      sums.p10 += p;
      sums.p10n++;
      if (size === 1) {
        sums.single += p;
        sums.singleN++;
      }
    }
    let negativesSeen = 0;
    let right = 0;
    let pos = 0;
    let neg = 0;
    // Walking the order from the end: a positive is ranked above every negative seen after it.
    for (let r = order.length - 1; r >= 0; r--) {
      const i = order[r]!;
      if (isPos(i)) {
        right += negativesSeen;
        pos++;
      } else if ((g & masks[i]!) === 0) {
        negativesSeen++;
        neg++;
      }
    }
    if (pos > 0 && neg > 0) {
      sums.pair += right / (pos * neg);
      sums.pairN++;
    }
    if (size === 2 || size === 3) {
      const m10 = minorityShare(order, songs, g, 10);
      const m20 = minorityShare(order, songs, g, 20);
      if (size === 2) {
        sums.m2at10 += m10;
        sums.m2at20 += m20;
        sums.m2n++;
      } else {
        sums.m3at10 += m10;
        sums.m3at20 += m20;
        sums.m3n++;
      }
    }
  }
  const div = (a: number, b: number) => a / Math.max(1, b);
  return {
    precision10: div(sums.p10, sums.p10n),
    singlePrecision10: div(sums.single, sums.singleN),
    pairwise: div(sums.pair, sums.pairN),
    minority2at10: div(sums.m2at10, sums.m2n),
    minority2at20: div(sums.m2at20, sums.m2n),
    minority3at10: div(sums.m3at10, sums.m3n),
    minority3at20: div(sums.m3at20, sums.m3n),
  };
}

/** min over the group's topics of (first `n` songs whose dominant topic it is) / n. */
export function minorityShare(order: readonly number[], songs: readonly Song[], group: number, n: number): number {
  const top = order.slice(0, n);
  let min = Infinity;
  for (let t = 0; t < 31; t++) {
    if (!(group & (1 << t))) continue;
    min = Math.min(min, top.filter((i) => songs[i]!.dominant === t).length);
  }
  return top.length ? min / n : 0;
}

/** The best minority shares on these songs: each topic can give at most its songs and n / k slots. */
function attainable(songs: readonly Song[], k: number): QueueSetting['attainable'] {
  const available = Array.from({ length: k }, (_, t) => songs.filter((s) => s.dominant === t).length);
  const mean = (size: number, n: number) => {
    let sum = 0;
    let count = 0;
    for (const g of allGroups(k)) {
      if (popcount(g) !== size) continue;
      let min = Infinity;
      for (let t = 0; t < k; t++) if (g & (1 << t)) min = Math.min(min, available[t]!);
      sum += Math.min(min, Math.floor(n / size)) / n;
      count++;
    }
    return sum / Math.max(1, count);
  };
  return { minority2at10: mean(2, 10), minority2at20: mean(2, 20), minority3at10: mean(3, 10), minority3at20: mean(3, 20) };
}

function popcount(x: number): number {
  let c = 0;
  for (; x; x &= x - 1) c++;
  return c;
}

/** Plain ranking of a distance row (ties by position, as userToSongMetrics). */
function orderOf(row: Float32Array): number[] {
  return Array.from(row.keys()).sort((a, b) => row[a]! - row[b]! || a - b);
}

/** The blend's whole order over n songs: no artist or song rules here, only the shares and the lanes. */
function blendOrder(lanes: Lane[], n: number, exclusive = true): number[] {
  const tracks: RankTracks = { count: n, artistKey: new Int32Array(n).fill(-1), songKey: new Int32Array(n).fill(-1) };
  return blendQueue(tracks, lanes, { n, exclude: new Set(), artistSpacing: 0, exclusiveLanes: exclusive }).map((r) => r.index);
}

const groupTopics = (g: number, k: number) =>
  Array.from({ length: k }, (_, t) => t)
    .filter((t) => g & (1 << t))
    .map((t) => t + 1);

/** One seeded random order per group: the chance row. */
function chanceRanker(n: number, seed: number): (g: number) => number[] {
  return (g) => {
    const rng = createRng(seed * 1000 + g);
    const order = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    return order;
  };
}

async function settingOf(
  net: Network,
  trained: TrainedModel,
  dataset: Dataset,
  rows: readonly number[],
  useTags: boolean,
  seed: number,
): Promise<QueueSetting> {
  const k = dataset.k;
  const songs = rows.map((i) => dataset.songs[i]!);
  const n = songs.length;
  const input = inputMatrix(dataset, trained.config.input);
  const items = await embedRows(net, standardize(input.data, input.width, trained.standardizer, rows));
  const groups = allGroups(k);
  const users = new Float32Array(groups.length * k);
  groups.forEach((g, i) => users.set(groupVector(g, k), i * k));
  // Row g − 1 is group g; the single-topic rows (1, 2, 4, …) give the lanes' distances.
  const d = await distanceMatrix(net, await embedUsers(net, users), items);
  const distanceLanes = () => {
    const table = new Float32Array(k * n);
    for (let t = 0; t < k; t++) table.set(d.subarray(((1 << t) - 1) * n, (1 << t) * n), t * n);
    return table;
  };
  // Any audio lane table (the mix predicted from D, the head's) with each tagged song's own mix added, in a copy.
  const withTags = (audio: Float32Array, tags: boolean) => {
    if (!tags) return audio;
    const table = Float32Array.from(audio);
    addTagMixes(table, k, (i) => songs[i]!.theta ?? null);
    return table;
  };
  const audioLanes = distanceLanes();
  distancesToAudioLanes(audioLanes, k);
  const mainLanes = withTags(audioLanes, useTags);
  const byDistance = distanceLanes();
  const blendOf =
    (table: Float32Array, exclusive = true) =>
    (g: number) =>
      blendOrder(selectionLanes(table, k, groupTopics(g, k)), n, exclusive);
  const rankings: QueueSetting['rankings'] = {
    nearest: queueMetrics(songs, k, (g) => orderOf(d.subarray((g - 1) * n, g * n))),
    blend: queueMetrics(songs, k, blendOf(mainLanes)),
    blendNotExclusive: queueMetrics(songs, k, blendOf(mainLanes, false)),
    chance: queueMetrics(songs, k, chanceRanker(n, seed)),
  };
  if (hasTopicHead(trained.config)) {
    const head = await headLaneTable(net, items, n, k);
    rankings.blendByHead = queueMetrics(songs, k, blendOf(withTags(head, useTags)));
    const mixed = new Float32Array(k * n);
    for (let j = 0; j < mixed.length; j++) mixed[j] = 0.5 * (head[j]! + audioLanes[j]!);
    rankings.blendHeadAndMix = queueMetrics(songs, k, blendOf(withTags(mixed, useTags)));
  }
  if (useTags) rankings.blendAudioOnly = queueMetrics(songs, k, blendOf(audioLanes));
  // D's scale differs by topic, so distance lanes cannot decide which lane a song belongs to.
  else rankings.blendByDistance = queueMetrics(songs, k, blendOf(byDistance, false));
  return { rankings, attainable: attainable(songs, k), songs: n };
}

/** −softmax(head logits) per song, topic-major (k × n): the head's topic mix as lane scores. */
async function headLaneTable(net: Network, items: Float32Array, n: number, k: number): Promise<Float32Array> {
  const probs = tf.tidy(() => tf.softmax(net.topicLogits(tf.tensor2d(items, [n, net.config.embedding]))));
  const p = (await probs.data()) as Float32Array;
  probs.dispose();
  const table = new Float32Array(k * n);
  for (let i = 0; i < n; i++) for (let t = 0; t < k; t++) table[t * n + i] = -p[i * k + t]!;
  return table;
}

/**
 * Both settings for one trained fold model: cold start on `test` (audio only, as for a new song) and
 * in library on `library` (songs the model trained on, ranked with their tags).
 */
export async function evaluateQueues(
  trained: TrainedModel,
  dataset: Dataset,
  split: { test: readonly number[]; library: readonly number[]; seed: number },
): Promise<QueueEvaluation> {
  const net = new Network(trained.config, trained.weights);
  try {
    return {
      coldStart: await settingOf(net, trained, dataset, split.test, false, split.seed),
      inLibrary: await settingOf(net, trained, dataset, split.library, true, split.seed),
    };
  } finally {
    net.dispose();
  }
}

type QueueStat = { mean: number; std: number };
export type QueueSettingStats = {
  rankings: Partial<Record<QueueRanking, Record<keyof QueueMetrics, QueueStat>>>;
  attainable: Record<keyof QueueSetting['attainable'], QueueStat>;
  songs: number[];
};
export interface QueueReport {
  coldStart: QueueSettingStats;
  inLibrary: QueueSettingStats;
}

function meanStd(xs: number[]): QueueStat {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const std = xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1)) : 0;
  return { mean, std };
}

function statsOf<T extends object>(values: T[]): Record<keyof T, QueueStat> {
  const out = {} as Record<keyof T, QueueStat>;
  for (const key of Object.keys(values[0]!) as (keyof T)[]) out[key] = meanStd(values.map((v) => v[key] as number));
  return out;
}

/** Mean ± sd over the splits. */
export function queueReport(runs: readonly QueueEvaluation[]): QueueReport {
  const setting = (pick: (q: QueueEvaluation) => QueueSetting): QueueSettingStats => {
    const settings = runs.map(pick);
    const rankings: QueueSettingStats['rankings'] = {};
    for (const r of QUEUE_RANKINGS) {
      const values = settings.map((s) => s.rankings[r]).filter((m): m is QueueMetrics => m !== undefined);
      if (values.length) rankings[r] = statsOf(values);
    }
    return { rankings, attainable: statsOf(settings.map((s) => s.attainable)), songs: settings.map((s) => s.songs) };
  };
  return { coldStart: setting((q) => q.coldStart), inLibrary: setting((q) => q.inLibrary) };
}

/** One line per fold for the log. */
export function queueLogLine(q: QueueEvaluation): string {
  const f = (m: QueueMetrics | undefined) =>
    m
      ? `P@10 ${m.precision10.toFixed(3)}, single ${m.singlePrecision10.toFixed(3)}, minority 2@20 ${m.minority2at20.toFixed(3)}, 3@20 ${m.minority3at20.toFixed(3)}`
      : '—';
  return (
    `  queues cold start: nearest ${f(q.coldStart.rankings.nearest)} | blend ${f(q.coldStart.rankings.blend)} | by head ${f(q.coldStart.rankings.blendByHead)} | head + mix ${f(q.coldStart.rankings.blendHeadAndMix)}\n` +
    `  queues in library: nearest ${f(q.inLibrary.rankings.nearest)} | blend ${f(q.inLibrary.rankings.blend)} | blend audio only ${f(q.inLibrary.rankings.blendAudioOnly)}`
  );
}

const LABELS: Record<QueueRanking, string> = {
  nearest: "nearest to π(selection) (the paper's)",
  blend: 'blend',
  blendAudioOnly: 'blend, audio only (tags ignored)',
  blendNotExclusive: 'blend, a song may fill any lane that ranks it high (not only its best)',
  blendByDistance: 'blend, lanes ranked by D(π(topic), φ) instead of the predicted mix',
  blendByHead: "blend, lanes ranked by the topic head's softmax instead of the mix predicted from D",
  blendHeadAndMix: "blend, lanes ranked by the mean of the head's softmax and the mix predicted from D",
  chance: 'chance (a random order)',
};

/** The queue tables as markdown (percentages, mean ± sd over the splits). */
export function formatQueueMarkdown(r: QueueReport): string {
  const pct = (s: QueueStat) => `${(100 * s.mean).toFixed(1)} ± ${(100 * s.std).toFixed(1)}`;
  const table = (title: string, s: QueueSettingStats) => [
    `${title} (songs per split: ${s.songs.join(', ')})`,
    '',
    '| ranking | precision@10 (all groups) | single-topic P@10 | pairwise | minority share, 2 topics @10 / @20 | minority share, 3 topics @10 / @20 |',
    '| --- | --- | --- | --- | --- | --- |',
    ...QUEUE_RANKINGS.filter((k) => s.rankings[k]).map((k) => {
      const m = s.rankings[k]!;
      return `| ${LABELS[k]} | ${pct(m.precision10)} | ${pct(m.singlePrecision10)} | ${pct(m.pairwise)} | ${pct(m.minority2at10)} / ${pct(m.minority2at20)} | ${pct(m.minority3at10)} / ${pct(m.minority3at20)} |`;
    }),
    `| attainable on these songs (ideal 50 / 33.3) | | | | ${pct(s.attainable.minority2at10)} / ${pct(s.attainable.minority2at20)} | ${pct(s.attainable.minority3at10)} / ${pct(s.attainable.minority3at20)} |`,
  ];
  return [
    ...table('Topic queues, cold start: held-out songs, ranked by audio alone', r.coldStart),
    '',
    ...table(
      'Topic queues, in library: the training songs, the blend ranks them by their tags with the audio model',
      r.inLibrary,
    ),
  ].join('\n');
}
