import type { Command } from '../command.ts';
import { analyzeCommand } from './analyze.ts';
import { doctorCommand } from './doctor.ts';
import { evalCommand } from './eval.ts';
import { feedbackCommand } from './feedback.ts';
import { featuresCommand } from './features.ts';
import { libraryCommand, rootsCommand } from './library.ts';
import { modelCommand } from './model.ts';
import { pathCommand } from './path.ts';
import { playlistCommand } from './playlist.ts';
import { radioCommand } from './radio.ts';
import { recommendCommand } from './recommend.ts';
import { scanCommand } from './scan.ts';
import { serveCommand } from './serve.ts';
import { similarCommand } from './similar.ts';
import { tagCommand } from './tag.ts';
import { tagsCommand } from './tags.ts';
import { topicsCommand } from './topics.ts';
import { trainCommand } from './train.ts';

/** Every sub-command, in the order `cadenza --help` lists them. Add one line per new command. */
export const COMMANDS: readonly Command[] = [
  scanCommand,
  libraryCommand,
  rootsCommand,
  analyzeCommand,
  featuresCommand,
  tagCommand,
  tagsCommand,
  topicsCommand,
  trainCommand,
  evalCommand,
  modelCommand,
  recommendCommand,
  similarCommand,
  pathCommand,
  radioCommand,
  feedbackCommand,
  playlistCommand,
  serveCommand,
  doctorCommand,
];
