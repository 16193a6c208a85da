import type { LibrarySummary } from '../../../src-main/api/types.ts';
import type { CadenzaApi } from '../../../src-main/api/contract.ts';

/** The library as the UI sees it: loaded through the typed API, refreshed on demand. */
export class LibraryState {
  summary = $state<LibrarySummary | null>(null);
  error = $state<string | null>(null);
  loading = $state(false);

  constructor(private readonly api: CadenzaApi | undefined) {}

  trackCount = $derived(this.summary?.tracks ?? 0);

  async refresh(): Promise<void> {
    if (!this.api) {
      this.error = 'The Cadenza API is not available in this window.';
      return;
    }
    this.loading = true;
    const result = await this.api.call('library.summary', null);
    this.loading = false;
    if (result.ok) {
      this.summary = result.value;
      this.error = null;
    } else {
      this.error = result.error;
    }
  }
}
