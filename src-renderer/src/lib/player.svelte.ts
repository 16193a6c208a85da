import type { ArtSize, CadenzaApi } from '../../../src-main/api/contract.ts';
import type { PlayerSettings, RepeatMode, SavedQueue, TrackRow } from '../../../src-main/api/types.ts';
import { DEFAULT_PLAYER_SETTINGS, REPEAT_MODES, SAVED_QUEUE_MAX } from '../../../src-main/api/types.ts';
import { AudioEngine, type EngineTrack } from './audio-engine.ts';
import { levellingFactor } from './levelling.ts';
import {
  crossfadeBetween,
  endlessRequest,
  followingIndex,
  precedingIndex,
  restoredQueue,
  savedWindow,
  shuffled,
  unshuffled,
} from './queue-order.ts';

/** Endless play asks for more this many tracks before the queue's end. */
const ENDLESS_AHEAD = 2;
/** Seeds of an endless fill: the last tracks played. */
const ENDLESS_SEEDS = 5;
const ENDLESS_BATCH = 10;
/** The recommendation API takes at most this many ids to leave out. */
const EXCLUDE_MAX = 10_000;

/**
 * The queue and how it plays: play/pause, seek, next/previous, volume, shuffle (undoable), repeat,
 * play next / add to queue, endless play from recommendations, and the settings the audio engine
 * applies (levelling, gapless, crossfade).
 */
export class PlayerState {
  queue = $state<TrackRow[]>([]);
  index = $state(-1);
  playing = $state(false);
  currentTime = $state(0);
  duration = $state(0);
  volume = $state(0.8);
  error = $state<string | null>(null);
  settings = $state<PlayerSettings>({ ...DEFAULT_PLAYER_SETTINGS });
  /** The order before shuffle (track ids), null when not shuffled. */
  unshuffledOrder = $state<number[] | null>(null);
  /** What the last endless fill continued from, e.g. "More like A, B". */
  endlessNote = $state<string | null>(null);
  /** The current track's level as applied (dB; null: nothing plays). */
  levelDb = $state<number | null>(null);
  /** Whether the current track plays decoded (sample-exact joins) or streamed. */
  decoded = $state(false);
  /** Listening events for the recommendations: a track started, played to the end, or was skipped. */
  onFeedback: (track: TrackRow, kind: 'play' | 'complete' | 'skip', position: number) => void = () => {};
  private engine: AudioEngine | null = null;
  private preloader: HTMLAudioElement | null = null;
  /** The queue index handed to the engine as what follows. */
  private nextIndex: number | null = null;
  private filling = false;
  /** The queue ran out while an endless fill was under way: play on when it arrives. */
  private waitingForMore = false;
  /** Where to start the current track on the first play after a restore. */
  private resumeAt = 0;

  constructor(
    private readonly api: CadenzaApi,
    private readonly onVolume: (volume: number) => void = () => {},
    private readonly onSettings: (patch: Partial<PlayerSettings>) => void = () => {},
    private readonly onQueue: (queue: SavedQueue | null) => void = () => {},
  ) {}

  current = $derived<TrackRow | null>(this.queue[this.index] ?? null);
  upcoming = $derived<TrackRow | null>(this.queue[this.index + 1] ?? null);
  shuffled = $derived(this.unshuffledOrder !== null);

  /** Binds the audio element (streamed tracks) and a silent one that warms the next stream's cache. */
  attach(audio: HTMLAudioElement, preloader: HTMLAudioElement): () => void {
    this.preloader = preloader;
    const engine = new AudioEngine(audio, {
      started: (track, auto) => this.onStarted(track, auto),
      ended: (track) => this.onEnded(track),
      error: (track, message) => {
        const row = this.queue.find((t) => t.id === track.id);
        this.error = `Cannot play “${row?.title ?? row?.path ?? track.id}” (${message})`;
      },
      playing: (playing) => (this.playing = playing),
      time: (position, duration) => {
        this.currentTime = position;
        this.duration = duration;
        // From the engine itself: the started event may still be queued behind the first time update.
        this.decoded = engine.decodedVoice;
      },
    });
    this.engine = engine;
    engine.setVolume(this.volume);
    this.applySettings();
    const save = setInterval(() => this.playing && this.persist(), 15_000);
    const leave = () => this.persist();
    window.addEventListener('pagehide', leave);
    return () => {
      clearInterval(save);
      window.removeEventListener('pagehide', leave);
      engine.stop();
      this.engine = null;
    };
  }

