import { activeModel } from '../../core/model/store.ts';
import { FEEDBACK_KINDS, isFeedbackKind, recordFeedback } from '../../core/recommend/feedback.ts';
import { resolveTrack } from '../../core/topics/library-tags.ts';
import type { Command } from '../command.ts';
import { printJson, UsageError } from '../context.ts';
import { topicsOption } from './recommend.ts';

const KINDS = FEEDBACK_KINDS.filter((k) => k !== 'play');

export const feedbackCommand: Command = {
  name: 'feedback',
  summary: 'record a like, dislike, skip, completion or play of a track (with the topic selection in force)',
  usage: `cadenza feedback ${KINDS.join('|')}|play PATH_OR_ID [--topics 1,4] [--position SECONDS] [--data-dir D] [--json]`,
  options: { topics: { type: 'string' }, position: { type: 'string' } },
  run(ctx, args, options) {
    const [kind, ref, ...rest] = args;
    if (kind === undefined || ref === undefined || rest.length > 0 || !isFeedbackKind(kind))
      throw new UsageError(`usage: ${this.usage}`);
    const topics = topicsOption(options, false);
    let position: number | null = null;
    if (options.position !== undefined) {
      position = Number(options.position);
      if (typeof options.position !== 'string' || !Number.isFinite(position) || position < 0)
        throw new UsageError(`--position takes seconds ≥ 0, got ${String(options.position)}`);
    }
    const db = ctx.openDb();
    try {
      const trackId = resolveTrack(db, ref);
      if (trackId === null) throw new UsageError(`no such track in the library: ${ref} (give a track id or the file's path)`);
      const id = recordFeedback(db, { trackId, kind, topics, position, modelId: activeModel(db)?.id ?? null });
      if (ctx.json) printJson(ctx, { id, trackId, kind, topics, position });
      else ctx.stdout(`Recorded ${kind} for track ${trackId}${topics.length ? ` (topics ${topics.join(',')})` : ''}.`);
      return 0;
    } finally {
      db.close();
    }
  },
};
