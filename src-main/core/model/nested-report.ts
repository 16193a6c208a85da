import { allGroups, artistGroups, splitByArtist, type Dataset } from './data.ts';
import {
  songToSongChance,
  userToSongChance,
  singleTopicGroups,
  evaluateModel,
  type SongToSong,
  type UserToSong,
} from './evaluate.ts';
import {
  artistFolds,
  configName,
  DatasetMetrics,
  nestedSongMetrics,
  scoreConfigs,
  sealedSplit,
  selectConfig,
  unlearnedConfigs,
} from './nested-eval.ts';
import { defaultTrainOptions, learnedFold, nestedLearned, type LearnedFold } from './nested-learned.ts';
import { trainModel } from './trainer.ts';
import { resolveModelName } from './definition.ts';

/**
 * `cadenza eval --nested`: the sealed split, nested cross-validation of every song → song
 * configuration (unlearned first; with `learned`, one trained model per outer fold for D and its
 * blends), the final choice reported once on the sealed part, and a learning curve.
 */

export interface NestedEvalOptions {
  outerFolds: number;
  innerFolds: number;
  seed: number;
  model: string;
  /** Candidate model definitions the learned side chooses among on each selection part (empty: `model` alone). */
  models: string[];
  /** At most this many epochs per model (unset: each definition's own budget). */
  epochs?: number;
  /** Also train one model per outer fold (D, blends, user → song). */
  learned: boolean;
  /** Learning-curve training sizes (empty: none). */
  curve: number[];
  /** Outer folds the learning curve runs on (the first ones). */
  curveFolds: number;
  sealFraction: number;
}

export const NESTED_DEFAULTS: NestedEvalOptions = {
  outerFolds: 5,
  innerFolds: 4,
  seed: 1,
  model: 'default',
  models: [],
  learned: true,
  curve: [],
  curveFolds: 2,
  sealFraction: 0.25,
};

export interface Stat {
  mean: number;
  std: number;
}

export function stat(xs: readonly number[]): Stat {
  const mean = xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const std = xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1)) : 0;
  return { mean, std };
}

export interface SongRow {
  name: string;
  top1: Stat;
  precision10: Stat;
}

const songRow = (name: string, ms: readonly SongToSong[]): SongRow => ({
  name,
  top1: stat(ms.map((m) => m.top1)),
  precision10: stat(ms.map((m) => m.precision10)),
});

export interface CurvePoint {
  requested: number;
  /** Training songs per fold (the requested count, or all that were available). */
  trainSongs: number[];
  userToSongP10: Stat;
  singleTopicP10: Stat;
  learnedDP10: Stat;
}

export interface NestedReport {
  kind: 'nested';
  settings: NestedEvalOptions & { songs: number; development: number; sealed: number; testSongs: number[]; definition: string };
  chance: { songToSong: Stat; userToSongP10: Stat; singleTopicP10: Stat };
  /** Every unlearned configuration fixed in advance, on the outer folds (best first). */
  unlearnedConfigs: SongRow[];
  /** The unlearned selection procedure (chosen on inner folds), on the outer folds: the nested number. */
  unlearnedNested: SongRow & { chosen: string[] };
  learned: {
    /** Each learned-side candidate by its role (the unlearned pick, D alone, D blended …), on the outer folds. */
    candidates: SongRow[];
    nested: SongRow & { chosen: string[] };
    userToSong: { top1: Stat; precision10: Stat; pairwise: Stat };
    singleTopic: { top1: Stat; precision10: Stat; pairwise: Stat };
    learnedD: SongRow;
    /** The model definition chosen on each fold's selection part. */
    chosenModels: string[];
    /** Each candidate definition on the outer folds (reported, not chosen on), when there were several. */
    modelTrials: {
      model: string;
      selectionP10: Stat;
      userToSong: { top1: Stat; precision10: Stat; pairwise: Stat };
      singleTopic: { top1: Stat; precision10: Stat; pairwise: Stat };
    }[];
    trainSongs: number[];
    trainMs: number[];
  } | null;
  final: {
    procedure: 'unlearned' | 'learned';
    config: string;
    sealed: SongToSong;
    sealedChance: number;
    /** The final model's user → song on the sealed part (when a model was trained). */
    sealedUserToSong: UserToSong | null;
    sealedSingleTopic: UserToSong | null;
  };
  curve: CurvePoint[];
  ms: number;
}

