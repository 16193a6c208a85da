import type { CadenzaApi } from '../../../src-main/api/contract.ts';
import { PLAYLIST_TRACKS_MAX, SAVED_QUEUE_MAX, SMOOTH_ORDER_MAX, type TrackRow } from '../../../src-main/api/types.ts';
import type { PlayerState } from './player.svelte.ts';
import type { PlaylistsState, SaveOutcome } from './playlists.svelte.ts';
import type { PointGrid } from './point-grid.ts';
import type { RecommendState } from './recommend.svelte.ts';
import { trackRowsInOrder } from './track-rows.ts';

/** How far (map pixels) the pointer must travel before a press becomes a lasso instead of a click. */
export const LASSO_START = 6;
/** Vertices closer than this to the last one are not kept (a slow drag adds hundreds otherwise). */
const VERTEX_STEP = 2;

/**
 * The map's lasso (issue 16, item 8): a drag on the map draws a closed outline; the songs inside it
 * can be queued (in smooth order, starting from the song nearest where the drag began) or saved as a
 * playlist. A press that does not travel stays a click (which plays the dot under it). From the keyboard,
 * X drops a corner at the map cursor and C closes the outline (addCorner, closeCorners).
 */
export class MapLassoState {
  /** The outline in map pixels (x0, y0, x1, y1, …): while drawing and after, until cleared. */
  polygon = $state.raw<number[]>([]);
  drawing = $state(false);
  /** The songs inside the last finished outline, as track ids (map order: nearest the start first). */
  selected = $state.raw<number[]>([]);
  message = $state<string | null>(null);
  error = $state<string | null>(null);
  busy = $state(false);
  /** The keyboard is drawing an outline corner by corner (the map draws its open edge to the cursor). */
  cornering = $state(false);
  private pressed: { x: number; y: number } | null = null;

  constructor(
    private readonly api: CadenzaApi,
    private readonly player: PlayerState,
    private readonly rec: RecommendState,
    private readonly playlists: PlaylistsState,
  ) {}

  /** A press on the map: a lasso may start here. */
  press(x: number, y: number): void {
    this.pressed = { x, y };
    this.drawing = false;
  }

  /** The pointer moved with the button down: true once it is a lasso (the map then stops hovering). */
  drag(x: number, y: number): boolean {
    const start = this.pressed;
    if (!start) return false;
    if (!this.drawing) {
      if (Math.hypot(x - start.x, y - start.y) < LASSO_START) return false;
      this.drawing = true;
      this.polygon = [start.x, start.y];
    }
    const p = this.polygon;
    if (Math.hypot(x - p[p.length - 2]!, y - p[p.length - 1]!) >= VERTEX_STEP) this.polygon = [...p, x, y];
    return true;
  }

  /**
   * The button was released: a lasso closes and selects the songs inside it (true: the release was a
   * lasso, not a click). `ids` are the map's track ids, `xs`/`ys` their map pixels.
   */
  release(grid: PointGrid, ids: ArrayLike<number>, xs: Float32Array, ys: Float32Array): boolean {
    const start = this.pressed;
    this.pressed = null;
    if (!this.drawing || !start) return false;
    this.drawing = false;
    this.select(grid, ids, xs, ys, start);
    return true;
  }

  /**
   * The keyboard's lasso (X at the map cursor): a corner of an outline being drawn, the first starting
   * a new one. The outline is drawn from its corners; `closeCorners` (C) selects the songs inside.
   */
  addCorner(x: number, y: number): void {
    if (!this.cornering) {
      this.cancel();
      this.polygon = [];
      this.selected = [];
      this.error = null;
      this.cornering = true;
    }
    this.polygon = [...this.polygon, x, y];
    const corners = this.polygon.length / 2;
    this.message =
      corners < 3
        ? `Lasso corner ${corners}: move the cursor and press X for the next (at least 3), C to close, Escape to drop it.`
        : `Lasso corner ${corners}: press X for another, or C to close the lasso.`;
  }

  /** C: closes the keyboard's outline and selects the songs inside (false: no outline was being drawn). */
  closeCorners(grid: PointGrid, ids: ArrayLike<number>, xs: Float32Array, ys: Float32Array): boolean {
    if (!this.cornering) return false;
    if (this.polygon.length < 6) {
      this.message = 'A lasso needs at least 3 corners: move the cursor and press X to add one.';
      return true;
    }
    this.cornering = false;
    this.select(grid, ids, xs, ys, { x: this.polygon[0]!, y: this.polygon[1]! });
    return true;
  }

