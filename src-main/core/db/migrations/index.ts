import type { Migration } from './types.ts';
import { migration0001 } from './0001-library.ts';
import { migration0002 } from './0002-features.ts';
import { migration0003 } from './0003-tags-topics.ts';
import { migration0004 } from './0004-models.ts';
import { migration0005 } from './0005-feedback.ts';
import { migration0006 } from './0006-descriptors.ts';
import { migration0007 } from './0007-loudness.ts';
import { migration0008 } from './0008-library-sort.ts';
import { migration0009 } from './0009-song-vectors.ts';
import { migration0010 } from './0010-model-inputs.ts';
import { migration0011 } from './0011-browse-artists.ts';
import { migration0012 } from './0012-track-genres.ts';
import { migration0013 } from './0013-tracks-version.ts';

/** Every migration in order; versions are 1, 2, 3, … with no gaps. */
export const MIGRATIONS: readonly Migration[] = [
  migration0001,
  migration0002,
  migration0003,
  migration0004,
  migration0005,
  migration0006,
  migration0007,
  migration0008,
  migration0009,
  migration0010,
  migration0011,
  migration0012,
  migration0013,
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS.length;
export type { Migration };
