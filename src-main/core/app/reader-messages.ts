/**
 * Messages between the app service and its reader worker (reader.worker.ts): the reads that cost
 * whole-library passes (aggregates, the recommendation index and its queries) answered off the host's
 * main thread. Tagged unions both ways; a failure comes back as a value with the reason.
 */
import type { CallReply } from '../jobs/worker-calls.ts';
import type {
  AlbumPage,
  AlbumRequest,
  AlbumTracksRequest,
  BrowseGroupPage,
  BrowseGroupsRequest,
  BrowseTracks,
  BrowseTracksRequest,
  LibrarySummary,
  MapSelection,
  TopicInfo,
  TrackFacets,
  TrackRow,
} from '../../api/types.ts';
import type { GroupKind, GroupMatch } from '../recommend/group-similarity.ts';
import type { RadioOptions, RadioSeed } from '../recommend/radio.ts';
import type { BlendAway, QueueRules, Recommendation, TopicQueueOptions } from '../recommend/recommender.ts';
import type { SmoothOrderResult } from '../recommend/smooth-order.ts';
import type { PathOptions, SongPath } from '../recommend/song-path.ts';

/** What the worker answers, by method (the app's API names where it is one API call). */
export interface ReaderCalls {
  'library.summary': { request: Record<string, never>; answer: LibrarySummary };
  'tracks.facets': { request: Record<string, never>; answer: TrackFacets };
  'albums.list': { request: AlbumRequest; answer: AlbumPage };
  'albums.tracks': { request: AlbumTracksRequest; answer: TrackRow[] };
  'browse.groups': { request: BrowseGroupsRequest; answer: BrowseGroupPage };
  'browse.tracks': { request: BrowseTracksRequest; answer: BrowseTracks };
  'topics.show': { request: Record<string, never>; answer: TopicInfo[] };
  'queue.fromTopics': { request: { topics: number[]; options: TopicQueueOptions }; answer: Recommendation[] };
  'tracks.moreLike': { request: { trackIds: number[]; rules: QueueRules & BlendAway }; answer: Recommendation[] };
  'mix.path': { request: { trackIds: number[]; options: PathOptions }; answer: SongPath };
  'queue.smoothOrder': { request: { trackIds: number[]; firstId?: number }; answer: SmoothOrderResult };
  'tracks.similarGroups': { request: { kind: GroupKind; name: string; n: number }; answer: GroupMatch[] };
  'queue.radio': { request: { seed: RadioSeed; options: RadioOptions }; answer: Recommendation[] };
  /** The map as its JSON text (written in the worker: 100,000 points cost the host ~50–100 ms to unpack and write). */
  'model.map': { request: { topics: number[] }; answer: string };
  'model.mapSelection': { request: { topics: number[] }; answer: MapSelection };
  /** The index's state (built, building, its size and build time): for the bench and the tests. */
  'index.status': { request: Record<string, never>; answer: IndexStatus };
}

export type ReaderMethod = keyof ReaderCalls;

export interface IndexStatus {
  /** none: no active model; stale: built for older data or not yet built; building; ready. */
  state: 'none' | 'stale' | 'building' | 'ready';
  modelId: number | null;
  songs: number;
  /** The last finished build: wall time in the worker, and how many builds ran (abandoned ones not counted). */
  lastBuildMs: number | null;
  builds: number;
}

export type ReaderRequest =
  | { [M in ReaderMethod]: { type: 'call'; id: number; method: M; request: ReaderCalls[M]['request'] } }[ReaderMethod]
  /** The library, the model or the embeddings changed: the index is rebuilt before its next answer (and soon, unasked). */
  | { type: 'invalidate' }
  /** Build the index now (at app start), so the first map or queue does not wait for it. */
  | { type: 'warm' }
  /** Abandon any build, close the connection and exit. */
  | { type: 'close' };

export type ReaderReply = CallReply;

export interface ReaderWorkerData {
  dataDir: string;
}