  /** The saved queue as it was left (nothing plays until the listener presses play). */
  restore(saved: SavedQueue, rows: TrackRow[]): void {
    const restored = restoredQueue(saved.trackIds, saved.index, rows);
    this.queue = restored.queue;
    this.index = restored.index;
    this.unshuffledOrder = saved.unshuffled;
    this.resumeAt = this.index >= 0 ? saved.position : 0;
    this.currentTime = this.resumeAt;
    this.duration = this.current?.duration ?? 0;
    this.syncNext();
  }

  /** Applies settings from the settings file (no save back). */
  load(settings: PlayerSettings): void {
    this.settings = { ...settings };
    this.applySettings();
  }

  /** Changes player settings (saved), applied at once to what plays and what follows. */
  setSettings(patch: Partial<PlayerSettings>): void {
    this.settings = { ...this.settings, ...patch };
    this.applySettings();
    this.onSettings(patch);
  }

  cycleRepeat(): void {
    const mode: RepeatMode = REPEAT_MODES[(REPEAT_MODES.indexOf(this.settings.repeat) + 1) % REPEAT_MODES.length]!;
    this.setSettings({ repeat: mode });
  }

  /** The linear gain levelling gives `track` under the current settings. */
  levelOf(track: TrackRow): number {
    return levellingFactor(track.gain, {
      mode: this.settings.levelling,
      preampDb: this.settings.preampDb,
      preventClipping: this.settings.preventClipping,
    });
  }

  /** Keeps the next track's stream warm (streamed playback only; decoded playback fetches it whole). */
  preloadNext(): void {
    const next = this.upcoming;
    if (!this.preloader || this.settings.gapless || this.settings.crossfadeSeconds > 0) return;
    const src = next ? this.api.mediaUrl(next.id) : '';
    if (src && !this.preloader.src.endsWith(src)) {
      this.preloader.src = src;
      this.preloader.load();
    }
  }

  /** Replaces the queue with these tracks and plays the first (a table's "play from here"). */
  async playList(tracks: TrackRow[]): Promise<void> {
    this.queue = [...tracks];
    this.unshuffledOrder = null;
    this.index = -1;
    await this.playAt(0);
  }

  /** Keeps what was played up to the current track and replaces everything after it. */
  replaceUpcoming(tracks: TrackRow[]): void {
    this.queue = [...this.queue.slice(0, this.index + 1), ...tracks];
    this.changed();
  }

  /** "Add to queue": at the end. */
  enqueue(...tracks: TrackRow[]): void {
    this.queue = [...this.queue, ...tracks];
    this.changed();
  }

  /** "Play next": right after the current track. */
  playNext(...tracks: TrackRow[]): void {
    const at = this.index + 1;
    this.queue = [...this.queue.slice(0, at), ...tracks, ...this.queue.slice(at)];
    this.changed();
  }

  async playAt(index: number, position = 0): Promise<void> {
    const track = this.queue[index];
    if (!track || !this.engine) return;
    const leaving = this.current;
    // Leaving a track before its end is a skip (with where it was left).
    if (leaving && this.playing && this.currentTime > 0) this.onFeedback(leaving, 'skip', this.currentTime);
    this.index = index;
    this.resumeAt = 0;
    this.waitingForMore = false;
    this.onFeedback(track, 'play', position);
    this.error = null;
    this.currentTime = position;
    this.duration = track.duration ?? 0;
    this.decoded = false; // until the engine says how this one plays
    this.nextIndex = null;
    this.syncNext();
    await this.engine.play(this.engineTrack(track), position);
    this.changed();
  }

