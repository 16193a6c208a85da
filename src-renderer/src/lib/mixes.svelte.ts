import type { CadenzaApi } from '../../../src-main/api/contract.ts';
import type { MixOptions, RadioSeedRequest, TrackRow } from '../../../src-main/api/types.ts';
import { trackName } from './format.ts';
import type { PlayerState } from './player.svelte.ts';
import type { RecommendState } from './recommend.svelte.ts';

/** The energy control over the queue: calmer ↔ more energetic, or a rising / falling energy curve. */
export type EnergyChoice = 'any' | 'calmer' | 'energetic' | 'rising' | 'falling';

/** The tempo control: a range of BPM for every fill (songs without a stored tempo are left out). */
export const TEMPO_RANGES = {
  any: null,
  slow: { min: 0, max: 90 },
  moderate: { min: 90, max: 120 },
  fast: { min: 120, max: 150 },
  faster: { min: 150, max: 400 },
} as const satisfies Record<string, { min: number; max: number } | null>;
export type TempoChoice = keyof typeof TEMPO_RANGES;

/** Songs in a path the UI asks for (the two ends included). */
export const PATH_SONGS = 12;

/** Songs a blend basket holds on each side (the API takes 100; a basket is a handful). */
export const BLEND_SIDE_MAX = 20;

/** One side of the blend basket: more like these, or less like these. */
export type BlendSide = 'like' | 'unlike';

/**
 * The issue-16 mixes as the UI drives them: "Path to…" on a track (from the playing song, or from a
 * song picked first when nothing plays) fills the queue with a song path; "Smooth order" reorders
 * what is queued after the current song into a smooth walk that continues from it; "Radio" queues a
 * radio's next songs from the playing song (or from an artist or album page); the blend basket
 * ("more like these, less like those") queues a blend with subtraction.
 */
export class MixesState {
  /** The start picked for a path while nothing plays (the next "Path to…" ends it). */
  pathStart = $state<TrackRow | null>(null);
  /** A short line about the last mix, for a status region. */
  message = $state<string | null>(null);
  error = $state<string | null>(null);
  busy = $state(false);
  energy = $state<EnergyChoice>('any');
  tempo = $state<TempoChoice>('any');
  /** Caps on songs per artist and per album in every fill (null: no cap). */
  maxPerArtist = $state<number | null>(null);
  maxPerAlbum = $state<number | null>(null);
  /** The blend basket: songs to move towards, and songs to move away from. */
  blendLike = $state.raw<TrackRow[]>([]);
  blendUnlike = $state.raw<TrackRow[]>([]);

  constructor(
    private readonly api: CadenzaApi,
    private readonly player: PlayerState,
    private readonly rec: RecommendState,
  ) {
    rec.mixOptions = () => this.options();
  }

  /** The mix options the controls stand for. */
  options(): MixOptions {
    const e = this.energy;
    return {
      ...(e === 'calmer' ? { energy: -1 } : e === 'energetic' ? { energy: 1 } : {}),
      ...(e === 'rising' || e === 'falling' ? { energyCurve: e } : {}),
      ...(TEMPO_RANGES[this.tempo] ? { tempo: { ...TEMPO_RANGES[this.tempo]! } } : {}),
      ...this.caps(),
    };
  }

  /** Changes a control and refills the queue with it. */
  setEnergy(choice: EnergyChoice): Promise<void> {
    this.energy = choice;
    return this.rec.refresh();
  }

  setTempo(choice: TempoChoice): Promise<void> {
    this.tempo = choice;
    return this.rec.refresh();
  }

  /** The caps alone (what a song path takes of the controls). */
  caps(): { maxPerArtist?: number; maxPerAlbum?: number } {
    return {
      ...(this.maxPerArtist !== null ? { maxPerArtist: this.maxPerArtist } : {}),
      ...(this.maxPerAlbum !== null ? { maxPerAlbum: this.maxPerAlbum } : {}),
    };
  }

  setCap(kind: 'artist' | 'album', value: number | null): Promise<void> {
    const cap = value === null || !Number.isFinite(value) || value < 1 ? null : Math.floor(value);
    if (kind === 'artist') this.maxPerArtist = cap;
    else this.maxPerAlbum = cap;
    return this.rec.refresh();
  }

  /** A path from the playing song (or the picked start) to `target`, queued after the current song. */
  async pathTo(target: TrackRow): Promise<void> {
    const start = this.player.current ?? this.pathStart;
    if (!start) {
      this.pathStart = target;
      this.error = null;
      this.message = `Path from “${trackName(target)}”: now choose “Path to…” on the song to end at.`;
      return;
    }
    if (start.id === target.id) {
      this.error = 'A path needs two different songs.';
      return;
    }
    this.busy = true;
    try {
      const result = await this.api.call('mix.path', {
        trackIds: [start.id, target.id],
        n: PATH_SONGS,
        ...(Object.keys(this.caps()).length ? { mix: this.caps() } : {}),
      });
      if (!result.ok) {
        this.error = result.error;
        return;
      }
      const rows = result.value.tracks.map(({ why: _why, distance: _distance, ...row }) => row);
      // Playing the start already: the path goes after it. Otherwise the whole path is the queue.
      this.player.replaceUpcoming(this.player.current?.id === start.id ? rows.slice(1) : rows);
      this.rec.queuedFrom(`Path ${trackName(start)} → ${trackName(target)}`);
      this.pathStart = null;
      this.error = null;
      this.message = `Path of ${rows.length} songs from “${trackName(start)}” to “${trackName(target)}”: largest step ${result.value.largestStep.toFixed(2)}, mean ${result.value.meanStep.toFixed(2)}.`;
    } finally {
      this.busy = false;
    }
  }

