// The player's sound: one Web Audio graph for both ways a track plays.
//
//   decoded:  AudioBufferSourceNode ─┐
//                                    ├─ level gain ─ fade gain ─ master (volume) ─ destination
//   streamed: <audio> element ───────┘  (one pair per voice)
//
// Decoded tracks (gapless or crossfade on, and the track short enough) are fetched whole, decoded, and
// started on the audio clock: the next one is scheduled at the exact sample where the current one ends
// (or `crossfade` seconds before, with equal-power fades), so joins have no gap. Anything else, and any
// track that fails to decode, streams through the <audio> element (joins then wait for its `ended`).

/** What the engine needs to know of a track. */
export interface EngineTrack {
  id: number;
  url: string;
  /** Linear gain of the levelling (1: unchanged). */
  level: number;
  /** Seconds, when known (longer than DECODE_MAX_SECONDS: always streamed). */
  duration: number | null;
}

export interface EngineEvents {
  /** A track began to sound: a play (`auto` false), or the next one taking over at the end (`auto`). */
  started(track: EngineTrack, auto: boolean): void;
  /** The current track ended with nothing scheduled after it. */
  ended(track: EngineTrack): void;
  error(track: EngineTrack, message: string): void;
  playing(playing: boolean): void;
  /** Every tick while a track is loaded: its position and duration (seconds). */
  time(position: number, duration: number): void;
}

/** Longer tracks stream instead of decoding whole (a decoded 10-minute stereo track at 48 kHz is 230 MB). */
export const DECODE_MAX_SECONDS = 600;
/** How often position and the scheduled take-over are checked. */
const TICK_MS = 100;
/** How long before the current track's end the next one is scheduled (it must be decoded by then). */
const SCHEDULE_AHEAD_S = 1.5;

interface Voice {
  track: EngineTrack;
  level: GainNode;
  fade: GainNode;
  /** Decoded voices: the buffer, its source, and the audio-clock time of the buffer's sample 0. */
  buffer: AudioBuffer | null;
  source: AudioBufferSourceNode | null;
  origin: number;
}

/** An equal-power fade curve from `from` to `to` (cos/sin quarter wave). */
function fadeCurve(rising: boolean): Float32Array<ArrayBuffer> {
  const n = 64;
  const curve = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const x = (i / (n - 1)) * (Math.PI / 2);
    curve[i] = rising ? Math.sin(x) : Math.cos(x);
  }
  return curve;
}

export class AudioEngine {
  private ctx: AudioContext | null = null;
  private master: GainNode | null = null;
  private elementVoice: Voice | null = null;
  private elementNodes: { level: GainNode; fade: GainNode } | null = null;
  private current: Voice | null = null;
  /** The decoded next voice, scheduled to start at `nextAt` (audio-clock seconds). */
  private next: Voice | null = null;
  private nextAt = 0;
  private wanted: { track: EngineTrack; crossfade: number } | null = null;
  private readonly decoded = new Map<number, Promise<AudioBuffer | null>>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private paused = true;
  /** Bumped by every play, pause and stop: a play still decoding when a newer one came gives way. */
  private generation = 0;
  private volume = 0.8;
  decodeAhead = true;
  /** A seek made while a play was still loading (no voice yet): where that play starts instead. */
  private seekWhenStarted: number | null = null;

  constructor(
    private readonly element: HTMLAudioElement,
    private readonly events: EngineEvents,
  ) {
    element.crossOrigin = 'anonymous';
    element.addEventListener('ended', () => {
      const voice = this.current;
      if (voice && voice === this.elementVoice) void this.afterElementEnded(voice);
    });
    element.addEventListener('error', () => {
      const voice = this.elementVoice;
      if (voice && voice === this.current)
        this.events.error(voice.track, this.element.error?.message || 'unsupported format or missing file');
    });
  }

  /** The track now sounding, its position and duration (seconds). */
  get track(): EngineTrack | null {
    return this.current?.track ?? null;
  }

  get position(): number {
    const voice = this.current;
    if (!voice) return 0;
    if (!voice.buffer) return this.element.currentTime;
    return Math.max(0, Math.min(voice.buffer.duration, (this.ctx?.currentTime ?? 0) - voice.origin));
  }

  get duration(): number {
    const voice = this.current;
    if (!voice) return 0;
    if (voice.buffer) return voice.buffer.duration;
    // Streamed: the library's length (read from the file's last Ogg page, the MP4 header, or measured by
    // analysis) wins, as the table shows it; Chromium estimates an Ogg stream's length from its bitrate
    // when the end of the file arrives late (8.26 s for an 8.01 s Opus file on a loaded machine).
    if (voice.track.duration !== null && voice.track.duration > 0) return voice.track.duration;
    return Number.isFinite(this.element.duration) ? this.element.duration : 0;
  }

  /** True when the current track plays from a decoded buffer (joins from it are sample-exact). */
  get decodedVoice(): boolean {
    return this.current !== null && this.current.buffer !== null;
  }

  /** The level gain node of the current track (what levelling set it to). */
  get levelGain(): number | null {
    return this.current ? this.current.level.gain.value : null;
  }

