import { parseArgs } from 'node:util';
import { CorruptDatabaseError } from '../core/db/open.ts';
import { SchemaTooNewError } from '../core/db/migrate.ts';
import { RootOverlapError } from '../core/library/library-store.ts';
import { libraryCommand, rootsCommand } from './commands/library.ts';
import { scanCommand } from './commands/scan.ts';
import { makeContext, UsageError } from './context.ts';

export const USAGE = `Usage: cadenza <command> [options]

Commands:
  scan DIR...            add folders to the library and scan them (incremental)
  library                track count, formats, tag coverage and failures
  roots [list|remove DIR...]  the library's folders

Options (every command):
  --data-dir DIR         where the library lives (default: $CADENZA_DATA_DIR or the per-user data folder)
  --json                 print one JSON object on stdout
  -h, --help             this help
`;

/** Runs one CLI invocation and returns its exit status. */
export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        'data-dir': { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        'parse-timeout': { type: 'string' },
      },
    });
  } catch (error) {
    process.stderr.write(`cadenza: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    (values.help ? process.stdout : process.stderr).write(USAGE);
    return values.help ? 0 : 2;
  }
  const ctx = makeContext(values['data-dir'], values.json ?? false);
  try {
    switch (command) {
      case 'scan': {
        if (rest.length === 0) throw new UsageError('usage: cadenza scan DIR... [--data-dir D] [--json]');
        const timeout = values['parse-timeout'] ? Number(values['parse-timeout']) : undefined;
        if (timeout !== undefined && !(timeout > 0)) throw new UsageError('--parse-timeout takes milliseconds > 0');
        return await scanCommand(ctx, rest, timeout ? { timeoutMs: timeout } : {});
      }
      case 'library':
        return libraryCommand(ctx);
      case 'roots':
        return rootsCommand(ctx, rest[0], rest.slice(1));
      default:
        throw new UsageError(`unknown command: ${command}`);
    }
  } catch (error) {
    if (error instanceof UsageError || error instanceof RootOverlapError) {
      process.stderr.write(`cadenza: ${error.message}\n`);
      return 2;
    }
    if (error instanceof CorruptDatabaseError || error instanceof SchemaTooNewError) {
      process.stderr.write(`cadenza: ${error.message}\n`);
      return 3;
    }
    process.stderr.write(`cadenza: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
