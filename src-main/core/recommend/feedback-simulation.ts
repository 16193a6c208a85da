/**
 * Does feedback help? (`cadenza eval --feedback`, docs/benchmarks.md, "Feedback: does it help?"). A simulated listener
 * has a hidden taste that no topic names (e.g. one arousal/valence quadrant of mer-dev's tracks.csv).
 * Starting from a neutral selection (per seed, a random pair of topics: chosen without regard to the
 * taste, the same for every listener and arm), it goes through the queue: it likes a queued song of
 * its taste and dislikes or skips (a seeded coin) any other, 5 events a round. Three arms, each on a
 * fresh state: no feedback (it only plays), feedback with the re-ranking alone, and feedback with a
 * retrain (`fineTuneFromFeedback`, kept only if held-out P@10 holds) after every round. Measured: the
 * share of the next queue's first 10 songs that match the taste after 0, 5, 10, 20 … events, with
 * chance (the taste's share of the songs still to hear) beside. In the retrain arm the same queue is
 * also ranked by the retrained model without the re-ranking and by the base model with it, so the two
 * parts can be told apart. It runs on a copy of the library (nothing is written to the listener's own).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Database as Db } from 'better-sqlite3';
import { openLibraryDatabase } from '../db/open.ts';
import type { BackendName } from '../model/backend.ts';
import { activateModel, activeModel } from '../model/store.ts';
import { parseDelimited } from '../topics/tag-file.ts';
import { createRng } from '../topics/rng.ts';
import { currentTopicModel } from '../topics/library-topics.ts';
import { recordFeedback } from './feedback.ts';
import { TASTE_WEIGHT } from './ranking.ts';
import { RecommendIndex, topicQueue } from './recommender.ts';
import { fineTuneFromFeedback, type FineTuneOptions } from './retrain.ts';

export interface FeedbackSimulationOptions {
  /** Hidden taste per track id (e.g. 'Q1'); tracks without one never match. */
  taste: ReadonlyMap<number, string>;
  /** The tastes to simulate (one listener each); default every value of `taste`. */
  listeners?: readonly string[];
  /** Runs per listener (the dislike/skip coin and the queue's sampling). Default 3. */
  seeds?: number;
  firstSeed?: number;
  /** Events in all and per round (a retrain after each round in the retrain arm). Default 20 and 5. */
  events?: number;
  round?: number;
  /** Topics in each seed's neutral selection (random, seeded). Default 2. */
  selectionSize?: number;
  /** "Adventurous" of the queues (0 = the strict top; the seed samples beyond it). Default 0.1. */
  adventurous?: number;
  /** The re-ranking's taste-direction weight (recommender QueueRules.tasteWeight; absent: the default). */
  tasteWeight?: number;
  /** Fine-tune settings of each retrain. Default 2 epochs (the rest: FINE_TUNE_DEFAULTS). */
  retrain?: FineTuneOptions;
  backend?: BackendName;
}

export type Arm = 'none' | 'rerank' | 'retrain';
/** In the retrain arm, the listener's queue ranked without either part: retrained model, no re-rank; base model, re-rank. */
export type Part = 'retrainedNoRerank' | 'baseRerank';

export interface FeedbackRun {
  listener: string;
  seed: number;
  /** The neutral selection (1-based topics). */
  selection: number[];
  /** Hidden-taste precision@10 of the next queue after each checkpoint's events, per arm. */
  precision: Record<Arm | Part, number[]>;
  /** The taste's share of the songs left to hear (retrain arm's history), per checkpoint. */
  chance: number[];
  retrains: { accepted: number; refused: number; skipped: number };
}

export interface Stat {
  mean: number;
  std: number;
}

export interface FeedbackSimulationReport {
  settings: { selectionSize: number; adventurous: number; tasteWeight: number; round: number; retrain: FineTuneOptions };
  checkpoints: number[];
  listeners: string[];
  seeds: number;
  runs: FeedbackRun[];
  summary: Record<Arm | Part | 'chance', Stat[]>;
  retrains: { accepted: number; refused: number; skipped: number };
  songs: number;
  ms: number;
}