  /** When this window's listening session began: the radio does not repeat what was started since. */
  private readonly sessionSince = Date.now();

  /**
   * A radio's next songs after the current one: from `from` (an artist's or album's page), else from
   * the playing song (or the first queued one, which then leads the queue).
   */
  async radio(from?: { seed: RadioSeedRequest; label: string }): Promise<void> {
    const seedTrack = from ? null : (this.player.current ?? this.player.queue[0]);
    if (!from && !seedTrack) {
      this.error = 'Play or queue a song to start a radio from it.';
      return;
    }
    const label = from ? from.label : trackName(seedTrack!);
    this.busy = true;
    try {
      const queued = this.player.queue.slice(0, this.player.index + 1).map((t) => t.id);
      const result = await this.api.call('queue.radio', {
        seed: from ? from.seed : { trackIds: [seedTrack!.id] },
        n: 20,
        sessionSince: this.sessionSince,
        ...(queued.length ? { exclude: queued } : {}),
        ...(Object.keys(this.options()).length ? { mix: this.options() } : {}),
      });
      if (!result.ok) {
        this.error = result.error;
        return;
      }
      const rows = result.value.tracks.map(({ why: _why, distance: _distance, ...row }) => row);
      this.player.replaceUpcoming(this.player.current || !seedTrack ? rows : [seedTrack, ...rows]);
      this.rec.queuedFrom(`Radio from ${label}`);
      this.error = null;
      this.message = `Radio from “${label}”: ${rows.length} songs queued.`;
    } finally {
      this.busy = false;
    }
  }

  /** Puts a song on one side of the blend basket (off the other side: the latest choice decides). */
  addToBlend(row: TrackRow, side: BlendSide): void {
    const like = this.blendLike.filter((t) => t.id !== row.id);
    const unlike = this.blendUnlike.filter((t) => t.id !== row.id);
    const target = side === 'like' ? like : unlike;
    if (target.length >= BLEND_SIDE_MAX) {
      this.error = `A blend holds at most ${BLEND_SIDE_MAX} songs on each side.`;
      return;
    }
    target.push(row);
    this.blendLike = like;
    this.blendUnlike = unlike;
    this.error = null;
  }

  removeFromBlend(id: number): void {
    this.blendLike = this.blendLike.filter((t) => t.id !== id);
    this.blendUnlike = this.blendUnlike.filter((t) => t.id !== id);
  }

  clearBlend(): void {
    this.blendLike = [];
    this.blendUnlike = [];
  }

  /** Queues the basket's blend after the current song: more like its "like" songs, less like its "unlike" ones. */
  async queueBlend(): Promise<void> {
    if (this.blendLike.length === 0) {
      this.error = 'Add a song to “more like” first: a blend moves away from songs only towards others.';
      return;
    }
    const names = (rows: TrackRow[]) => rows.map((t) => trackName(t)).join(', ');
    const source = `Blend: more like ${names(this.blendLike)}${this.blendUnlike.length ? `, less like ${names(this.blendUnlike)}` : ''}`;
    this.busy = true;
    try {
      await this.rec.blend(
        this.blendLike.map((t) => t.id),
        this.blendUnlike.map((t) => t.id),
        source,
      );
      if (this.rec.error) {
        this.error = this.rec.error;
        return;
      }
      this.error = null;
      this.message = `${source}: ${this.player.queue.length - this.player.index - 1} songs queued.`;
    } finally {
      this.busy = false;
    }
  }

  cancelPath(): void {
    this.pathStart = null;
    this.message = null;
  }

  /** Reorders the songs after the current one so that each is close to the one before (the current one leads). */
  async smoothOrder(): Promise<void> {
    const current = this.player.current;
    const upcoming = this.player.queue.slice(this.player.index + 1);
    const songs = current ? [current, ...upcoming] : upcoming;
    if (songs.length < 3) {
      this.error = 'Queue at least three songs to order them.';
      return;
    }
    this.busy = true;
    try {
      const result = await this.api.call('queue.smoothOrder', { trackIds: songs.map((t) => t.id), firstId: songs[0]!.id });
      if (!result.ok) {
        this.error = result.error;
        return;
      }
      // Ids back to the queued rows (a song queued twice keeps both entries).
      const rows: Record<number, TrackRow[]> = {};
      for (const t of songs) (rows[t.id] ??= []).push(t);
      const ordered = result.value.trackIds.map((id) => rows[id]!.shift()!);
      this.player.replaceUpcoming(current ? ordered.slice(1) : ordered);
      this.error = null;
      const { before, after } = result.value;
      const shorter = before > 0 ? ` (${Math.round((100 * (before - after)) / before)} % shorter)` : '';
      this.message = `Queue in smooth order: walk ${before.toFixed(2)} → ${after.toFixed(2)}${shorter}.`;
    } finally {
      this.busy = false;
    }
  }
}