export async function runNestedEvaluation(
  dataset: Dataset,
  options: NestedEvalOptions,
  onLog: (line: string) => void = () => {},
  isCancelled: () => boolean = () => false,
): Promise<NestedReport> {
  const started = performance.now();
  const songs = dataset.songs;
  const { development, sealed } = sealedSplit(songs, options.sealFraction);
  onLog(`${songs.length} songs: ${development.length} for development, ${sealed.length} sealed (by artist-name hash)`);
  const metrics = new DatasetMetrics(dataset);
  const configs = unlearnedConfigs();
  const nested = nestedSongMetrics(metrics, configs, songs, development, options, onLog);
  const folds = nested.folds;
  const unlearnedRows = configs
    .map((c, i) =>
      songRow(
        configName(c),
        folds.map((f) => f.outer[i]!),
      ),
    )
    .sort((a, b) => b.precision10.mean - a.precision10.mean || b.top1.mean - a.top1.mean);
  const unlearnedNested = {
    ...songRow(
      'unlearned, chosen on inner folds',
      folds.map((f) => f.outer[f.chosen]!),
    ),
    chosen: folds.map((f) => configName(configs[f.chosen]!)),
  };

  let learned: NestedReport['learned'] = null;
  if (options.learned) {
    const lf: LearnedFold[] = await nestedLearned(dataset, metrics, development, options, onLog, isCancelled);
    const roles = ['the unlearned pick', ...lf[0]!.candidates.slice(1).map((c) => configName(c))];
    learned = {
      candidates: roles
        .map((name, i) =>
          songRow(
            name,
            lf.map((f) => f.outer[i]!),
          ),
        )
        .sort((a, b) => b.precision10.mean - a.precision10.mean),
      nested: {
        ...songRow(
          'learned side, chosen on the selection part',
          lf.map((f) => f.outer[f.chosen]!),
        ),
        chosen: lf.map((f) => configName(f.candidates[f.chosen]!)),
      },
      userToSong: u2sStats(lf.map((f) => f.model.userToSong)),
      singleTopic: u2sStats(lf.map((f) => f.model.userToSongSingle)),
      learnedD: songRow(
        'learned D over φ (model alone)',
        lf.map((f) => f.model.songToSong),
      ),
      chosenModels: lf.map((f) => f.modelName),
      modelTrials: lf[0]!.modelTrials.map((t, m) => ({
        model: t.model,
        selectionP10: stat(lf.map((f) => f.modelTrials[m]!.selectionP10)),
        userToSong: u2sStats(lf.map((f) => f.modelTrials[m]!.outer.userToSong)),
        singleTopic: u2sStats(lf.map((f) => f.modelTrials[m]!.outer.userToSongSingle)),
      })),
      trainSongs: lf.map((f) => f.trainSongs),
      trainMs: lf.map((f) => f.trainMs),
    };
  }

  // The final choice is the procedure with the better nested precision@10; the sealed part is read once, here.
  const procedure = learned && learned.nested.precision10.mean > unlearnedNested.precision10.mean ? 'learned' : 'unlearned';
  const final = await sealedFinal(dataset, metrics, procedure, options, onLog, isCancelled);

  const curve = options.curve.length > 0 ? await learningCurve(dataset, options, onLog, isCancelled) : [];
  const outerTests = folds.map((f) => f.test.map((i) => songs[i]!));
  return {
    kind: 'nested',
    settings: {
      ...options,
      songs: songs.length,
      development: development.length,
      sealed: sealed.length,
      testSongs: folds.map((f) => f.test.length),
      definition: resolveModelName(options.model),
    },
    chance: {
      songToSong: stat(outerTests.map((t) => songToSongChance(t).precision10)),
      userToSongP10: stat(outerTests.map((t) => userToSongChance(allGroups(dataset.k), t).precision10)),
      singleTopicP10: stat(outerTests.map((t) => userToSongChance(singleTopicGroups(dataset.k), t).precision10)),
    },
    unlearnedConfigs: unlearnedRows,
    unlearnedNested,
    learned,
    final,
    curve,
    ms: performance.now() - started,
  };
}

