import type { Command } from '../command.ts';
import { libraryCommand, rootsCommand } from './library.ts';
import { scanCommand } from './scan.ts';

/** Every sub-command, in the order `cadenza --help` lists them. Add one line per new command. */
export const COMMANDS: readonly Command[] = [scanCommand, libraryCommand, rootsCommand];