  /** The songs inside the outline, nearest `start` first, and what the listener is told. */
  private select(
    grid: PointGrid,
    ids: ArrayLike<number>,
    xs: Float32Array,
    ys: Float32Array,
    start: { x: number; y: number },
  ): void {
    const inside = grid.inPolygon(this.polygon);
    inside.sort(
      (a, b) => (xs[a]! - start.x) ** 2 + (ys[a]! - start.y) ** 2 - ((xs[b]! - start.x) ** 2 + (ys[b]! - start.y) ** 2),
    );
    this.selected = inside.map((i) => ids[i]!);
    this.error = null;
    this.message =
      inside.length === 0
        ? 'No songs inside the lasso: draw around some dots.'
        : inside.length > PLAYLIST_TRACKS_MAX
          ? `${inside.length} songs inside the lasso: a playlist holds at most ${PLAYLIST_TRACKS_MAX}, draw a smaller one.`
          : null;
  }

  /** The press was cancelled (the pointer left the window): nothing is selected. */
  cancel(): void {
    this.pressed = null;
    this.drawing = false;
  }

  clear(): void {
    this.cancel();
    this.cornering = false;
    this.polygon = [];
    this.selected = [];
    this.message = null;
    this.error = null;
  }

  /**
   * Queues the lasso's songs after the current one: in smooth order from the song nearest where the
   * lasso began (up to the smooth-order limit; beyond it, nearest that song first), at most a queue's worth.
   */
  async queue(): Promise<void> {
    const ids = this.selected.slice(0, SAVED_QUEUE_MAX);
    if (ids.length === 0) return;
    this.busy = true;
    try {
      const ordered = await this.order(ids);
      if (!ordered) return;
      const rows = await this.rows(ordered);
      if (!rows) return;
      this.player.replaceUpcoming(rows);
      this.rec.queuedFrom(`Map selection (${rows.length} songs)`);
      this.error = null;
      const left = this.selected.length - ids.length;
      this.message = `Queued ${rows.length} songs from the map${ids.length >= 3 && ids.length <= SMOOTH_ORDER_MAX ? ' in smooth order' : ''}${left > 0 ? ` (the ${left} furthest from the start left out: a queue holds ${SAVED_QUEUE_MAX})` : ''}.`;
    } finally {
      this.busy = false;
    }
  }

  /** Saves the lasso's songs as a playlist, in the order `queue` plays them. */
  async save(name: string, replace = false): Promise<SaveOutcome> {
    const trimmed = name.trim();
    if (trimmed === '') return { status: 'error', message: 'Give the playlist a name.' };
    if (this.selected.length === 0) return { status: 'error', message: 'Draw a lasso around some songs first.' };
    if (this.selected.length > PLAYLIST_TRACKS_MAX)
      return { status: 'error', message: `A playlist holds at most ${PLAYLIST_TRACKS_MAX} songs: draw a smaller lasso.` };
    this.busy = true;
    try {
      const ordered = await this.order(this.selected);
      if (!ordered) return { status: 'error', message: this.error ?? 'The songs could not be ordered.' };
      const outcome = await this.playlists.saveTracks(trimmed, ordered, replace);
      if (outcome.status === 'saved') this.message = outcome.text;
      return outcome;
    } finally {
      this.busy = false;
    }
  }

  /** Smooth order from the first song (within the smooth-order limit), else as selected: nearest the start first. */
  private async order(ids: number[]): Promise<number[] | null> {
    if (ids.length < 3 || ids.length > SMOOTH_ORDER_MAX) return ids;
    const result = await this.api.call('queue.smoothOrder', { trackIds: ids, firstId: ids[0]! });
    if (!result.ok) {
      this.fail(result.error);
      return null;
    }
    return result.value.trackIds;
  }

  private async rows(ids: number[]): Promise<TrackRow[] | null> {
    const rows = await trackRowsInOrder(this.api, ids);
    if (rows.ok) return rows.value;
    this.fail(rows.error);
    return null;
  }

  private fail(error: string): void {
    this.error = error;
  }
}
