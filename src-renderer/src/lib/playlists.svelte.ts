import type { CadenzaApi } from '../../../src-main/api/contract.ts';
import type { PlaylistInfo, TrackRow } from '../../../src-main/api/types.ts';
import { trackRowsInOrder } from './track-rows.ts';
import type { PlayerState } from './player.svelte.ts';

/** What saving the queue answered: saved, or the name is taken (the user may replace it). */
export type SaveOutcome =
  { status: 'saved'; name: string; text: string } | { status: 'exists'; message: string } | { status: 'error'; message: string };

/** The saved playlists: list, save the queue under a name (asking before a replace), load, play, delete. */
export class PlaylistsState {
  list = $state<PlaylistInfo[]>([]);
  error = $state<string | null>(null);
  /** A short line about the last action, for a status region. */
  message = $state<string | null>(null);

  constructor(
    private readonly api: CadenzaApi,
    private readonly player: PlayerState,
    /** Called when a playlist filled the queue (e.g. to say so over the queue). */
    private readonly onQueued: (source: string) => void = () => {},
  ) {}

  async load(): Promise<void> {
    const result = await this.api.call('playlists.list', null);
    if (result.ok) {
      this.list = result.value.playlists;
      this.error = null;
    } else this.error = result.error;
  }

  /** Saves the queue under `name`; an existing name is only replaced with `replace`. */
  async saveQueue(name: string, replace = false): Promise<SaveOutcome> {
    const trackIds = this.player.queue.map((t) => t.id);
    if (trackIds.length === 0) return { status: 'error', message: 'The queue is empty.' };
    return this.saveTracks(name, trackIds, replace);
  }

  /** Saves tracks (the queue, a lasso on the map) under `name`; an existing name is only replaced with `replace`. */
  async saveTracks(name: string, trackIds: number[], replace = false): Promise<SaveOutcome> {
    const result = await this.api.call('playlists.save', { name, trackIds, ...(replace ? { replace: true } : {}) });
    if (!result.ok) return { status: 'error', message: result.error };
    if (result.value.status === 'exists') return { status: 'exists', message: result.value.message };
    const saved = result.value.playlist;
    const text = `${result.value.replaced ? 'Replaced' : 'Saved'} playlist “${saved.name}” (${saved.tracks} ${saved.tracks === 1 ? 'track' : 'tracks'})`;
    await this.load();
    return { status: 'saved', name: saved.name, text };
  }

  /** The playlist's tracks in order (missing ones left out). */
  private async tracks(playlist: PlaylistInfo): Promise<TrackRow[] | null> {
    const got = await this.api.call('playlists.get', { id: playlist.id });
    if (!got.ok) {
      this.error = got.error;
      await this.load();
      return null;
    }
    const rows = await trackRowsInOrder(this.api, got.value.trackIds);
    if (!rows.ok) {
      this.error = rows.error;
      return null;
    }
    this.error = null;
    return rows.value;
  }

  /** Puts the playlist in the queue after the current track (the whole queue when nothing plays). */
  async loadIntoQueue(playlist: PlaylistInfo): Promise<boolean> {
    const rows = await this.tracks(playlist);
    if (!rows) return false;
    this.player.replaceUpcoming(rows);
    this.onQueued(`Playlist ${playlist.name}`);
    this.message = `Loaded “${playlist.name}” into the queue`;
    return true;
  }

  /** Replaces the queue with the playlist and plays it from the start. */
  async play(playlist: PlaylistInfo): Promise<void> {
    const rows = await this.tracks(playlist);
    if (!rows || rows.length === 0) return;
    this.onQueued(`Playlist ${playlist.name}`);
    this.message = `Playing “${playlist.name}”`;
    await this.player.playList(rows);
  }

  async remove(playlist: PlaylistInfo): Promise<void> {
    const result = await this.api.call('playlists.delete', { id: playlist.id });
    if (!result.ok) this.error = result.error;
    else this.message = result.value.deleted ? `Deleted playlist “${playlist.name}”` : `“${playlist.name}” was already gone`;
    await this.load();
  }
}
