import { databasePath } from '../../core/db/open.ts';
import { checkLibraryDatabase } from '../../core/db/start-check.ts';
import type { Command } from '../command.ts';
import { printJson, UsageError } from '../context.ts';

/** `cadenza doctor`: the full integrity_check on demand (every start runs only the quick check). */
export const doctorCommand: Command = {
  name: 'doctor',
  summary: 'check the whole library database (integrity_check); a damaged file is moved aside (exit 3)',
  usage: 'cadenza doctor [--data-dir D] [--json]',
  run(ctx, args) {
    if (args.length > 0) throw new UsageError(`usage: ${this.usage}`);
    const started = performance.now();
    checkLibraryDatabase(ctx.dataDir, 'full'); // throws CorruptDatabaseError → exit 3 with the message
    const ms = performance.now() - started;
    if (ctx.json) printJson(ctx, { ok: true, file: databasePath(ctx.dataDir), ms });
    else ctx.stdout(`The library database ${databasePath(ctx.dataDir)} is intact (integrity_check ok, ${ms.toFixed(0)} ms).`);
    return 0;
  },
};
