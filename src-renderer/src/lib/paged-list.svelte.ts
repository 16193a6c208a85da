/** One page of a browse list as the core answers it. */
export type PageAnswer<T> = { ok: true; value: { total: number; items: T[] } } | { ok: false; error: string };

/** What the search box, the empty state and "Show more" read of a list (PagedList, VirtualPages). */
export interface SearchableList {
  search: string;
  error: string | null;
  loading: boolean;
  total: number;
  readonly shown: number;
  reload(): Promise<void>;
  /** The next page (a list that loads what comes into view has none). */
  more?(): Promise<void>;
}

/**
 * A list browsed page by page ("Show more" asks for the next) with a search: the album grid and the
 * artist and genre lists. A reload starts again from the first page; an answer to an older reload is dropped.
 */
export class PagedList<T> {
  items = $state.raw<T[]>([]);
  total = $state(0);
  search = $state('');
  error = $state<string | null>(null);
  loading = $state(false);
  private generation = 0;

  constructor(
    private readonly pageSize: number,
    private readonly fetchPage: (offset: number, limit: number, search: string | undefined) => Promise<PageAnswer<T>>,
  ) {}

  /** The first page again (a new search, or the library changed). */
  async reload(): Promise<void> {
    const generation = ++this.generation;
    this.items = [];
    this.total = 0;
    await this.more(generation);
  }

  /** How many items are shown now ("Show more" brings the next page). */
  get shown(): number {
    return this.items.length;
  }

  async more(generation = this.generation): Promise<void> {
    this.loading = true;
    const result = await this.fetchPage(this.items.length, this.pageSize, this.search.trim() || undefined);
    if (generation !== this.generation) return;
    this.loading = false;
    if (!result.ok) {
      this.error = result.error;
      return;
    }
    this.error = null;
    this.total = result.value.total;
    this.items = [...this.items, ...result.value.items];
  }
}
