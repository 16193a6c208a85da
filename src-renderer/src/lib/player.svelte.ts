import type { CadenzaApi } from '../../../src-main/api/contract.ts';
import type { TrackRow } from '../../../src-main/api/types.ts';

/** The queue and the audio element: play/pause, seek, next/previous, volume, and the next track preloaded. */
export class PlayerState {
  queue = $state<TrackRow[]>([]);
  index = $state(-1);
  playing = $state(false);
  currentTime = $state(0);
  duration = $state(0);
  volume = $state(0.8);
  error = $state<string | null>(null);
  /** Listening events for the recommendations: a track started, played to the end, or was skipped. */
  onFeedback: (track: TrackRow, kind: 'play' | 'complete' | 'skip', position: number) => void = () => {};
  private audio: HTMLAudioElement | null = null;
  private preloader: HTMLAudioElement | null = null;

  constructor(
    private readonly api: CadenzaApi,
    private readonly onVolume: (volume: number) => void = () => {},
  ) {}

  current = $derived<TrackRow | null>(this.queue[this.index] ?? null);
  upcoming = $derived<TrackRow | null>(this.queue[this.index + 1] ?? null);

  /** Binds the two audio elements (the player, and a silent one that preloads the next track). */
  attach(audio: HTMLAudioElement, preloader: HTMLAudioElement): () => void {
    this.audio = audio;
    this.preloader = preloader;
    audio.volume = this.volume;
    const on = (name: string, fn: () => void) => {
      audio.addEventListener(name, fn);
      return () => audio.removeEventListener(name, fn);
    };
    const offs = [
      on('timeupdate', () => (this.currentTime = audio.currentTime)),
      on('durationchange', () => (this.duration = Number.isFinite(audio.duration) ? audio.duration : 0)),
      on('play', () => (this.playing = true)),
      on('pause', () => (this.playing = false)),
      on('ended', () => {
        if (this.current) this.onFeedback(this.current, 'complete', audio.currentTime);
        void this.next();
      }),
      on('error', () => {
        if (this.current)
          this.error = `Cannot play “${this.current.title ?? this.current.path}” (${audio.error?.message || 'unsupported format or missing file'})`;
      }),
    ];
    return () => offs.forEach((off) => off());
  }

  /** Keeps the next track loading in the background so it starts without a gap. */
  preloadNext(): void {
    const next = this.upcoming;
    if (!this.preloader) return;
    const src = next ? this.api.mediaUrl(next.id) : '';
    if (src && !this.preloader.src.endsWith(src)) {
      this.preloader.src = src;
      this.preloader.load();
    }
  }

  /** Replaces the queue with these tracks and plays the first (a table's "play from here"). */
  async playList(tracks: TrackRow[]): Promise<void> {
    this.queue = [...tracks];
    await this.playAt(0);
  }

  /** Keeps what was played up to the current track and replaces everything after it. */
  replaceUpcoming(tracks: TrackRow[]): void {
    this.queue = [...this.queue.slice(0, this.index + 1), ...tracks];
  }

  enqueue(...tracks: TrackRow[]): void {
    this.queue = [...this.queue, ...tracks];
  }

  async playAt(index: number): Promise<void> {
    const track = this.queue[index];
    if (!track || !this.audio) return;
    const leaving = this.current;
    // Leaving a track before its end is a skip (with where it was left).
    if (leaving && !this.audio.ended && this.audio.currentTime > 0) this.onFeedback(leaving, 'skip', this.audio.currentTime);
    this.index = index;
    this.onFeedback(track, 'play', 0);
    this.error = null;
    this.currentTime = 0;
    this.audio.src = this.api.mediaUrl(track.id);
    await this.resume();
  }

  async toggle(): Promise<void> {
    if (!this.audio) return;
    if (this.index < 0 && this.queue.length > 0) return this.playAt(0);
    if (this.audio.paused) await this.resume();
    else this.audio.pause();
  }

  async next(): Promise<void> {
    if (this.index + 1 < this.queue.length) await this.playAt(this.index + 1);
    else {
      this.audio?.pause();
      this.playing = false;
    }
  }

  /** Back to the start of the track after its first 3 seconds, else to the previous track. */
  async previous(): Promise<void> {
    if (this.audio && this.audio.currentTime > 3) this.seek(0);
    else if (this.index > 0) await this.playAt(this.index - 1);
    else this.seek(0);
  }

  seek(seconds: number): void {
    if (!this.audio) return;
    this.audio.currentTime = Math.max(0, Math.min(seconds, this.duration || seconds));
    this.currentTime = this.audio.currentTime;
  }

  setVolume(volume: number, persist = true): void {
    this.volume = Math.max(0, Math.min(1, volume));
    if (this.audio) this.audio.volume = this.volume;
    if (persist) this.onVolume(this.volume);
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
  }

  remove(at: number): void {
    const wasCurrent = at === this.index;
    this.queue = this.queue.filter((_, i) => i !== at);
    if (at < this.index) this.index--;
    else if (wasCurrent) {
      this.audio?.pause();
      this.index = -1;
    }
  }

  clear(): void {
    this.audio?.pause();
    this.audio?.removeAttribute('src');
    this.queue = [];
    this.index = -1;
    this.currentTime = 0;
    this.duration = 0;
  }

  private async resume(): Promise<void> {
    try {
      await this.audio?.play();
    } catch (error) {
      if (error instanceof DOMException && error.name === 'AbortError') return; // a newer src replaced it
      this.error = error instanceof Error ? error.message : String(error);
    }
  }
}
