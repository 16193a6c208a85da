import { moreLikeThis } from '../../core/recommend/recommender.ts';
import { resolveTrack } from '../../core/topics/library-tags.ts';
import type { Command } from '../command.ts';
import { UsageError } from '../context.ts';
import { openIndex, printTracks, QUEUE_OPTION_SPECS, QUEUE_USAGE, queueRules, recommendOrUsage } from './recommend.ts';

export const similarCommand: Command = {
  name: 'similar',
  summary:
    'more like this: the songs nearest to one or several tracks by the song metric the nested evaluation chose (works without tags)',
  usage: `cadenza similar PATH_OR_ID... ${QUEUE_USAGE} [--explain] [--data-dir D] [--json]`,
  options: { ...QUEUE_OPTION_SPECS },
  run(ctx, args, options) {
    if (args.length === 0) throw new UsageError(`usage: ${this.usage}`);
    const rules = queueRules(options);
    const db = ctx.openDb();
    try {
      const seeds = args.map((ref) => {
        const id = resolveTrack(db, ref);
        if (id === null) throw new UsageError(`no such track in the library: ${ref} (give a track id or the file's path)`);
        return id;
      });
      const index = openIndex(ctx, db);
      const tracks = recommendOrUsage(() => moreLikeThis(db, index, seeds, rules));
      printTracks(ctx, tracks, options.explain === true);
      return 0;
    } finally {
      db.close();
    }
  },
};
