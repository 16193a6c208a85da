import type { CadenzaApi } from '../../../src-main/api/contract.ts';
import type { MixOptions, TrackRow } from '../../../src-main/api/types.ts';
import { trackName } from './format.ts';
import type { PlayerState } from './player.svelte.ts';
import type { RecommendState } from './recommend.svelte.ts';

/** The energy control over the queue: calmer ↔ more energetic, or a rising / falling energy curve. */
export type EnergyChoice = 'any' | 'calmer' | 'energetic' | 'rising' | 'falling';

/** Songs in a path the UI asks for (the two ends included). */
export const PATH_SONGS = 12;

/**
 * The issue-16 mixes as the UI drives them: "Path to…" on a track (from the playing song, or from a
 * song picked first when nothing plays) fills the queue with a song path; "Smooth order" reorders
 * what is queued after the current song into a smooth walk that continues from it; "Radio" queues a
 * radio's next songs from the playing song.
 */
export class MixesState {
  /** The start picked for a path while nothing plays (the next "Path to…" ends it). */
  pathStart = $state<TrackRow | null>(null);
  /** A short line about the last mix, for a status region. */
  message = $state<string | null>(null);
  error = $state<string | null>(null);
  busy = $state(false);
  energy = $state<EnergyChoice>('any');
  /** At most one song per artist in the queue. */
  onePerArtist = $state(false);

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
      ...(this.onePerArtist ? { maxPerArtist: 1 } : {}),
    };
  }

  /** Changes a control and refills the queue with it. */
  setEnergy(choice: EnergyChoice): Promise<void> {
    this.energy = choice;
    return this.rec.refresh();
  }

  setOnePerArtist(on: boolean): Promise<void> {
    this.onePerArtist = on;
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
        ...(this.onePerArtist ? { mix: { maxPerArtist: 1 } } : {}),
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

  /** A radio from the playing song (or the first queued one): its next songs after the current one. */
  async radio(): Promise<void> {
    const seed = this.player.current ?? this.player.queue[0];
    if (!seed) {
      this.error = 'Play or queue a song to start a radio from it.';
      return;
    }
    this.busy = true;
    try {
      const queued = this.player.queue.slice(0, this.player.index + 1).map((t) => t.id);
      const result = await this.api.call('queue.radio', {
        seed: { trackIds: [seed.id] },
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
      this.player.replaceUpcoming(this.player.current ? rows : [seed, ...rows]);
      this.rec.queuedFrom(`Radio from ${trackName(seed)}`);
      this.error = null;
      this.message = `Radio from “${trackName(seed)}”: ${rows.length} songs queued.`;
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
