import type { Migration } from './types.ts';
import { migration0001 } from './0001-library.ts';

/** Every migration in order; versions are 1, 2, 3, … with no gaps. */
export const MIGRATIONS: readonly Migration[] = [migration0001];

export const LATEST_SCHEMA_VERSION = MIGRATIONS.length;
export type { Migration };
