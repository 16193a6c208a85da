import type { CadenzaApi } from '../../../src-main/api/contract.ts';
import type { AlbumSummary, BrowseField, BrowseGroup, SimilarGroup, TrackRow } from '../../../src-main/api/types.ts';
import { VirtualPages } from './virtual-pages.svelte.ts';

/** Names fetched per page as the list scrolls. */
const PAGE = 200;
/** Similar artists shown on an artist's page. */
const SIMILAR = 8;

/**
 * Browsing by artist or by genre (one class, `by` says which): the list of names (pages fetched as they
 * scroll into view), and the open
 * name's tracks (the first 2,000, with the total) and, for an artist, their albums and the artists
 * whose songs sound nearest to theirs (by the model: none before one is trained).
 */
export class BrowseState {
  readonly list: VirtualPages<BrowseGroup>;
  open = $state.raw<BrowseGroup | null>(null);
  tracks = $state.raw<TrackRow[]>([]);
  /** How many tracks the open name has (more than `tracks` holds past 2,000). */
  trackTotal = $state(0);
  albums = $state.raw<AlbumSummary[]>([]);
  /** For an artist: the artists like them, nearest first. */
  similar = $state.raw<SimilarGroup[]>([]);
  /** Why there are no similar artists (no model yet, the artist's songs not embedded). */
  similarNote = $state<string | null>(null);
  error = $state<string | null>(null);

  constructor(
    private readonly api: CadenzaApi,
    readonly by: BrowseField,
  ) {
    this.list = new VirtualPages(PAGE, async (offset, limit, search) => {
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
    this.similar = [];
    this.similarNote = null;
    if (!group) return;
    const artist = this.by === 'artist';
    const [tracks, albums, similar] = await Promise.all([
      this.api.call('browse.tracks', { by: this.by, name: group.name }),
      artist ? this.api.call('albums.list', { offset: 0, limit: 500, artist: group.name }) : null,
      artist ? this.api.call('tracks.similarGroups', { kind: 'artist', name: group.name, n: SIMILAR }) : null,
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
    // No similar artists is not an error on this page: say why beside the heading.
    if (similar?.ok) this.similar = similar.value.groups;
    else if (similar) this.similarNote = similar.error;
  }

  /** Opens a name met elsewhere (a similar artist): its counts from the list, found by an exact match. */
  async showByName(name: string): Promise<void> {
    const result = await this.api.call('browse.groups', { by: this.by, offset: 0, limit: 100, search: name });
    if (!result.ok) {
      this.error = result.error;
      return;
    }
    const key = name.toLocaleLowerCase();
    const group = result.value.groups.find((g) => g.name.toLocaleLowerCase() === key);
    if (group) await this.show(group);
    else this.error = `“${name}” is not in the ${this.by} list (its songs may be tagged with an album artist).`;
  }
}