/** Reads a taste per track from a CSV with a `path` column (matched as a suffix of the track's path). */
export function tasteFromCsv(db: Db, file: string, column: string): Map<number, string> {
  const rows = parseDelimited(fs.readFileSync(file, 'utf8'), ',', true);
  const header = rows[0]?.fields.map((h) => h.trim().toLowerCase()) ?? [];
  const pathAt = header.indexOf('path');
  const valueAt = header.indexOf(column.toLowerCase());
  if (pathAt < 0 || valueAt < 0) throw new Error(`${file} needs a 'path' and a '${column}' column`);
  const bySuffix = new Map<string, string>();
  for (const r of rows.slice(1)) {
    const p = r.fields[pathAt]?.trim().replace(/\\/g, '/');
    const v = r.fields[valueAt]?.trim();
    if (p && v) bySuffix.set(p.replace(/^\.?\//, ''), v);
  }
  const out = new Map<number, string>();
  for (const t of db.prepare('SELECT id, path FROM tracks').all() as { id: number; path: string }[]) {
    const parts = t.path.replace(/\\/g, '/').split('/');
    for (let n = 1; n <= parts.length; n++) {
      const v = bySuffix.get(parts.slice(-n).join('/'));
      if (v !== undefined) {
        out.set(t.id, v);
        break;
      }
    }
  }
  return out;
}

/** A throwaway copy of the library (database + active model file) to simulate listeners on. */
async function copyLibrary(db: Db, dataDir: string): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cadenza-feedback-sim-'));
  await db.backup(path.join(dir, 'library.db'));
  const file = activeModel(db)?.file;
  if (file) {
    fs.mkdirSync(path.join(dir, path.dirname(file)), { recursive: true });
    fs.copyFileSync(path.join(dataDir, file), path.join(dir, file));
  }
  return dir;
}

/** `size` distinct topics (1-based, sorted), drawn by the seed alone. */
export function neutralSelection(k: number, size: number, seed: number): number[] {
  const rng = createRng(seed * 2_654_435 + 1);
  const topics = Array.from({ length: k }, (_, t) => t + 1);
  for (let i = 0; i < Math.min(size, k); i++) {
    const j = i + rng.int(k - i);
    [topics[i], topics[j]] = [topics[j]!, topics[i]!];
  }
  return topics.slice(0, Math.max(1, Math.min(size, k))).sort((a, b) => a - b);
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
function stat(xs: number[]): Stat {
  const m = mean(xs);
  return { mean: m, std: xs.length > 1 ? Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1)) : 0 };
}

export async function simulateFeedback(
  db: Db,
  dataDir: string,
  options: FeedbackSimulationOptions,
  onLog: (line: string) => void = () => {},
): Promise<FeedbackSimulationReport> {
  const started = performance.now();
  const topics = currentTopicModel(db);
  const base = activeModel(db);
  if (!topics || !base) throw new Error('the simulation needs a trained model: run `cadenza topics fit` and `cadenza train`');
  const events = options.events ?? 20;
  const round = options.round ?? 5;
  const checkpoints = [...new Set([0, round, 2 * round, events].filter((e) => e <= events))].sort((a, b) => a - b);
  const listeners = options.listeners?.length ? [...options.listeners] : [...new Set(options.taste.values())].sort();
  const seeds = options.seeds ?? 3;
  const firstSeed = options.firstSeed ?? 1;
  const selectionOf = (seed: number): number[] => neutralSelection(topics.k, options.selectionSize ?? 2, seed);
  const adventurous = options.adventurous ?? 0.1;
  const retrainOptions: FineTuneOptions = {
    epochs: 2,
    ...options.retrain,
    ...(options.backend ? { backend: options.backend } : {}),
  };
  const simDir = await copyLibrary(db, dataDir);
  const sim = openLibraryDatabase(simDir);
  const runs: FeedbackRun[] = [];
  try {
    const baseIndex = RecommendIndex.load(sim, simDir, base.id)!;
    for (const listener of listeners) {
      for (let seed = firstSeed; seed < firstSeed + seeds; seed++) {
        const selection = selectionOf(seed);
        const run: FeedbackRun = {
          listener,
          seed,
          selection,
          precision: { none: [], rerank: [], retrain: [], retrainedNoRerank: [], baseRerank: [] },
          chance: [],
          retrains: { accepted: 0, refused: 0, skipped: 0 },
        };
        for (const arm of ['none', 'rerank', 'retrain'] as const) {
          sim.exec('DELETE FROM feedback_events');
          activateModel(sim, base.id);
          const coin = createRng(seed * 7_919 + 13);
          let index = baseIndex;
          const heard: number[] = [];
          const queue = (from: RecommendIndex, useFeedback: boolean, n = 10) =>
            topicQueue(sim, from, selection, {
              n,
              recentWindow: events + 1,
              adventurous,
              ...(options.tasteWeight === undefined ? {} : { tasteWeight: options.tasteWeight }),
              seed: seed * 104_729 + heard.length,
              useFeedback,
              exclude: heard,
            });
          const hits = (q: { id: number }[]) =>
            q.filter((t) => options.taste.get(t.id) === listener).length / Math.max(1, q.length);
          for (let done = 0; ;) {
            if (checkpoints.includes(done)) {
              run.precision[arm].push(hits(queue(index, true)));
              if (arm === 'retrain') {
                run.precision.retrainedNoRerank.push(hits(queue(index, false)));
                run.precision.baseRerank.push(hits(queue(baseIndex, true)));
                const left = [];
                for (let i = 0; i < baseIndex.count; i++)
                  if (!heard.includes(baseIndex.tracks.id(i))) left.push({ id: baseIndex.tracks.id(i) });
                run.chance.push(hits(left));
              }
            }
            if (done >= events) break;
            // One round: the listener goes through the next queue's first `round` songs.
            for (const t of queue(index, arm !== 'none', round)) {
              recordFeedback(sim, { trackId: t.id, kind: 'play', topics: selection });
              heard.push(t.id);
              if (arm !== 'none') {
                const likes = options.taste.get(t.id) === listener;
                const kind = likes ? 'like' : coin.next() < 0.5 ? 'dislike' : 'skip';
                recordFeedback(sim, { trackId: t.id, kind, topics: selection, ...(kind === 'skip' ? { position: 10 } : {}) });
              }
              done++;
            }
            if (arm === 'retrain') {
              try {
                const r = await fineTuneFromFeedback(sim, simDir, { seed, ...retrainOptions });
                run.retrains[r.accepted ? 'accepted' : 'refused']++;
                if (r.accepted) index = RecommendIndex.load(sim, simDir)!;
              } catch (error) {
                // No pair yet (nothing liked, or nothing disliked): the model stays, as in the app.
                if (!(error instanceof Error && /no personal triplets/.test(error.message))) throw error;
                run.retrains.skipped++;
              }
            }
          }
        }
        runs.push(run);
        const f = (xs: number[]) => xs.map((x) => (100 * x).toFixed(0)).join('/');
        onLog(
          `${listener} seed ${seed} (topics ${selection.join(',')}): none ${f(run.precision.none)}, re-rank ${f(run.precision.rerank)}, re-rank + retrain ${f(run.precision.retrain)} ` +
            `(retrains kept ${run.retrains.accepted}, refused ${run.retrains.refused}), chance ${f(run.chance)}`,
        );
      }
    }
  } finally {
    sim.close();
    fs.rmSync(simDir, { recursive: true, force: true });
  }
  const per = (pick: (r: FeedbackRun) => number[]) => checkpoints.map((_, c) => stat(runs.map((r) => pick(r)[c]!)));
  const total = (k: 'accepted' | 'refused' | 'skipped') => runs.reduce((a, r) => a + r.retrains[k], 0);
  return {
    settings: {
      selectionSize: options.selectionSize ?? 2,
      adventurous,
      tasteWeight: options.tasteWeight ?? TASTE_WEIGHT,
      round,
      retrain: retrainOptions,
    },
    checkpoints,
    listeners,
    seeds,
    runs,
    summary: {
      none: per((r) => r.precision.none),
      rerank: per((r) => r.precision.rerank),
      retrain: per((r) => r.precision.retrain),
      retrainedNoRerank: per((r) => r.precision.retrainedNoRerank),
      baseRerank: per((r) => r.precision.baseRerank),
      chance: per((r) => r.chance),
    },
    retrains: { accepted: total('accepted'), refused: total('refused'), skipped: total('skipped') },
    songs: (db.prepare('SELECT COUNT(*) AS n FROM track_embeddings WHERE model_id = ?').get(base.id) as { n: number }).n,
    ms: performance.now() - started,
  };
}

