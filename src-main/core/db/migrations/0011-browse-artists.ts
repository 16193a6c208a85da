import type { Migration } from './types.ts';

/**
 * An index for browsing by artist at 100,000 tracks: the album artist, else the track artist, in any
 * case (core/app/browse.ts groups, counts and filters by exactly this expression), then the album, so a
 * page of artists and one artist's albums are walks along it rather than a sort of the library.
 */
export const migration0011: Migration = {
  version: 11,
  name: 'browse-artists',
  up(db) {
    db.exec(
      `CREATE INDEX tracks_album_artist ON tracks(COALESCE(album_artist, artist) COLLATE NOCASE, album COLLATE NOCASE, id);`,
    );
  },
};
