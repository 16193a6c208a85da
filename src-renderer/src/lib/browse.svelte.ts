import type { CadenzaApi } from '../../../src-main/api/contract.ts';
import type { AlbumSummary, BrowseField, BrowseGroup, TrackRow } from '../../../src-main/api/types.ts';

/** Names shown per page of the list ("Show more" asks for the next). */
const PAGE = 200;

/**
 * Browsing by artist or by genre (one class, `by` says which): the paged list of names, and the open
 * name's tracks (the first 2,000, with the total) and, for an artist, their albums.
 */
export class BrowseState {
  groups = $state.raw<BrowseGroup[]>([]);
  total = $state(0);
  search = $state('');
  open = $state.raw<BrowseGroup | null>(null);
  tracks = $state.raw<TrackRow[]>([]);
  /** How many tracks the open name has (more than `tracks` holds past 2,000). */
  trackTotal = $state(0);
  albums = $state.raw<AlbumSummary[]>([]);
  error = $state<string | null>(null);
  loading = $state(false);
  private generation = 0;

  constructor(
    private readonly api: CadenzaApi,
    readonly by: BrowseField,
  ) {}

  /** The first page again (a new search, or the library changed). */
  async reload(): Promise<void> {
    const generation = ++this.generation;
    this.groups = [];
    this.total = 0;
    await this.more(generation);
  }

  async more(generation = this.generation): Promise<void> {
    this.loading = true;
    const result = await this.api.call('browse.groups', {
      by: this.by,
      offset: this.groups.length,
      limit: PAGE,
      ...(this.search.trim() ? { search: this.search.trim() } : {}),
    });
    if (generation !== this.generation) return;
    this.loading = false;
    if (!result.ok) {
      this.error = result.error;
      return;
    }
    this.error = null;
    this.total = result.value.total;
    this.groups = [...this.groups, ...result.value.groups];
  }

  async show(group: BrowseGroup | null): Promise<void> {
    this.open = group;
    this.tracks = [];
    this.trackTotal = 0;
    this.albums = [];
    if (!group) return;
    const [tracks, albums] = await Promise.all([
      this.api.call('browse.tracks', { by: this.by, name: group.name }),
      this.by === 'artist' ? this.api.call('albums.list', { offset: 0, limit: 500, artist: group.name }) : null,
    ]);
    if (this.open !== group) return;
    if (!tracks.ok) {
      this.error = tracks.error;
      return;
    }
    this.tracks = tracks.value.tracks;
    this.trackTotal = tracks.value.total;
    if (albums?.ok) this.albums = albums.value.albums;
    else if (albums) this.error = albums.error;
  }
}
