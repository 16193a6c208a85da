import fs from 'node:fs';
import path from 'node:path';

/** The shared research datasets live beside the checkout (../shared/datasets); never copied into it. */
export const SHARED_DATASETS = path.resolve(import.meta.dirname, '../../../shared/datasets');
export const MER_DEV = path.join(SHARED_DATASETS, 'mer-dev');

export function requireMerDev(): string {
  if (!fs.existsSync(path.join(MER_DEV, 'tracks.csv'))) {
    throw new Error(`the mer-dev dataset is missing at ${MER_DEV} (expected ../shared/datasets beside the checkout)`);
  }
  return MER_DEV;
}
