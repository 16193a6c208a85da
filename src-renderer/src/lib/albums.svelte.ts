import type { CadenzaApi } from '../../../src-main/api/contract.ts';
import type { AlbumSummary, TrackRow } from '../../../src-main/api/types.ts';
import { PagedList } from './paged-list.svelte.ts';

/** Albums shown per page of the grid. */
const PAGE = 120;

/** The album grid (paged from the core) and the open album's tracks. */
export class AlbumsState {
  readonly list: PagedList<AlbumSummary>;
  open = $state.raw<AlbumSummary | null>(null);
  tracks = $state.raw<TrackRow[]>([]);
  error = $state<string | null>(null);

  constructor(private readonly api: CadenzaApi) {
    this.list = new PagedList(PAGE, async (offset, limit, search) => {
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
    if (!album) return;
    const result = await this.api.call('albums.tracks', { title: album.title, artist: album.artist });
    if (this.open !== album) return;
    if (result.ok) this.tracks = result.value;
    else this.error = result.error;
  }
}
