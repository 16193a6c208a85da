import type { CadenzaApi } from '../../../src-main/api/contract.ts';
import type {
  EmbeddingMap,
  FeedbackKindName,
  MixOptions,
  ModelInfo,
  RecommendedTrack,
  RetrainSummary,
  TrackRow,
  TrainableModel,
  WhyThisSong,
} from '../../../src-main/api/types.ts';
import { trackName } from './format.ts';
import { trackRowsInOrder } from './track-rows.ts';
import type { PlayerState } from './player.svelte.ts';

/**
 * The recommendations as the UI drives them: the topic selection and "adventurous" setting fill the
 * queue (after the current track), "more like this", like/dislike and the player's play/complete/skip
 * events, the model (train, roll back, info) and the 2-D map.
 */
export class RecommendState {
  topics = $state<number[]>([]);
  /** The listener's weight per ticked topic (its share of the queue ∝ weight); 1 when not set. */
  weights = $state<Record<number, number>>({});
  adventurous = $state(0);
  /** The explanation of each recommended track in the queue, by track id. */
  why = $state<Record<number, WhyThisSong>>({});
  /** What filled the queue last, e.g. "Topics 1, 4" or "More like Glass Harbor". */
  source = $state<string | null>(null);
  liked = $state<Record<number, 'like' | 'dislike'>>({});
  model = $state<ModelInfo | null>(null);
  /** The map's points (ids, positions, topics: raw, not proxied, as they are 100,000 of each). */
  map = $state.raw<EmbeddingMap | null>(null);
  /** The topic selection's point on the map (moves on a topic toggle without reloading the points). */
  mapSelection = $state.raw<{ x: number; y: number } | null>(null);
  /** What the last retrain from feedback did (kept or refused, and why). */
  retrainOutcome = $state<string | null>(null);
  /** The last retrain's decision and its held-out precision@10 before and after (Model panel). */
  retrainResult = $state<RetrainSummary | null>(null);
  error = $state<string | null>(null);
  busy = $state(false);
  /** The seeds of the last "more like this" or blend, asked again when a control changes. */
  private lastSeeds: { like: number[]; unlike: number[]; source: string } | null = null;
  private fillRequest = 0;
  /** The mix controls in force (energy, tempo, caps: MixesState), applied to every fill. */
  mixOptions: () => MixOptions = () => ({});
  private mapKey = '';

  constructor(
    private readonly api: CadenzaApi,
    private readonly player: PlayerState,
  ) {
    player.onFeedback = (track, kind, position) => void this.record(track.id, kind, position);
  }

  toggleTopic(id: number, on: boolean): Promise<void> {
    const others = this.topics.filter((t) => t !== id);
    this.topics = on ? [...others, id].sort((a, b) => a - b) : others;
    return this.refresh();
  }

  weightOf(id: number): number {
    return this.weights[id] ?? 1;
  }

  setWeight(id: number, value: number): Promise<void> {
    const weight = Math.max(1, Math.min(5, Math.round(Number.isFinite(value) ? value : 1)));
    this.weights = { ...this.weights, [id]: weight };
    return this.topics.includes(id) ? this.refresh() : Promise.resolve();
  }

  setAdventurous(value: number): Promise<void> {
    this.adventurous = Math.max(0, Math.min(1, value));
    return this.refresh();
  }

  /** Fills the queue after the current track from the topic selection (or the last "more like this" or blend). */
  async refresh(): Promise<void> {
    if (this.topics.length > 0) {
      const played = this.player.queue.slice(0, this.player.index + 1).map((t) => t.id);
      const weights = this.topics.map((t) => this.weightOf(t));
      const weighted = weights.some((w) => w !== 1);
      const label = this.topics.map((t, i) => (weighted ? `${t} ×${weights[i]}` : `${t}`)).join(', ');
      await this.fill(`Topics ${label}`, () =>
        this.api.call('queue.fromTopics', {
          topics: [...this.topics],
          ...(weighted ? { weights } : {}),
          n: 20,
          adventurous: this.adventurous,
          ...(played.length ? { exclude: played } : {}),
          ...this.mixField(),
        }),
      );
    } else if (this.lastSeeds) await this.blend(this.lastSeeds.like, this.lastSeeds.unlike, this.lastSeeds.source);
  }

  async moreLike(track: TrackRow | number): Promise<void> {
    const id = typeof track === 'number' ? track : track.id;
    const seed = typeof track === 'number' ? null : track;
    const known = seed ?? this.player.queue.find((t) => t.id === id) ?? (await this.trackRows([id]))[0];
    await this.blend([id], [], `More like ${known ? trackName(known) : `track ${id}`}`);
  }

  /**
   * A blend with subtraction: the songs nearest to the `like` seeds and away from the `unlike` ones,
   * with the adventurous setting as its temperature; a later refresh (a mix control) asks again.
   */
  async blend(like: number[], unlike: number[], source: string): Promise<void> {
    this.lastSeeds = { like: [...like], unlike: [...unlike], source };
    const played = this.player.queue
      .slice(0, this.player.index + 1)
      .map((t) => t.id)
      .filter((t) => !like.includes(t) && !unlike.includes(t));
    await this.fill(source, () =>
      this.api.call('tracks.moreLike', {
        trackIds: [...like],
        n: 20,
        ...(unlike.length ? { unlike: [...unlike] } : {}),
        ...(this.adventurous > 0 ? { adventurous: this.adventurous } : {}),
        ...(played.length ? { exclude: played } : {}),
        ...this.mixField(),
      }),
    );
  }

