import type { CadenzaApi } from '../../../src-main/api/contract.ts';
import type { AlbumSummary, SimilarGroup, TrackRow } from '../../../src-main/api/types.ts';
import { VirtualPages } from './virtual-pages.svelte.ts';

/** Albums per page fetched as the grid scrolls. */
const PAGE = 120;
/** Similar albums shown on an album's page. */
const SIMILAR = 8;

/** The album grid (pages fetched from the core as they scroll into view), the open album's tracks and the albums that sound like it. */
export class AlbumsState {
  readonly list: VirtualPages<AlbumSummary>;
  open = $state.raw<AlbumSummary | null>(null);
  tracks = $state.raw<TrackRow[]>([]);
  /** The albums like the open one, nearest first (by the model). */
  similar = $state.raw<SimilarGroup[]>([]);
  /** Why there are none (no model yet, the album's songs not embedded). */
  similarNote = $state<string | null>(null);
  error = $state<string | null>(null);

  constructor(private readonly api: CadenzaApi) {
    this.list = new VirtualPages(PAGE, async (offset, limit, search) => {
      const result = await api.call('albums.list', { offset, limit, ...(search ? { search } : {}) });
      return result.ok ? { ok: true, value: { total: result.value.total, items: result.value.albums } } : result;
    });
  }

  reload(): Promise<void> {
    return this.list.reload();
  }

  async show(album: AlbumSummary | null): Promise<void> {
    this.open = album;
    this.tracks = [];
    this.similar = [];
    this.similarNote = null;
    if (!album) return;
    const [result, similar] = await Promise.all([
      this.api.call('albums.tracks', { title: album.title, artist: album.artist }),
      this.api.call('tracks.similarGroups', { kind: 'album', name: album.title, n: SIMILAR }),
    ]);
    if (this.open !== album) return;
    if (result.ok) this.tracks = result.value;
    else this.error = result.error;
    if (similar.ok) this.similar = similar.value.groups;
    else this.similarNote = similar.error;
  }

  /** Opens a similar album by its title and artist (its summary from the album list). */
  async showSimilar(group: SimilarGroup): Promise<void> {
    const result = await this.api.call('albums.list', {
      offset: 0,
      limit: 100,
      search: group.name,
      ...(group.artist ? { artist: group.artist } : {}),
    });
    if (!result.ok) {
      this.error = result.error;
      return;
    }
    const key = group.name.toLocaleLowerCase();
    const album = result.value.albums.find((a) => a.title.toLocaleLowerCase() === key);
    if (album) await this.show(album);
    else this.error = `The album “${group.name}” is not in the album list.`;
  }
}
