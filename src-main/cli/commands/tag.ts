import { normalizeTag } from '../../core/topics/normalize.ts';
import { addUserTags, NoSuchTrackError, removeUserTags, resolveTrack, trackTagInfo } from '../../core/topics/library-tags.ts';
import type { Command } from '../command.ts';
import { printJson, UsageError } from '../context.ts';
import { runTagSuggest } from './tag-suggest.ts';

export const tagCommand: Command = {
  name: 'tag',
  summary: "add or remove a song's tags (kept apart from the file's tags; survive rescans), or show them",
  usage:
    'cadenza tag add|remove TRACK TAG... | cadenza tag show TRACK   (TRACK: a track id or a file path) [--data-dir D] [--json]\n' +
    '       cadenza tag suggest [--accept]   (tags for untagged songs, predicted from the audio by the active model)',
  options: { accept: { type: 'boolean', default: false } },
  run(ctx, [action, ref, ...tags], options) {
    if (action === 'suggest' && ref === undefined) return runTagSuggest(ctx, options.accept === true);
    if ((action !== 'add' && action !== 'remove' && action !== 'show') || ref === undefined)
      throw new UsageError(`usage: ${this.usage}`);
    if (action !== 'show' && tags.length === 0) throw new UsageError(`usage: ${this.usage}`);
    if (action !== 'show' && tags.every((t) => normalizeTag(t) === null)) {
      throw new UsageError(`no usable tag among: ${tags.join(', ')} (see the stop list in docs/topics.md)`);
    }
    const db = ctx.openDb();
    try {
      const trackId = resolveTrack(db, ref);
      if (trackId === null) throw new UsageError(`no such track in the library: ${ref} (give a track id or the file's path)`);
      if (action === 'show') {
        const info = trackTagInfo(db, trackId);
        if (!info) throw new NoSuchTrackError(`no track with id ${trackId}`);
        if (ctx.json) printJson(ctx, info);
        else {
          ctx.stdout(`track ${trackId}: ${info.tags.join(', ') || '(no tags)'}`);
          for (const [what, list] of [
            ['file', info.file],
            ['import', info.import],
            ['user', info.user],
            ['removed', info.removed],
          ] as const) {
            if (list.length > 0) ctx.stdout(`  ${what.padEnd(8)} ${list.join(', ')}`);
          }
        }
        return 0;
      }
      const result = action === 'add' ? addUserTags(db, trackId, tags) : removeUserTags(db, trackId, tags);
      if (ctx.json) printJson(ctx, result);
      else {
        const verb = action === 'add' ? 'added' : 'removed';
        ctx.stdout(`track ${trackId}: ${verb} ${result.changed.length ? result.changed.join(', ') : 'nothing'}`);
        if (result.unchanged.length)
          ctx.stdout(`  already ${action === 'add' ? 'there' : 'absent'}: ${result.unchanged.join(', ')}`);
        if (result.ignored.length) ctx.stdout(`  ignored (not a usable tag): ${result.ignored.join(', ')}`);
        ctx.stdout(`  tags now: ${result.tags.join(', ') || '(none)'}`);
      }
      return 0;
    } finally {
      db.close();
    }
  },
};
