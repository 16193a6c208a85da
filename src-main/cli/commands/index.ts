import type { Command } from '../command.ts';
import { libraryCommand, rootsCommand } from './library.ts';
import { scanCommand } from './scan.ts';
import { tagCommand } from './tag.ts';
import { tagsCommand } from './tags.ts';
import { topicsCommand } from './topics.ts';

/** Every sub-command, in the order `cadenza --help` lists them. Add one line per new command. */
export const COMMANDS: readonly Command[] = [
  scanCommand,
  libraryCommand,
  rootsCommand,
  tagCommand,
  tagsCommand,
  topicsCommand,
];