export type FinalReport = NestedReport['final'];

/**
 * The final choice's numbers on the sealed part: the procedure run once more with the whole development
 * part as its pool (selection on it alone), then scored on the sealed songs. `cadenza eval --nested` calls
 * it with the procedure that won on the outer folds; `--sealed-final` runs it alone.
 */
export async function sealedFinal(
  dataset: Dataset,
  metrics: DatasetMetrics,
  procedure: 'learned' | 'unlearned',
  options: NestedEvalOptions,
  onLog: (line: string) => void = () => {},
  isCancelled: () => boolean = () => false,
): Promise<FinalReport> {
  const songs = dataset.songs;
  const { development, sealed } = sealedSplit(songs, options.sealFraction);
  const configs = unlearnedConfigs();
  let final: FinalReport;
  const sealedSongs = sealed.map((i) => songs[i]!);
  const sealedChance = songToSongChance(sealedSongs).precision10;
  if (procedure === 'learned') {
    const fold = await learnedFold(
      dataset,
      metrics,
      development,
      sealed,
      options,
      options.seed + 100,
      'final (sealed)',
      onLog,
      isCancelled,
    );
    final = {
      procedure,
      config: configName(fold.candidates[fold.chosen]!),
      sealed: fold.outer[fold.chosen]!,
      sealedChance,
      sealedUserToSong: fold.model.userToSong,
      sealedSingleTopic: fold.model.userToSongSingle,
    };
  } else {
    const chosen = configs[selectConfig(metrics, configs, songs, development, options.innerFolds, options.seed + 100).chosen]!;
    const score = scoreConfigs(metrics, [chosen], songs, development, sealed)[0]!;
    let sealedUserToSong: UserToSong | null = null;
    let sealedSingleTopic: UserToSong | null = null;
    if (options.learned) {
      const { kept, held } = splitByArtist(songs, development, 0.1, options.seed + 100);
      const trained = await trainModel(
        dataset,
        { train: kept, validation: held },
        defaultTrainOptions(options.model, options.seed + 100),
        { isCancelled },
      );
      const m = await evaluateModel(trained, dataset, sealed);
      sealedUserToSong = m.userToSong;
      sealedSingleTopic = m.userToSongSingle;
    }
    final = { procedure, config: configName(chosen), sealed: score, sealedChance, sealedUserToSong, sealedSingleTopic };
  }
  onLog(
    `final: ${final.procedure} (${final.config}); sealed song → song top-1 ${final.sealed.top1.toFixed(3)}, P@10 ${final.sealed.precision10.toFixed(3)}`,
  );
  return final;
}

function u2sStats(ms: readonly UserToSong[]): { top1: Stat; precision10: Stat; pairwise: Stat } {
  return {
    top1: stat(ms.map((m) => m.top1)),
    precision10: stat(ms.map((m) => m.precision10)),
    pairwise: stat(ms.map((m) => m.pairwise)),
  };
}

