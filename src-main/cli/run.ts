import { parseArgs } from 'node:util';
import { SchemaTooNewError } from '../core/db/migrate.ts';
import { CorruptDatabaseError } from '../core/db/open.ts';
import { markCleanClose } from '../core/db/start-check.ts';
import { RootOverlapError } from '../core/library/library-store.ts';
import type { Command } from './command.ts';
import { makeContext, UsageError } from './context.ts';

const SHARED_OPTIONS = {
  'data-dir': { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

export function usage(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  return [
    'Usage: cadenza <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'Options (every command):',
    '  --data-dir DIR   where the library lives (default: $CADENZA_DATA_DIR or the per-user data folder)',
    '  --json           print one JSON object on stdout',
    '  -h, --help       help (cadenza <command> --help for one command)',
    '',
  ].join('\n');
}

/**
 * Runs one CLI invocation among `commands` and returns its exit status. main.ts passes every command; an
 * entry that bundles one command alone (serve-entry.ts) passes just that one, so it loads nothing else.
 */
export async function runCli(argv: string[], commands: readonly Command[]): Promise<number> {
  const name = argv.find((a) => !a.startsWith('-'));
  const command: Command | undefined = commands.find((c) => c.name === name);
  if (!command) {
    const help = argv.includes('--help') || argv.includes('-h');
    if (help && !name) {
      process.stdout.write(usage(commands));
      return 0;
    }
    process.stderr.write(`${name ? `cadenza: unknown command: ${name}\n\n` : ''}${usage(commands)}`);
    return 2;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: argv.filter((a, i) => i !== argv.indexOf(command.name)),
      allowPositionals: true,
      options: { ...SHARED_OPTIONS, ...command.options },
    });
  } catch (error) {
    process.stderr.write(`cadenza ${command.name}: ${(error as Error).message}\nusage: ${command.usage}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`usage: ${command.usage}\n${command.summary}\n`);
    return 0;
  }
  const ctx = makeContext(values['data-dir'] as string | undefined, Boolean(values.json));
  try {
    return await command.run(ctx, positionals, values);
  } catch (error) {
    return reportError(command.name, error);
  } finally {
    markCleanClose(ctx.dataDir); // when this run did the start check and ended here, not killed
  }
}

/** Exit statuses: 2 usage, 3 database unusable (damaged or too new), 1 anything else. */
function reportError(name: string, error: unknown): number {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`cadenza ${name}: ${message}\n`);
  if (error instanceof UsageError || error instanceof RootOverlapError) return 2;
  if (error instanceof CorruptDatabaseError || error instanceof SchemaTooNewError) return 3;
  return 1;
}
