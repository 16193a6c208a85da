import { songPath } from '../../core/recommend/song-path.ts';
import { resolveTrack } from '../../core/topics/library-tags.ts';
import type { Command } from '../command.ts';
import { printJson, UsageError } from '../context.ts';
import { intOption } from './model.ts';
import { mixLimitOptions, openIndex, recommendOrUsage } from './recommend.ts';

export const pathCommand: Command = {
  name: 'path',
  summary:
    'a song path: from the first track to the last (through the others) in N songs, each step close to the previous by the learned distance, no repeats, the mix limits applied',
  usage:
    'cadenza path A B [C...] [-n 12] [--recent 20] [--spacing 1] [--max-per-artist N] [--max-per-album N] [--tempo 90-130] [--explain] [--data-dir D] [--json]',
  options: {
    n: { type: 'string', short: 'n' },
    recent: { type: 'string' },
    spacing: { type: 'string' },
    'max-per-artist': { type: 'string' },
    'max-per-album': { type: 'string' },
    tempo: { type: 'string' },
    explain: { type: 'boolean', default: false },
  },
  run(ctx, args, options) {
    if (args.length < 2) throw new UsageError(`usage: ${this.usage}`);
    const n = intOption(options, 'n', 2, 100) ?? 12;
    const recent = intOption(options, 'recent', 0, 100_000);
    const spacing = intOption(options, 'spacing', 0, 100);
    const rules = {
      n,
      ...mixLimitOptions(options),
      ...(recent !== undefined ? { recentWindow: recent } : {}),
      ...(spacing !== undefined ? { artistSpacing: spacing } : {}),
    };
    const db = ctx.openDb();
    try {
      const waypoints = args.map((ref) => {
        const id = resolveTrack(db, ref);
        if (id === null) throw new UsageError(`no such track in the library: ${ref} (give a track id or the file's path)`);
        return id;
      });
      const index = openIndex(ctx, db);
      const path = recommendOrUsage(() => songPath(db, index, waypoints, rules));
      if (ctx.json) {
        printJson(ctx, {
          tracks: path.tracks.map((t, k) => ({
            id: t.id,
            path: t.path,
            artist: t.artist,
            title: t.title,
            step: path.steps[k],
            waypoint: waypoints.includes(t.id),
            why: t.why.text,
          })),
          largestStep: path.largestStep,
          meanStep: path.meanStep,
        });
        return 0;
      }
      path.tracks.forEach((t, k) => {
        const name = [t.artist, t.title].filter(Boolean).join(' – ') || t.path;
        const mark = waypoints.includes(t.id) ? ' ◆' : '';
        ctx.stdout(
          `${String(k + 1).padStart(3)}. ${name}  [${t.id}]${mark}${k > 0 ? `  step D ${path.steps[k]!.toFixed(3)}` : ''}`,
        );
        if (options.explain === true) ctx.stdout(`     why: ${t.why.text}`);
      });
      ctx.stdout(`largest step D ${path.largestStep.toFixed(3)}, mean ${path.meanStep.toFixed(3)}`);
      return 0;
    } finally {
      db.close();
    }
  },
};
