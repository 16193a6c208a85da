import type { Migration } from './types.ts';

/**
 * Indexes for the library table at 100,000 tracks: one per sort of `tracks.list` but year and format
 * (the exact ORDER BY expressions of core/app/track-query.ts, ids last, so a page is a walk along the index
 * rather than a sort of the whole library; read backwards for descending, the artist's descending order has
 * its own as it keeps missing artists last), and (container, codec) for the format counts and filter.
 */
export const migration0008: Migration = {
  version: 8,
  name: 'library-sort',
  up(db) {
    db.exec(`
      CREATE INDEX tracks_sort_artist ON tracks(artist IS NULL, artist COLLATE NOCASE, album COLLATE NOCASE, disc_no, track_no, id);
      CREATE INDEX tracks_sort_artist_desc ON tracks(artist IS NULL, artist COLLATE NOCASE DESC, album COLLATE NOCASE, disc_no, track_no, id DESC);
      CREATE INDEX tracks_sort_album ON tracks(album IS NULL, album COLLATE NOCASE, disc_no, track_no, id);
      CREATE INDEX tracks_sort_title ON tracks(COALESCE(title, path) COLLATE NOCASE, id);
      CREATE INDEX tracks_sort_added ON tracks(added_at, id);
      CREATE INDEX tracks_sort_duration ON tracks(duration, id);
      CREATE INDEX tracks_format ON tracks(container, codec);
    `);
  },
};
