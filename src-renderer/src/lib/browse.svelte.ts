import type { CadenzaApi } from '../../../src-main/api/contract.ts';
import type { AlbumSummary, BrowseField, BrowseGroup, TrackRow } from '../../../src-main/api/types.ts';
import { PagedList } from './paged-list.svelte.ts';

/** Names shown per page of the list. */
const PAGE = 200;

/**
 * Browsing by artist or by genre (one class, `by` says which): the paged list of names, and the open
 * name's tracks (the first 2,000, with the total) and, for an artist, their albums.
 */
export class BrowseState {
  readonly list: PagedList<BrowseGroup>;
  open = $state.raw<BrowseGroup | null>(null);
  tracks = $state.raw<TrackRow[]>([]);
  /** How many tracks the open name has (more than `tracks` holds past 2,000). */
  trackTotal = $state(0);
  albums = $state.raw<AlbumSummary[]>([]);
  error = $state<string | null>(null);

  constructor(
    private readonly api: CadenzaApi,
    readonly by: BrowseField,
  ) {
    this.list = new PagedList(PAGE, async (offset, limit, search) => {
      const result = await api.call('browse.groups', { by, offset, limit, ...(search ? { search } : {}) });
      return result.ok ? { ok: true, value: { total: result.value.total, items: result.value.groups } } : result;
    });
  }

  reload(): Promise<void> {
    return this.list.reload();
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
