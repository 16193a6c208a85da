import { COMMANDS } from './commands/index.ts';
import { runCli, usage as usageOf } from './run.ts';

/** The usage text of `cadenza --help`: every command. */
export const usage = (): string => usageOf(COMMANDS);

/** Runs one CLI invocation (every command) and returns its exit status. */
export const main = (argv: string[]): Promise<number> => runCli(argv, COMMANDS);