  setVolume(volume: number): void {
    this.volume = volume;
    if (this.master) this.master.gain.value = volume;
  }

  /** Changes the current track's levelling (a settings change while it plays). */
  setLevel(level: number): void {
    const voice = this.current;
    if (!voice) return;
    voice.track = { ...voice.track, level };
    voice.level.gain.value = level;
  }

  /** Plays `track` from `position`, replacing whatever plays (and the scheduled next track). */
  async play(track: EngineTrack, position = 0): Promise<void> {
    const ctx = this.context();
    const generation = ++this.generation;
    this.stopAll();
    this.seekWhenStarted = null;
    this.paused = false;
    await ctx.resume();
    const buffer = this.decodeAhead ? await this.decode(track) : null;
    if (generation !== this.generation) return; // a newer play, a pause or a stop came first
    if (this.seekWhenStarted !== null) position = this.seekWhenStarted; // the listener sought while it loaded
    this.seekWhenStarted = null;
    if (buffer) this.current = this.startDecoded(track, buffer, ctx.currentTime + 0.02, position);
    else await this.startElement(track, position);
    this.events.started(track, false);
    this.events.playing(true);
    this.ensureTimer();
    this.keep([track.id, this.wanted?.track.id]);
  }

  /**
   * What follows the current track when it ends (null: nothing), with the seconds of crossfade into
   * it. Decoding starts now; the start is scheduled on the audio clock shortly before the end.
   */
  setNext(track: EngineTrack | null, crossfade: number): void {
    const same = this.wanted && track && this.wanted.track.id === track.id && this.wanted.crossfade === crossfade;
    if (same) {
      // Only the level changed (its gain arrived, or the levelling setting): a scheduled start stays where
      // it is, since cancelling it here would start the fade late or leave a gap.
      this.wanted = { track, crossfade };
      if (this.next?.track.id === track.id) {
        this.next.track = track;
        this.next.level.gain.value = track.level;
      }
      return;
    }
    this.wanted = track ? { track, crossfade } : null;
    this.cancelNext();
    if (track && this.decodeAhead) void this.decode(track);
    this.keep([this.current?.track.id, track?.id]);
    this.tick();
  }

  async pause(): Promise<void> {
    this.paused = true;
    if (!this.current) this.generation++; // still loading: it will not start
    this.element.pause();
    await this.ctx?.suspend();
    this.events.playing(false);
  }

  async resume(): Promise<void> {
    if (!this.current) return;
    this.paused = false;
    await this.context().resume();
    if (this.current === this.elementVoice) await this.playElement();
    this.events.playing(true);
    this.ensureTimer();
  }

  get isPaused(): boolean {
    return this.paused;
  }

  seek(seconds: number): void {
    const voice = this.current;
    if (!voice) {
      // Still loading (a play decoding): the seek is kept for it, not lost.
      if (!this.paused) this.seekWhenStarted = Math.max(0, seconds);
      return;
    }
    const to = Math.max(0, Math.min(seconds, this.duration || seconds));
    if (!voice.buffer) {
      this.element.currentTime = to;
      return;
    }
    this.cancelNext();
    voice.source?.stop();
    voice.source?.disconnect();
    const ctx = this.context();
    const replacement = this.startDecoded(voice.track, voice.buffer, ctx.currentTime + 0.01, to, voice);
    this.current = replacement;
    this.tick();
  }

  /** Stops and forgets everything (the queue was cleared). */
  stop(): void {
    this.generation++;
    this.stopAll();
    this.wanted = null;
    this.decoded.clear();
    this.paused = true;
    this.events.playing(false);
  }

  private context(): AudioContext {
    if (!this.ctx) {
      this.ctx = new AudioContext({ latencyHint: 'playback' });
      this.master = this.ctx.createGain();
      this.master.gain.value = this.volume;
      this.master.connect(this.ctx.destination);
    }
    return this.ctx;
  }

  private voiceNodes(): { level: GainNode; fade: GainNode } {
    const ctx = this.context();
    const level = ctx.createGain();
    const fade = ctx.createGain();
    level.connect(fade).connect(this.master!);
    return { level, fade };
  }

  /** Fetches and decodes a track once (null: it streams instead: too long, or it does not decode). */
  private decode(track: EngineTrack): Promise<AudioBuffer | null> {
    if (track.duration !== null && track.duration > DECODE_MAX_SECONDS) return Promise.resolve(null);
    let pending = this.decoded.get(track.id);
    if (!pending) {
      const ctx = this.context();
      pending = fetch(track.url)
        .then((r) => (r.ok ? r.arrayBuffer() : Promise.reject(new Error(`${r.status}`))))
        .then((bytes) => ctx.decodeAudioData(bytes))
        .then((buffer) => (buffer.duration > DECODE_MAX_SECONDS ? null : buffer))
        .catch(() => null);
      this.decoded.set(track.id, pending);
    }
    return pending;
  }

  /** Drops decoded tracks other than these (memory: at most the current and the next one). */
  private keep(ids: (number | undefined)[]): void {
    for (const id of this.decoded.keys()) if (!ids.includes(id)) this.decoded.delete(id);
  }

