import type { CadenzaApi } from '../../../src-main/api/contract.ts';
import type { Availability, SortDirection, TrackFilter, TrackRow, TrackSortKey } from '../../../src-main/api/types.ts';

export const PAGE_SIZE = 100;

/**
 * The library table's data: query (search, sort, filters) and a cache of fixed-size pages fetched as
 * the visible window moves, so a 100,000-track library costs only the rows on screen.
 */
export class TrackListState {
  search = $state('');
  sortKey = $state<TrackSortKey>('artist');
  sortDir = $state<SortDirection>('asc');
  format = $state('');
  genre = $state('');
  availability = $state<Availability>('all');
  topics = $state<number[]>([]);

  total = $state(0);
  loaded = $state(false);
  error = $state<string | null>(null);
  private pages = $state.raw<Record<number, TrackRow[]>>({});
  // Bookkeeping only (which pages are in flight): nothing renders from it, so it is deliberately not reactive.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private pending = new Set<number>();
  private generation = 0;
  private searchTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly api: CadenzaApi) {}

  filter = $derived<TrackFilter>({
    ...(this.format ? { formats: [this.format] } : {}),
    ...(this.genre ? { genres: [this.genre] } : {}),
    ...(this.topics.length ? { topics: [...this.topics] } : {}),
    availability: this.availability,
  });

  rowAt(index: number): TrackRow | undefined {
    return this.pages[Math.floor(index / PAGE_SIZE)]?.[index % PAGE_SIZE];
  }

  /** Fetches the pages covering rows first..last that are not cached yet. */
  ensure(first: number, last: number): void {
    const end = Math.min(last, Math.max(0, this.total - 1));
    for (let page = Math.floor(Math.max(0, first) / PAGE_SIZE); page <= Math.floor(end / PAGE_SIZE); page++) {
      if (!(page in this.pages) && !this.pending.has(page)) void this.fetchPage(page);
    }
  }

  /** Drops the cache and fetches the first page again (after a query change or a library change). */
  async reload(): Promise<void> {
    this.generation++;
    this.pending.clear();
    await this.fetchPage(0, true);
  }

  setSearch(text: string): void {
    this.search = text;
    clearTimeout(this.searchTimer);
    this.searchTimer = setTimeout(() => void this.reload(), 200);
  }

  sortBy(key: TrackSortKey): void {
    if (this.sortKey === key) this.sortDir = this.sortDir === 'asc' ? 'desc' : 'asc';
    else {
      this.sortKey = key;
      this.sortDir = 'asc';
    }
    void this.reload();
  }

  /** The rows (ids and data) from `index` on that are cached, up to `count` (for "play from here"). */
  cachedFrom(index: number, count: number): TrackRow[] {
    const out: TrackRow[] = [];
    for (let i = index; i < Math.min(this.total, index + count); i++) {
      const row = this.rowAt(i);
      if (!row) break;
      out.push(row);
    }
    return out;
  }

  private async fetchPage(page: number, replace = false): Promise<void> {
    const generation = this.generation;
    this.pending.add(page);
    const result = await this.api.call('tracks.list', {
      offset: page * PAGE_SIZE,
      limit: PAGE_SIZE,
      search: this.search,
      sort: { key: this.sortKey, dir: this.sortDir },
      filter: this.filter,
    });
    if (generation !== this.generation) return; // an older query's answer
    this.pending.delete(page);
    if (!result.ok) {
      this.error = result.error;
      return;
    }
    this.error = null;
    this.total = result.value.total;
    this.pages = replace ? { [page]: result.value.tracks } : { ...this.pages, [page]: result.value.tracks };
    this.loaded = true;
  }
}
