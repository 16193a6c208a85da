import type { Migration } from './types.ts';

/**
 * Feature version 2: the richer descriptors of each analysed clip ("views") next to the MFCC matrix.
 * Rows of feature version 1 keep NULL here and are analysed again (the analysis job asks for the
 * current version). Layout: docs/features.md, section "Descriptors".
 */
export const migration0006: Migration = {
  version: 6,
  name: 'descriptors',
  up(db) {
    db.exec(`
      -- float32 little-endian, views × DESCRIPTOR_LENGTH (2791 = 311 clip values + 20 × 124 segment values);
      -- view 0 describes the same clip as the MFCC matrix in features.
      ALTER TABLE track_features ADD COLUMN descriptors BLOB;
      -- JSON array, one {"start": seconds, "seconds": seconds} per view, in blob order.
      ALTER TABLE track_features ADD COLUMN descriptor_views TEXT;
    `);
  },
};
