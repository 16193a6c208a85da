import { moreLikeThis, type BlendAway, type QueueRules } from '../../core/recommend/recommender.ts';
import { resolveTrack } from '../../core/topics/library-tags.ts';
import { similarGroups, type GroupKind } from '../../core/recommend/group-similarity.ts';
import type { Command } from '../command.ts';
import { printJson, UsageError, type CommandContext } from '../context.ts';
import { intOption, type Options } from './model.ts';
import { openIndex, printTracks, QUEUE_OPTION_SPECS, QUEUE_USAGE, queueRules, recommendOrUsage } from './recommend.ts';

export const similarCommand: Command = {
  name: 'similar',
  summary:
    'more like this: the songs nearest to one or several tracks by the song metric the nested evaluation chose (works without tags); --not C: less like C (a blend with subtraction, --adventurous as its temperature)',
  usage: [
    `cadenza similar PATH_OR_ID... [--not PATH_OR_ID]... [--not-weight 1] ${QUEUE_USAGE} [--explain] [--data-dir D] [--json]`,
    '       cadenza similar --artist NAME | --album NAME [-n 10]   (artists / albums like this one)',
  ].join('\n'),
  options: {
    ...QUEUE_OPTION_SPECS,
    not: { type: 'string', multiple: true },
    'not-weight': { type: 'string' },
    artist: { type: 'string' },
    album: { type: 'string' },
  },
  run(ctx, args, options) {
    if (options.artist !== undefined || options.album !== undefined) return similarGroupsCommand(ctx, args, options);
    if (args.length === 0) throw new UsageError(`usage: ${this.usage}`);
    const rules: QueueRules & BlendAway = queueRules(options);
    if (options['not-weight'] !== undefined) {
      const w = Number(options['not-weight']);
      if (!(w >= 0 && w <= 10))
        throw new UsageError(`--not-weight takes a number from 0 to 10, got ${String(options['not-weight'])}`);
      rules.unlikeWeight = w;
    }
    const db = ctx.openDb();
    try {
      const resolve = (ref: string) => {
        const id = resolveTrack(db, ref);
        if (id === null) throw new UsageError(`no such track in the library: ${ref} (give a track id or the file's path)`);
        return id;
      };
      const seeds = args.map(resolve);
      const not = options.not;
      const unlike = (Array.isArray(not) ? not : not === undefined ? [] : [not]).map((ref) => resolve(String(ref)));
      const index = openIndex(ctx, db);
      const tracks = recommendOrUsage(() => moreLikeThis(db, index, seeds, { ...rules, unlike }));
      printTracks(ctx, tracks, options.explain === true);
      return 0;
    } finally {
      db.close();
    }
  },
};

/** `cadenza similar --artist NAME | --album NAME`: the nearest artists or albums by their songs' medoid φ. */
function similarGroupsCommand(ctx: CommandContext, args: string[], options: Options): number {
  if (args.length > 0 || (options.artist !== undefined && options.album !== undefined))
    throw new UsageError('give either tracks, --artist NAME or --album NAME');
  const kind: GroupKind = options.artist !== undefined ? 'artist' : 'album';
  const name = String(options[kind]);
  const n = intOption(options, 'n', 1, 1000) ?? 10;
  const db = ctx.openDb();
  try {
    const index = openIndex(ctx, db);
    const groups = recommendOrUsage(() => similarGroups(index, kind, name, n));
    if (ctx.json) printJson(ctx, { kind, of: name, groups });
    else
      groups.forEach((g, k) =>
        ctx.stdout(
          `${String(k + 1).padStart(3)}. ${g.artist ? `${g.artist} – ` : ''}${g.name}  (${g.songs} song${g.songs === 1 ? '' : 's'})  D ${g.distance.toFixed(3)}`,
        ),
      );
    return 0;
  } finally {
    db.close();
  }
}