/** The report as a markdown table: hidden-taste precision@10 (%, mean ± sd over listeners × seeds). */
export function formatFeedbackMarkdown(r: FeedbackSimulationReport): string {
  const pct = (s: Stat) => `${(100 * s.mean).toFixed(1)} ± ${(100 * s.std).toFixed(1)}`;
  const rows = r.checkpoints.map(
    (e, c) =>
      `| ${e} | ${pct(r.summary.none[c]!)} | ${pct(r.summary.rerank[c]!)} | ${pct(r.summary.retrain[c]!)} | ${pct(r.summary.baseRerank[c]!)} | ${pct(r.summary.retrainedNoRerank[c]!)} | ${pct(r.summary.chance[c]!)} |`,
  );
  const last = r.checkpoints.length - 1;
  const gain = (a: Stat[], b: Stat[]) => (100 * (a[last]!.mean - b[last]!.mean)).toFixed(1);
  return [
    `${r.songs} songs; listeners: ${r.listeners.join(', ')} × ${r.seeds} seed(s); neutral selection: ${r.settings.selectionSize} random topic(s) per seed; ` +
      `adventurous ${r.settings.adventurous}; taste weight ${r.settings.tasteWeight}; rounds of ${r.settings.round}; retrain ${r.settings.retrain.epochs} epoch(s); ${(r.ms / 1000).toFixed(0)} s`,
    '',
    'Hidden-taste precision@10 of the next queue (%, mean ± sd over listeners × seeds)',
    '',
    '| events | no feedback | re-rank only | re-rank + retrain | (same history) base model + re-rank | (same history) retrained model, no re-rank | chance |',
    '| ---: | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    `After ${r.checkpoints[last]} events: re-rank + retrain ${gain(r.summary.retrain, r.summary.none)} points over no feedback, ` +
      `re-rank only ${gain(r.summary.rerank, r.summary.none)}; retrains kept ${r.retrains.accepted}, refused ${r.retrains.refused}, ` +
      `skipped (no liked/disliked pair yet) ${r.retrains.skipped}.`,
  ].join('\n');
}
