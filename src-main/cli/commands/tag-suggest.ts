import { acceptSuggestions, suggestTags } from '../../core/recommend/tag-suggest.ts';
import type { CommandContext } from '../context.ts';
import { printJson } from '../context.ts';
import { openIndex } from './recommend.ts';

/** `cadenza tag suggest [--accept]`: predicted topics and tags for untagged songs (docs/recommend.md). */
export function runTagSuggest(ctx: CommandContext, accept: boolean): number {
  const db = ctx.openDb();
  try {
    const index = openIndex(ctx, db);
    const suggestions = suggestTags(db, index);
    const added = accept ? acceptSuggestions(db, suggestions) : 0;
    if (ctx.json) printJson(ctx, { suggestions, accepted: accept, added });
    else {
      if (suggestions.length === 0) ctx.stdout('No untagged songs with an embedding.');
      for (const s of suggestions) {
        const name = [s.artist, s.title].filter(Boolean).join(' – ') || s.path;
        ctx.stdout(
          `${name} [${s.trackId}]: ${s.topics.map((t) => `${Math.round(t.share * 100)}% ${t.label}`).join(', ')} → ${s.tags.join(', ')}`,
        );
      }
      if (accept) ctx.stdout(`Added ${added} tag(s); run \`cadenza topics fit\` to refit the topics with them.`);
      else if (suggestions.length > 0) ctx.stdout('Run `cadenza tag suggest --accept` to add these as your tags.');
    }
    return 0;
  } finally {
    db.close();
  }
}
