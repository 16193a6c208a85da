import type { CadenzaApi } from '../../../src-main/api/contract.ts';
import type { AlbumSummary, TrackRow } from '../../../src-main/api/types.ts';

/** Albums shown per page of the grid ("Show more" asks for the next). */
const PAGE = 120;

/** The album grid (paged from the core) and the open album's tracks. */
export class AlbumsState {
  albums = $state.raw<AlbumSummary[]>([]);
  total = $state(0);
  search = $state('');
  open = $state.raw<AlbumSummary | null>(null);
  tracks = $state.raw<TrackRow[]>([]);
  error = $state<string | null>(null);
  loading = $state(false);
  private generation = 0;

  constructor(private readonly api: CadenzaApi) {}

  /** The first page again (a new search, or the library changed). */
  async reload(): Promise<void> {
    const generation = ++this.generation;
    this.albums = [];
    this.total = 0;
    await this.more(generation);
  }

  async more(generation = this.generation): Promise<void> {
    this.loading = true;
    const result = await this.api.call('albums.list', {
      offset: this.albums.length,
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
    this.albums = [...this.albums, ...result.value.albums];
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