/** The default model trained on growing artist-disjoint subsets of the outer-training songs, tested on the outer test songs. */
export async function learningCurve(
  dataset: Dataset,
  options: NestedEvalOptions,
  onLog: (line: string) => void = () => {},
  isCancelled: () => boolean = () => false,
): Promise<CurvePoint[]> {
  const songs = dataset.songs;
  const { development } = sealedSplit(songs, options.sealFraction);
  const outer = artistFolds(songs, development, options.outerFolds, options.seed).slice(0, options.curveFolds);
  const points: CurvePoint[] = [];
  for (const requested of options.curve) {
    const trainSongs: number[] = [];
    const u2s: number[] = [];
    const single: number[] = [];
    const d: number[] = [];
    for (let f = 0; f < outer.length; f++) {
      if (isCancelled()) throw new Error('cancelled');
      const test = outer[f]!;
      const inTest = new Set(test);
      const pool = development.filter((i) => !inTest.has(i));
      const seed = options.seed + 1 + f;
      const { kept, held: validation } = splitByArtist(songs, pool, 0.1, seed + 1000);
      // Whole artists in a seeded order until the requested count (nested subsets: 100 ⊂ 200 ⊂ …).
      const train: number[] = [];
      for (const list of artistGroups(songs, kept, seed)) {
        if (train.length >= requested) break;
        train.push(...list);
      }
      const trained = await trainModel(dataset, { train, validation }, defaultTrainOptions(options.model, seed), { isCancelled });
      const m = await evaluateModel(trained, dataset, test);
      trainSongs.push(train.length);
      u2s.push(m.userToSong.precision10);
      single.push(m.userToSongSingle.precision10);
      d.push(m.songToSong.precision10);
      onLog(
        `curve ${requested} (${train.length} songs), fold ${f + 1}: user→song P@10 ${m.userToSong.precision10.toFixed(3)}, single-topic ${m.userToSongSingle.precision10.toFixed(3)}, ` +
          `song→song D P@10 ${m.songToSong.precision10.toFixed(3)} (${(trained.trainMs / 1000).toFixed(0)} s)`,
      );
    }
    points.push({ requested, trainSongs, userToSongP10: stat(u2s), singleTopicP10: stat(single), learnedDP10: stat(d) });
  }
  return points;
}

const pc = (s: Stat) => `${(100 * s.mean).toFixed(1)} ± ${(100 * s.std).toFixed(1)}`;
const p1 = (x: number) => (100 * x).toFixed(1);
const row = (r: SongRow) => `| ${r.name} | ${pc(r.top1)} | ${pc(r.precision10)} |`;