  private startDecoded(track: EngineTrack, buffer: AudioBuffer, at: number, offset: number, reuse?: Voice): Voice {
    const ctx = this.context();
    const nodes = reuse ?? { ...this.voiceNodes() };
    nodes.level.gain.value = track.level;
    const source = ctx.createBufferSource();
    source.buffer = buffer;
    source.connect(nodes.level);
    const voice: Voice = { track, level: nodes.level, fade: nodes.fade, buffer, source, origin: at - offset };
    source.onended = () => {
      // The natural end of the current voice with nothing taking over: the queue decides what now.
      if (this.current === voice && this.next === null && this.position >= buffer.duration - 0.05) {
        this.current = null;
        this.release(voice);
        this.events.ended(track);
      }
    };
    source.start(at, Math.min(offset, buffer.duration));
    return voice;
  }

  private async startElement(track: EngineTrack, position: number): Promise<void> {
    this.context();
    if (!this.elementNodes) {
      this.elementNodes = this.voiceNodes();
      this.ctx!.createMediaElementSource(this.element).connect(this.elementNodes.level);
    }
    const voice: Voice = { track, ...this.elementNodes, buffer: null, source: null, origin: 0 };
    voice.level.gain.value = track.level;
    voice.fade.gain.cancelScheduledValues(0);
    voice.fade.gain.value = 1;
    this.elementVoice = voice;
    this.current = voice;
    this.element.src = track.url;
    if (position > 0) this.element.currentTime = position;
    await this.playElement();
  }

  private async playElement(): Promise<void> {
    try {
      await this.element.play();
    } catch (error) {
      if (error instanceof DOMException && error.name === 'AbortError') return; // a newer src replaced it
      if (this.current) this.events.error(this.current.track, error instanceof Error ? error.message : String(error));
    }
  }

  private async afterElementEnded(voice: Voice): Promise<void> {
    const wanted = this.wanted;
    if (!wanted) {
      this.current = null;
      this.events.ended(voice.track);
      return;
    }
    // From a streamed track the join waits for `ended`: the next starts at once (decoded if it is ready).
    this.current = null;
    const generation = this.generation;
    const buffer = this.decodeAhead ? await this.decode(wanted.track) : null;
    if (generation !== this.generation) return;
    this.wanted = null;
    if (buffer) this.current = this.startDecoded(wanted.track, buffer, this.context().currentTime + 0.005, 0);
    else await this.startElement(wanted.track, 0);
    this.events.started(wanted.track, true);
  }

  /** Position updates, and scheduling the next decoded track shortly before the current one ends. */
  private tick(): void {
    const voice = this.current;
    const ctx = this.ctx;
    if (!voice || !ctx) return;
    this.events.time(this.position, this.duration);
    if (this.next && ctx.currentTime >= this.nextAt) {
      // The scheduled track has begun: it is the current one now.
      const previous = voice;
      this.current = this.next;
      this.next = null;
      setTimeout(
        () => this.release(previous),
        Math.max(0, (previous.origin + (previous.buffer?.duration ?? 0) - ctx.currentTime) * 1000) + 200,
      );
      this.wanted = null;
      this.events.started(this.current.track, true);
      return;
    }
    if (!voice.buffer || this.next || !this.wanted || this.paused) return;
    const end = voice.origin + voice.buffer.duration;
    if (end - ctx.currentTime > SCHEDULE_AHEAD_S + this.wanted.crossfade) return;
    const wanted = this.wanted;
    void this.decode(wanted.track).then((buffer) => {
      if (!buffer || this.wanted !== wanted || this.current !== voice || this.next) return;
      const fade = Math.min(wanted.crossfade, voice.buffer!.duration / 2, buffer.duration / 2);
      const at = Math.max(ctx.currentTime + 0.01, end - fade);
      const next = this.startDecoded(wanted.track, buffer, at, 0);
      if (fade > 0) {
        next.fade.gain.setValueCurveAtTime(fadeCurve(true), at, fade);
        voice.fade.gain.setValueCurveAtTime(fadeCurve(false), at, fade);
      }
      this.next = next;
      this.nextAt = at;
    });
  }

  private ensureTimer(): void {
    this.timer ??= setInterval(() => this.tick(), TICK_MS);
  }

  private cancelNext(): void {
    const next = this.next;
    if (!next) return;
    this.next = null;
    next.source?.stop();
    this.release(next);
    this.current?.fade.gain.cancelScheduledValues(0);
    if (this.current) this.current.fade.gain.value = 1;
  }

  private release(voice: Voice): void {
    voice.source?.disconnect();
    if (voice.buffer) {
      voice.level.disconnect();
      voice.fade.disconnect();
    }
  }

  private stopAll(): void {
    this.cancelNext();
    const voice = this.current;
    this.current = null;
    if (voice?.buffer) {
      voice.source!.onended = null;
      voice.source!.stop();
      this.release(voice);
    }
    this.element.pause();
    this.element.removeAttribute('src');
    this.element.load();
  }
}
