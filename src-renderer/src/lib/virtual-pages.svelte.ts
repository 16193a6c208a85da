/** One page of a browse list as the core answers it. */
export type PageAnswer<T> = { ok: true; value: { total: number; items: T[] } } | { ok: false; error: string };

/**
 * A long list read page by page as it comes into view (the album grid at 100,000 albums, the artist and
 * genre lists): only the pages
 * near what is shown are kept (at most `maxPages`, the farthest dropped first), so memory and the DOM stay
 * bounded however far one scrolls. A reload (a new search, the library changed) starts again; an answer to
 * an older reload is dropped.
 */
export class VirtualPages<T> {
  total = $state(0);
  search = $state('');
  error = $state<string | null>(null);
  loading = $state(false);
  /** The first page has answered (the total is known). */
  loaded = $state(false);
  /** Where the view was scrolled to (not state: a view restores it when it comes back, e.g. from an album). */
  scrollTop = 0;
  /** Moves when pages arrive or go, so a view reading `at` reads again. */
  private version = $state(0);
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- signalled through `version`
  private readonly pages = new Map<number, T[]>();
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, not shown
  private readonly inFlight = new Set<number>();
  private generation = 0;
  private center = 0;

  constructor(
    readonly pageSize: number,
    private readonly fetchPage: (offset: number, limit: number, search: string | undefined) => Promise<PageAnswer<T>>,
    private readonly maxPages = 12,
  ) {}

  /** The first page again, the rest as they come into view. */
  async reload(): Promise<void> {
    const generation = ++this.generation;
    this.pages.clear();
    this.inFlight.clear();
    this.total = 0;
    this.loaded = false;
    this.scrollTop = 0;
    this.version++;
    await this.load(0, generation);
  }

  /** Item i, or undefined while its page loads. */
  at(i: number): T | undefined {
    void this.version;
    return this.pages.get(Math.floor(i / this.pageSize))?.[i % this.pageSize];
  }

  /** How many pages are kept now (bounded by maxPages). */
  get keptPages(): number {
    void this.version;
    return this.pages.size;
  }

  /** Items [from, to) are in view: loads the pages they need and drops the farthest beyond maxPages. */
  show(from: number, to: number): Promise<void> {
    const first = Math.floor(Math.max(0, from) / this.pageSize);
    const last = Math.floor(Math.max(from, to - 1) / this.pageSize);
    this.center = (first + last) / 2;
    const loads: Promise<void>[] = [];
    for (let p = first; p <= last; p++)
      if (!this.pages.has(p) && !this.inFlight.has(p)) loads.push(this.load(p, this.generation));
    return Promise.all(loads).then(() => undefined);
  }

  private async load(page: number, generation: number): Promise<void> {
    this.inFlight.add(page);
    this.loading = true;
    const result = await this.fetchPage(page * this.pageSize, this.pageSize, this.search.trim() || undefined);
    if (generation !== this.generation) return;
    this.inFlight.delete(page);
    this.loading = this.inFlight.size > 0;
    if (!result.ok) {
      this.error = result.error;
      return;
    }
    this.error = null;
    this.total = result.value.total;
    this.loaded = true;
    this.pages.set(page, result.value.items);
    while (this.pages.size > this.maxPages) {
      let farthest = page;
      for (const p of this.pages.keys()) if (Math.abs(p - this.center) > Math.abs(farthest - this.center)) farthest = p;
      if (farthest === page) break;
      this.pages.delete(farthest);
    }
    this.version++;
  }
}
