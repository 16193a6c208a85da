import type { CadenzaApi } from '../../../src-main/api/contract.ts';
import { TRACKS_GET_MAX, type TrackRow } from '../../../src-main/api/types.ts';

/**
 * The rows of `ids`, in that order (a repeated id gives its row again; an id the library no longer has
 * gives none), asked for in pages of what one `tracks.get` takes. The first failed page's reason ends it.
 */
export async function trackRowsInOrder(
  api: CadenzaApi,
  ids: readonly number[],
): Promise<{ ok: true; value: TrackRow[] } | { ok: false; error: string }> {
  const unique = [...new Set(ids)];
  const byId = new Map<number, TrackRow>();
  for (let i = 0; i < unique.length; i += TRACKS_GET_MAX) {
    const page = await api.call('tracks.get', { ids: unique.slice(i, i + TRACKS_GET_MAX) });
    if (!page.ok) return page;
    for (const row of page.value) byId.set(row.id, row);
  }
  return { ok: true, value: ids.flatMap((id) => byId.get(id) ?? []) };
}
