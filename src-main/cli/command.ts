import type { ParseArgsConfig } from 'node:util';
import type { CommandContext } from './context.ts';

type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

/** One `cadenza` sub-command: its own options, usage text, and a run function returning the exit status. */
export interface Command {
  name: string;
  /** One line for `cadenza --help`. */
  summary: string;
  /** Usage line(s), shown on a usage error. */
  usage: string;
  /** Options beyond the shared --data-dir, --json and --help. */
  options?: OptionSpecs;
  run(
    ctx: CommandContext,
    args: string[],
    options: Record<string, string | boolean | string[] | boolean[] | undefined>,
  ): Promise<number> | number;
}