  async toggle(): Promise<void> {
    if (!this.engine) return;
    if (this.index < 0 && this.queue.length > 0) return this.playAt(0);
    if (this.playing) await this.engine.pause();
    else if (this.engine.track === null) await this.playAt(this.index, this.resumeAt);
    else await this.engine.resume();
    this.persist();
  }

  /** The listener's "next": the following track (repeat one does not hold it back). */
  async next(): Promise<void> {
    const to = followingIndex(this.index, this.queue.length, this.settings.repeat, false);
    if (to !== null) await this.playAt(to);
  }

  /** Back to the start of the track after its first 3 seconds, else to the previous track. */
  async previous(): Promise<void> {
    const to = precedingIndex(this.index, this.queue.length, this.settings.repeat);
    if (this.currentTime > 3 || to === null) this.seek(0);
    else await this.playAt(to);
  }

  seek(seconds: number): void {
    const to = Math.max(0, Math.min(seconds, this.duration || seconds));
    if (this.engine?.track) this.engine.seek(to);
    else this.resumeAt = to;
    this.currentTime = to;
  }

  setVolume(volume: number, persist = true): void {
    this.volume = Math.max(0, Math.min(1, volume));
    this.engine?.setVolume(this.volume);
    if (persist) this.onVolume(this.volume);
  }

  /** Shuffle on: the current track stays and the rest is shuffled; off: the order before comes back. */
  toggleShuffle(): void {
    if (this.unshuffledOrder) {
      const back = unshuffled(this.queue, this.index, this.unshuffledOrder);
      this.queue = back.queue;
      this.index = back.index;
      this.unshuffledOrder = null;
    } else {
      const order = this.queue.map((t) => t.id);
      const out = shuffled(this.queue, this.index);
      this.queue = out.queue;
      this.index = out.index;
      this.unshuffledOrder = order;
    }
    this.changed();
  }

  move(from: number, to: number): void {
    if (to < 0 || to >= this.queue.length || from === to) return;
    const q = [...this.queue];
    const [item] = q.splice(from, 1);
    q.splice(to, 0, item!);
    if (this.index === from) this.index = to;
    else if (from < this.index && to >= this.index) this.index--;
    else if (from > this.index && to <= this.index) this.index++;
    this.queue = q;
    this.changed();
  }

  remove(at: number): void {
    const wasCurrent = at === this.index;
    this.queue = this.queue.filter((_, i) => i !== at);
    if (at < this.index) this.index--;
    else if (wasCurrent) {
      this.engine?.stop();
      this.index = -1;
    }
    this.changed();
  }

  clear(): void {
    this.engine?.stop();
    this.queue = [];
    this.index = -1;
    this.unshuffledOrder = null;
    this.currentTime = 0;
    this.duration = 0;
    this.levelDb = null;
    this.endlessNote = null;
    this.changed();
  }

  /** Where the track's cover art is served (404 when it has none). */
  /** A track's cover URL: `thumb` for grids and lists, the picture as stored for now playing's OS artwork. */
  artUrl(track: { id: number }, size: ArtSize = 'thumb'): string {
    return this.api.artUrl(track.id, size);
  }

  private engineTrack(track: TrackRow): EngineTrack {
    return { id: track.id, url: this.api.mediaUrl(track.id), level: this.levelOf(track), duration: track.duration };
  }

  private applySettings(): void {
    const engine = this.engine;
    if (!engine) return;
    engine.decodeAhead = this.settings.gapless || this.settings.crossfadeSeconds > 0;
    const current = this.current;
    if (current && engine.track?.id === current.id) engine.setLevel(this.levelOf(current));
    this.showLevel();
    this.syncNext();
  }

  private showLevel(): void {
    const current = this.current;
    this.levelDb = current ? 20 * Math.log10(this.levelOf(current)) : null;
    this.decoded = this.engine?.decodedVoice ?? false;
  }

