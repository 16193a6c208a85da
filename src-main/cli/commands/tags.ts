import fs from 'node:fs';
import path from 'node:path';
import { importTags } from '../../core/topics/library-tags.ts';
import { TagFileError } from '../../core/topics/tag-file.ts';
import type { Command } from '../command.ts';
import { printJson, UsageError } from '../context.ts';

export const tagsCommand: Command = {
  name: 'tags',
  summary: 'import song tags from a CSV/TSV file keyed by path or by artist + title (e.g. a Last.fm export)',
  usage: 'cadenza tags import FILE [--data-dir D] [--json]',
  run(ctx, [action, file, ...rest]) {
    if (action !== 'import' || file === undefined || rest.length > 0) throw new UsageError(`usage: ${this.usage}`);
    if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new UsageError(`not a file: ${file}`);
    const text = fs.readFileSync(file, 'utf8');
    const db = ctx.openDb();
    try {
      let result;
      try {
        // Relative paths in the file are relative to the file's own folder.
        result = importTags(db, text, { baseDir: path.dirname(path.resolve(file)) });
      } catch (error) {
        if (error instanceof TagFileError) throw new UsageError(`${file}: ${error.message}`);
        throw error;
      }
      if (ctx.json) {
        printJson(ctx, result);
        return 0;
      }
      ctx.stdout(
        `Imported ${result.added} new tag(s) onto ${result.tracks} track(s) from ${result.matchedRows} of ${result.rows} row(s) ` +
          `(${result.format.toUpperCase()}, keyed by ${result.keyedBy})` +
          (result.ignoredTags ? `; ${result.ignoredTags} unusable tag(s) ignored` : ''),
      );
      if (result.unmatched.length > 0) {
        ctx.stdout(`${result.unmatched.length} row(s) matched no track in the library:`);
        for (const u of result.unmatched.slice(0, 20)) ctx.stdout(`  line ${u.line}: ${u.key}`);
        if (result.unmatched.length > 20) ctx.stdout(`  … and ${result.unmatched.length - 20} more (--json lists them all)`);
      }
      return 0;
    } finally {
      db.close();
    }
  },
};