/** The nested report as markdown: percentages, mean ± sd over the outer folds. */
export function formatNestedMarkdown(r: NestedReport, allConfigs = false): string {
  const st = r.settings;
  const out = [
    `${st.songs} songs: ${st.development} development (${st.outerFolds} outer × ${st.innerFolds} inner folds by artist; outer test songs ${st.testSongs.join(', ')}), ` +
      `${st.sealed} sealed (artist-name hash); model ${st.definition}; ${(r.ms / 1000).toFixed(0)} s`,
    '',
    'Song → song on the outer folds (%, the nearest test songs share the dominant topic)',
    '',
    '| configuration | top-1 | precision@10 |',
    '| --- | --- | --- |',
    row(r.unlearnedNested),
  ];
  if (r.learned) out.push(row(r.learned.nested), row(r.learned.learnedD));
  out.push(`| chance | ${pc(r.chance.songToSong)} | ${pc(r.chance.songToSong)} |`, '');
  out.push(`Chosen per outer fold — unlearned: ${r.unlearnedNested.chosen.join('; ')}`);
  if (r.learned) out.push(`Chosen per outer fold — learned side: ${r.learned.nested.chosen.join('; ')}`);
  out.push(
    '',
    `Every unlearned configuration, fixed in advance, on the outer folds (${allConfigs ? 'all' : 'the best 15 and every single base'}; not a nested number)`,
    '',
  );
  out.push('| configuration | top-1 | precision@10 |', '| --- | --- | --- |');
  const shown = allConfigs ? r.unlearnedConfigs : r.unlearnedConfigs.filter((c, i) => i < 15 || !c.name.includes('+'));
  out.push(...shown.map(row));
  if (r.learned) {
    const l = r.learned;
    out.push(
      '',
      'Learned side: each candidate on the outer folds (one model per fold)',
      '',
      '| candidate | top-1 | precision@10 |',
      '| --- | --- | --- |',
    );
    out.push(...l.candidates.map(row));
    out.push(
      '',
      'User → song on the outer folds (%)',
      '',
      '| groups | top-1 | precision@10 | pairwise | chance P@10 |',
      '| --- | --- | --- | --- | --- |',
    );
    out.push(
      `| all ${2 ** 7 - 1} | ${pc(l.userToSong.top1)} | ${pc(l.userToSong.precision10)} | ${pc(l.userToSong.pairwise)} | ${pc(r.chance.userToSongP10)} |`,
    );
    out.push(
      `| single-topic | ${pc(l.singleTopic.top1)} | ${pc(l.singleTopic.precision10)} | ${pc(l.singleTopic.pairwise)} | ${pc(r.chance.singleTopicP10)} |`,
    );
    if (l.modelTrials.length > 1) {
      out.push(
        '',
        `Model definitions (chosen per fold on the selection part by user → song P@10: ${l.chosenModels.join(', ')}); each one's outer numbers are reported, not chosen on`,
        '',
        '| model | selection P@10 | outer P@10 | outer pairwise | outer single-topic P@10 |',
        '| --- | --- | --- | --- | --- |',
      );
      for (const t of l.modelTrials)
        out.push(
          `| ${t.model} | ${pc(t.selectionP10)} | ${pc(t.userToSong.precision10)} | ${pc(t.userToSong.pairwise)} | ${pc(t.singleTopic.precision10)} |`,
        );
    }
    out.push(
      '',
      `Training songs per fold: ${l.trainSongs.join(', ')}; ${l.trainMs.map((ms) => (ms / 1000).toFixed(0)).join(', ')} s`,
    );
  }
  const f = r.final;
  out.push('', `Final choice: the ${f.procedure} procedure → ${f.config}. Sealed part (${st.sealed} songs, read once):`);
  out.push(`song → song top-1 ${p1(f.sealed.top1)}, precision@10 ${p1(f.sealed.precision10)} (chance ${p1(f.sealedChance)})`);
  if (f.sealedUserToSong && f.sealedSingleTopic) {
    out.push(
      `user → song P@10 ${p1(f.sealedUserToSong.precision10)}, pairwise ${p1(f.sealedUserToSong.pairwise)}, single-topic P@10 ${p1(f.sealedSingleTopic.precision10)}`,
    );
  }
  if (r.curve.length > 0) {
    out.push(
      '',
      `Learning curve (first ${st.curveFolds} outer folds)`,
      '',
      '| training songs | user → song P@10 | single-topic P@10 | song → song D P@10 |',
      '| --- | --- | --- | --- |',
    );
    for (const c of r.curve)
      out.push(`| ${c.trainSongs.join(' / ')} | ${pc(c.userToSongP10)} | ${pc(c.singleTopicP10)} | ${pc(c.learnedDP10)} |`);
  }
  return out.join('\n');
}

