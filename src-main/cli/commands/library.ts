import { LibraryStore } from '../../core/library/library-store.ts';
import { librarySummary } from '../../core/library/summary.ts';
import type { Command } from '../command.ts';
import { printJson, UsageError } from '../context.ts';

export const libraryCommand: Command = {
  name: 'library',
  summary: 'track count, formats, tag coverage and failures',
  usage: 'cadenza library [--data-dir D] [--json]',
  run(ctx, args) {
    if (args.length > 0) throw new UsageError(`usage: ${this.usage}`);
    const db = ctx.openDb();
    try {
      const summary = librarySummary(db);
      if (ctx.json) {
        printJson(ctx, summary);
        return 0;
      }
      const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
      ctx.stdout(`${summary.tracks} tracks (${summary.available} available) in ${summary.roots.length} folder(s)`);
      for (const [format, n] of Object.entries(summary.byFormat).sort((a, b) => b[1] - a[1])) ctx.stdout(`  ${format.padEnd(6)} ${n}`);
      ctx.stdout(`Tags: ${pct(summary.tagCoverage.genre)} with a genre, ${pct(summary.tagCoverage.mood)} with a mood`);
      ctx.stdout(`Failed: ${summary.failed.length}`);
      for (const f of summary.failed.slice(0, 20)) ctx.stdout(`  ${f.path}: ${f.reason}`);
      return 0;
    } finally {
      db.close();
    }
  },
};

export const rootsCommand: Command = {
  name: 'roots',
  summary: "the library's folders: list, or remove DIR... (files on disk are untouched)",
  usage: 'cadenza roots [list | remove DIR...] [--data-dir D] [--json]',
  run(ctx, [action, ...dirs]) {
    const db = ctx.openDb();
    try {
      const store = new LibraryStore(db);
      if (action === undefined || action === 'list') {
        const roots = store.roots();
        if (ctx.json) printJson(ctx, { roots });
        else for (const r of roots) ctx.stdout(`${r.path}${r.available ? '' : ' (unavailable)'}`);
        return 0;
      }
      if (action === 'remove') {
        if (dirs.length === 0) throw new UsageError('usage: cadenza roots remove DIR...');
        for (const dir of dirs) {
          if (!store.removeRoot(dir)) throw new UsageError(`not a library folder: ${dir}`);
        }
        if (ctx.json) printJson(ctx, { removed: dirs });
        else ctx.stdout(`Removed ${dirs.length} folder(s) from the library (files on disk untouched).`);
        return 0;
      }
      throw new UsageError(`unknown action: roots ${action} (list | remove)`);
    } finally {
      db.close();
    }
  },
};