  /** Tells the engine what follows the current track (and with how much crossfade). */
  private syncNext(): void {
    const current = this.current;
    const to = current ? followingIndex(this.index, this.queue.length, this.settings.repeat, true) : null;
    const next = to === null ? null : this.queue[to]!;
    this.nextIndex = to;
    this.engine?.setNext(
      next ? this.engineTrack(next) : null,
      next && current ? crossfadeBetween(current, next, this.settings.crossfadeSeconds) : 0,
    );
  }

  private onStarted(track: { id: number }, auto: boolean): void {
    const expected = this.nextIndex === null ? undefined : this.queue[this.nextIndex];
    if (auto && expected?.id === track.id) {
      // The engine moved on by itself (or looped, under repeat one): the one before played to its end.
      if (this.current) this.onFeedback(this.current, 'complete', this.duration);
      this.index = this.nextIndex!;
      this.onFeedback(expected, 'play', 0);
      this.currentTime = 0;
      this.duration = expected.duration ?? 0;
    }
    this.error = null;
    this.changed();
  }

  private onEnded(track: { id: number }): void {
    if (this.current?.id === track.id) this.onFeedback(this.current, 'complete', this.duration);
    this.playing = false;
    if (this.settings.endless) {
      this.waitingForMore = true;
      void this.fillEndless();
    }
  }

  /** After any change of the queue or its position: what follows, levels, endless, and the saved queue. */
  private changed(): void {
    this.syncNext();
    this.showLevel();
    if (this.settings.endless && this.current && this.queue.length - 1 - this.index < ENDLESS_AHEAD) void this.fillEndless();
    this.persistSoon();
  }

  /** When this window's listening session began: the radio behind endless play steers by its skips and completions. */
  private readonly sessionSince = Date.now();

  /**
   * Endless play: the radio (`queue.radio`) from the last tracks played, appended before the end. The
   * radio honours dislikes, recent plays and artist spacing, and this session's reactions (a skip early
   * in a song pushes its neighbours down, a completion or like pulls them up).
   */
  private async fillEndless(): Promise<void> {
    if (this.filling || this.index < 0) return;
    this.filling = true;
    try {
      const played = this.queue.slice(0, this.index + 1);
      const { trackIds, exclude } = endlessRequest(this.queue, this.index, ENDLESS_SEEDS, EXCLUDE_MAX);
      const result = await this.api.call('queue.radio', {
        seed: { trackIds },
        n: ENDLESS_BATCH,
        sessionSince: this.sessionSince,
        ...(exclude.length ? { exclude } : {}),
      });
      if (!result.ok) {
        this.error = `Endless play: ${result.error}`;
        return;
      }
      const fresh = result.value.tracks.map(({ why: _why, distance: _distance, ...row }) => row);
      if (fresh.length === 0) {
        this.endlessNote = 'Endless play found nothing more to add';
        return;
      }
      const names = played.slice(-2).map((t) => t.title ?? t.path.split(/[\\/]/).pop());
      this.endlessNote = `Endless: more like ${names.join(', ')}`;
      this.queue = [...this.queue, ...fresh];
      if (this.unshuffledOrder) this.unshuffledOrder = [...this.unshuffledOrder, ...fresh.map((t) => t.id)];
      this.syncNext();
      this.persistSoon();
      if (this.waitingForMore) {
        this.waitingForMore = false;
        await this.playAt(this.index + 1);
      }
    } finally {
      this.filling = false;
    }
  }

  private persistTimer: ReturnType<typeof setTimeout> | undefined;

  private persistSoon(): void {
    clearTimeout(this.persistTimer);
    this.persistTimer = setTimeout(() => this.persist(), 1000);
  }

  /** Saves the queue (ids, current, position; the order before shuffle) so a restart finds it. */
  private persist(): void {
    clearTimeout(this.persistTimer);
    if (this.queue.length === 0) return this.onQueue(null);
    // A very long queue is saved from the current track on.
    const saved = savedWindow(this.queue, this.index, this.unshuffledOrder, SAVED_QUEUE_MAX);
    this.onQueue({ ...saved, position: Math.max(0, this.currentTime) });
  }
}
