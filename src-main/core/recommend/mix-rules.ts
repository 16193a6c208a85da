/**
 * The mix limits (issue 16, item 7): one rule set that every mix applies — topic queues, more like this,
 * blends, song paths — so "variety" means the same thing everywhere. A track is out when it was taken,
 * its song (artist + title) was taken or excluded, or its artist or album reached its cap; it does not
 * fit *yet* while its artist is among the last `artistSpacing` taken. Pure: indices in, decisions out.
 */

/** What the rules need to know about the indexed tracks (index i = position in the index). */
export interface RankTracks {
  count: number;
  /** Interned artist per track; −1 = unknown (never spaced or capped). */
  artistKey: Int32Array;
  /** Interned normalised (artist, title) per track; −1 = unknown (never collapsed). */
  songKey: Int32Array;
  /** Interned normalised (album artist or artist, album) per track; −1 = unknown (never capped). */
  albumKey?: Int32Array;
}

export interface MixLimits {
  /** At least this many other tracks between two tracks of one artist (0 = no rule). Default 1. */
  artistSpacing?: number;
  /** At most this many tracks of one artist in the mix (0 or absent = no cap). */
  maxPerArtist?: number;
  /** At most this many tracks of one album in the mix (0 or absent = no cap). */
  maxPerAlbum?: number;
}

/** The state of one mix being built under the limits. */
export class MixState {
  readonly taken: number[] = [];
  private readonly takenSet = new Set<number>();
  private readonly songs = new Set<number>();
  private readonly perArtist = new Map<number, number>();
  private readonly perAlbum = new Map<number, number>();
  private readonly spacing: number;
  private readonly artistCap: number;
  private readonly albumCap: number;

  constructor(
    private readonly tracks: RankTracks,
    limits: MixLimits = {},
    private readonly excludeSongs: ReadonlySet<number> = new Set(),
  ) {
    this.spacing = Math.max(0, Math.floor(limits.artistSpacing ?? 1));
    this.artistCap = capOf(limits.maxPerArtist);
    this.albumCap = capOf(limits.maxPerAlbum);
  }

  /** Out for good: taken, its song taken or excluded, or its artist or album at its cap. */
  gone(i: number): boolean {
    if (this.takenSet.has(i)) return true;
    const song = this.tracks.songKey[i]!;
    if (song >= 0 && (this.songs.has(song) || this.excludeSongs.has(song))) return true;
    const artist = this.tracks.artistKey[i]!;
    if (artist >= 0 && (this.perArtist.get(artist) ?? 0) >= this.artistCap) return true;
    const album = this.tracks.albumKey?.[i] ?? -1;
    return album >= 0 && (this.perAlbum.get(album) ?? 0) >= this.albumCap;
  }

  /** Fits now: its artist is not among the last `artistSpacing` taken (not checking `gone`). */
  fits(i: number): boolean {
    const artist = this.tracks.artistKey[i]!;
    if (artist < 0 || this.spacing === 0) return true;
    for (let back = 1; back <= this.spacing && back <= this.taken.length; back++)
      if (this.tracks.artistKey[this.taken[this.taken.length - back]!] === artist) return false;
    return true;
  }

  /** Neither gone nor held back: it may go next. */
  accepts(i: number): boolean {
    return !this.gone(i) && this.fits(i);
  }

  take(i: number): void {
    this.taken.push(i);
    this.reserve(i);
  }

  /** Counts a track that will come later in the mix (a path's next waypoints) toward its song, artist and album. */
  reserve(i: number): void {
    this.takenSet.add(i);
    const song = this.tracks.songKey[i]!;
    if (song >= 0) this.songs.add(song);
    const artist = this.tracks.artistKey[i]!;
    if (artist >= 0) this.perArtist.set(artist, (this.perArtist.get(artist) ?? 0) + 1);
    const album = this.tracks.albumKey?.[i] ?? -1;
    if (album >= 0) this.perAlbum.set(album, (this.perAlbum.get(album) ?? 0) + 1);
  }
}

const capOf = (cap: number | undefined): number =>
  cap !== undefined && Number.isFinite(cap) && cap >= 1 ? Math.floor(cap) : Number.POSITIVE_INFINITY;

/**
 * Orders already chosen tracks by `key` (ascending), keeping the artist spacing: each place takes the
 * first remaining track in key order that fits; a track that never fits again is left out (the rules
 * are not broken for the order). Used by the rising / falling energy queue.
 */
export function orderWithinLimits(
  tracks: RankTracks,
  chosen: readonly number[],
  key: (i: number) => number,
  limits: MixLimits,
): number[] {
  const rest = [...chosen].sort((a, b) => key(a) - key(b) || a - b);
  const state = new MixState(tracks, { artistSpacing: limits.artistSpacing ?? 1 });
  while (rest.length > 0) {
    const at = rest.findIndex((i) => state.fits(i));
    if (at < 0) break;
    state.take(rest.splice(at, 1)[0]!);
  }
  return state.taken;
}