  private mixField(): { mix?: MixOptions } {
    const mix = this.mixOptions();
    return Object.keys(mix).length > 0 ? { mix } : {};
  }

  /** The queue was cleared: nothing it holds came from a fill any more. */
  queueCleared(): void {
    this.source = null;
    this.why = {};
    this.lastSeeds = null;
  }

  /** Something else (a playlist) filled the queue: say so, and drop the explanations of the last fill. */
  queuedFrom(source: string): void {
    this.source = source;
    this.why = {};
    this.lastSeeds = null;
  }

  /** Like or dislike (the same again takes nothing back: the latest decides), then re-rank the queue. */
  async rate(track: TrackRow, kind: 'like' | 'dislike'): Promise<void> {
    if (!(await this.record(track.id, kind))) return;
    this.liked = { ...this.liked, [track.id]: kind };
    if (kind === 'dislike') {
      const at = this.player.queue.findIndex((t, i) => t.id === track.id && i > this.player.index);
      if (at >= 0) this.player.remove(at);
    }
    await this.refresh();
  }

  async record(trackId: number, kind: FeedbackKindName, position?: number): Promise<boolean> {
    const result = await this.api.call('feedback.set', {
      trackId,
      kind,
      topics: [...this.topics],
      ...(position !== undefined && Number.isFinite(position) ? { position: Math.max(0, position) } : {}),
    });
    if (!result.ok) this.error = result.error;
    return result.ok;
  }

  async loadModel(): Promise<void> {
    const result = await this.api.call('model.info', null);
    if (result.ok) this.model = result.value;
    else this.error = result.error;
  }

  async train(epochs: number, model: TrainableModel = 'default'): Promise<void> {
    this.busy = true;
    try {
      const result = await this.api.call('model.train', { epochs, model });
      if (!result.ok) this.error = result.error;
      else this.error = null;
      await this.loadModel();
    } finally {
      this.busy = false;
    }
  }

  async cancelTraining(): Promise<void> {
    await this.api.call('model.cancel', null);
  }

  /** Fine-tunes the active model on this listener's likes, skips and dislikes, in the background. */
  async retrain(): Promise<void> {
    this.retrainOutcome = 'retraining from your feedback…';
    this.retrainResult = null;
    const result = await this.api.call('model.retrain', {});
    if (!result.ok) {
      this.retrainOutcome = null;
      this.error = result.error;
      return;
    }
    this.error = null;
    this.retrainResult = result.value;
    this.retrainOutcome = `${result.value.accepted ? 'New model kept' : 'Kept the current model'}: ${result.value.reason}`;
    await this.loadModel();
  }

  async rollback(): Promise<void> {
    const result = await this.api.call('model.rollback', null);
    if (!result.ok) this.error = result.error;
    else if (result.value === null) this.error = 'there is no earlier model to go back to';
    else this.error = null;
    await this.loadModel();
  }

  /** Loads the map's points when the model changed (or none are loaded), else only the selection's point. */
  async loadMap(): Promise<void> {
    const topics = [...this.topics];
    // The points change with the model and with its embeddings (new songs embedded after a scan).
    const key = `${this.model?.active?.id ?? null}:${this.model?.active?.embedded ?? 0}`;
    if (this.map && key === this.mapKey && this.map.modelId !== null) {
      const result = await this.api.call('model.mapSelection', { topics });
      if (result.ok && result.value.modelId === this.map.modelId) {
        this.mapSelection = result.value.selection;
        return;
      }
      if (!result.ok) this.error = result.error;
    }
    const result = await this.api.call('model.map', { topics });
    if (result.ok) {
      this.mapKey = key;
      this.map = result.value;
      this.mapSelection = result.value.selection;
    } else this.error = result.error;
  }

  /** The rows of `ids` in that order (any number of ids); none when the library cannot be read. */
  async trackRows(ids: number[]): Promise<TrackRow[]> {
    const result = await trackRowsInOrder(this.api, ids);
    return result.ok ? result.value : [];
  }

  private async fill(
    source: string,
    fetch: () => Promise<{ ok: true; value: { tracks: RecommendedTrack[] } } | { ok: false; error: string }>,
  ): Promise<void> {
    // Only the latest fill applies: an earlier request answering later (quick clicks on the topic
    // toggles) must not put back the queue the listener just changed.
    const request = ++this.fillRequest;
    const result = await fetch();
    if (request !== this.fillRequest) return;
    if (!result.ok) {
      this.error = result.error;
      return;
    }
    this.error = null;
    this.source = source;
    const why: Record<number, WhyThisSong> = {};
    for (const t of result.value.tracks) why[t.id] = t.why;
    this.why = why;
    this.player.replaceUpcoming(result.value.tracks.map(({ why: _why, distance: _distance, ...row }) => row));
  }
}