/** The learning curve as a small SVG line chart (precision@10 against training songs, ± sd bars). */
export function learningCurveSvg(
  points: readonly CurvePoint[],
  chance: { userToSong: number; singleTopic: number; songToSong: number },
): string {
  const W = 520, H = 300, L = 50, R = 170, T = 20, B = 40; // prettier-ignore
  const xs = points.map((p) => p.trainSongs.reduce((a, b) => a + b, 0) / p.trainSongs.length);
  const xMax = Math.ceil(Math.max(...xs, 100) / 100) * 100;
  const x = (v: number) => L + (v / xMax) * (W - L - R);
  const y = (v: number) => T + (1 - v) * (H - T - B);
  const series: { name: string; color: string; get: (p: CurvePoint) => Stat; chance: number }[] = [
    { name: 'user → song P@10', color: '#1f77b4', get: (p) => p.userToSongP10, chance: chance.userToSong },
    { name: 'single-topic P@10', color: '#2ca02c', get: (p) => p.singleTopicP10, chance: chance.singleTopic },
    { name: 'song → song P@10 (D)', color: '#d62728', get: (p) => p.learnedDP10, chance: chance.songToSong },
  ];
  const f = (v: number) => v.toFixed(1);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<line x1="${L}" y1="${y(0)}" x2="${W - R}" y2="${y(0)}" stroke="black"/>`,
    `<line x1="${L}" y1="${y(0)}" x2="${L}" y2="${y(1)}" stroke="black"/>`,
  ];
  for (let v = 0; v <= 1.0001; v += 0.2) {
    parts.push(
      `<line x1="${L - 4}" y1="${f(y(v))}" x2="${W - R}" y2="${f(y(v))}" stroke="#ddd"/>`,
      `<text x="${L - 8}" y="${f(y(v) + 4)}" text-anchor="end">${v.toFixed(1)}</text>`,
    );
  }
  for (let v = 0; v <= xMax; v += 100) parts.push(`<text x="${f(x(v))}" y="${H - B + 16}" text-anchor="middle">${v}</text>`);
  parts.push(
    `<text x="${f((L + W - R) / 2)}" y="${H - 6}" text-anchor="middle">training songs (mer-dev development part, artist-disjoint test folds)</text>`,
  );
  series.forEach((s, i) => {
    const pts = points.map((p, j) => `${f(x(xs[j]!))},${f(y(s.get(p).mean))}`).join(' ');
    parts.push(`<polyline points="${pts}" fill="none" stroke="${s.color}" stroke-width="2"/>`);
    points.forEach((p, j) => {
      const m = s.get(p);
      parts.push(
        `<line x1="${f(x(xs[j]!))}" y1="${f(y(m.mean - m.std))}" x2="${f(x(xs[j]!))}" y2="${f(y(m.mean + m.std))}" stroke="${s.color}"/>`,
        `<circle cx="${f(x(xs[j]!))}" cy="${f(y(m.mean))}" r="3" fill="${s.color}"/>`,
      );
    });
    parts.push(
      `<line x1="${L}" y1="${f(y(s.chance))}" x2="${W - R}" y2="${f(y(s.chance))}" stroke="${s.color}" stroke-dasharray="4 3" stroke-width="1"/>`,
    );
    parts.push(
      `<line x1="${W - R + 10}" y1="${T + 10 + i * 18}" x2="${W - R + 30}" y2="${T + 10 + i * 18}" stroke="${s.color}" stroke-width="2"/>`,
    );
    parts.push(`<text x="${W - R + 35}" y="${T + 14 + i * 18}">${s.name}</text>`);
  });
  parts.push(
    `<line x1="${W - R + 10}" y1="${T + 64}" x2="${W - R + 30}" y2="${T + 64}" stroke="black" stroke-dasharray="4 3"/>`,
    `<text x="${W - R + 35}" y="${T + 68}">chance (same colour)</text>`,
  );
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

/** Chance of each curve measure on the curve's test folds. */
export function learningCurveChance(
  dataset: Dataset,
  options: NestedEvalOptions,
): { userToSong: number; singleTopic: number; songToSong: number } {
  const { development } = sealedSplit(dataset.songs, options.sealFraction);
  const tests = artistFolds(dataset.songs, development, options.outerFolds, options.seed)
    .slice(0, options.curveFolds)
    .map((t) => t.map((i) => dataset.songs[i]!));
  return {
    userToSong: stat(tests.map((t) => userToSongChance(allGroups(dataset.k), t).precision10)).mean,
    singleTopic: stat(tests.map((t) => userToSongChance(singleTopicGroups(dataset.k), t).precision10)).mean,
    songToSong: stat(tests.map((t) => songToSongChance(t).precision10)).mean,
  };
}

export function formatCurveMarkdown(points: readonly CurvePoint[], folds: number): string {
  return [
    `Learning curve (first ${folds} outer folds of the development part; %, mean ± sd over folds)`,
    '',
    '| training songs | user → song P@10 | single-topic P@10 | song → song D P@10 |',
    '| --- | --- | --- | --- |',
    ...points.map(
      (c) => `| ${c.trainSongs.join(' / ')} | ${pc(c.userToSongP10)} | ${pc(c.singleTopicP10)} | ${pc(c.learnedDP10)} |`,
    ),
  ].join('\n');
}
