/**
 * The one contract between the UI and the core: method names with their request and response types,
 * and the events the core pushes. The Electron preload and IPC handlers, and the browser-mode server
 * (`cadenza serve`: HTTP + WebSocket), all derive from it; every request passes `validateRequest`.
 *
 * Recommendations (issues 6–7): `queue.fromTopics`, `tracks.moreLike`, `feedback.set`, and the model:
 * `model.train` (the `training` job), `model.cancel`, `model.rollback`, `model.info`, `model.map`, `model.mapSelection`.
 * Saved playlists: `playlists.list|save|get|delete`.
 * Mixes (issue 16): `queue.radio`, `mix.path` (a song path), `queue.smoothOrder`; the mix limits and energy controls
 * (`mix` in `queue.fromTopics`, `tracks.moreLike`, `mix.path`) and blends with subtraction (`unlike`).
 */
import type {
  AlbumPage,
  AlbumRequest,
  AlbumTracksRequest,
  BrowseGroupPage,
  BrowseGroupsRequest,
  BrowseTracks,
  BrowseTracksRequest,
  AnalysisSummary,
  AppInfo,
  DatabaseHealth,
  EmbeddingMap,
  FeedbackRequest,
  JobOutcome,
  JobProgress,
  JobState,
  LibrarySummary,
  MapSelection,
  MediaKey,
  ModelInfo,
  MoreLikeRequest,
  PlaylistInfo,
  PlaylistSaveRequest,
  PlaylistSaveResult,
  PlaylistTracks,
  PathRequest,
  RadioRequest,
  RecommendedTrack,
  SimilarGroup,
  SimilarGroupsRequest,
  SmoothOrderRequest,
  SmoothOrderResult,
  SongPathResult,
  ScanResult,
  Settings,
  SettingsPatch,
  TopicFitRequest,
  TopicFitSummary,
  TopicInfo,
  TopicQueueRequest,
  TrackFacets,
  TrackPage,
  TrackQuery,
  TrackRow,
  RetrainRequestOptions,
  RetrainSummary,
  TrainRequestOptions,
  TrainSummary,
} from './types.ts';

export interface ApiMethods {
  'app.info': { request: null; response: AppInfo };
  'library.summary': { request: null; response: LibrarySummary };
  /** Adds the folders (none: rescans every known folder) and scans; resolves when the scan ends. */
  'library.scan': { request: { folders: string[] }; response: ScanResult };
  'library.cancelScan': { request: null; response: { cancelled: boolean } };
  /** Forgets a folder and the tracks indexed under it (files on disk are untouched). */
  'library.removeFolder': { request: { folder: string }; response: { removed: boolean } };
  'tracks.list': { request: TrackQuery; response: TrackPage };
  'tracks.get': { request: { ids: number[] }; response: TrackRow[] };
  'tracks.facets': { request: null; response: TrackFacets };
  /** A page of albums (title, artist, track count, a cover track), by title. */
  'albums.list': { request: AlbumRequest; response: AlbumPage };
  /** One album's tracks in disc and track order. */
  'albums.tracks': { request: AlbumTracksRequest; response: TrackRow[] };
  /** A page of artists (album artist, else artist) or genres, by name, with counts and a cover track. */
  'browse.groups': { request: BrowseGroupsRequest; response: BrowseGroupPage };
  /** One artist's or genre's tracks by artist, album, disc and track (the first 2,000). */
  'browse.tracks': { request: BrowseTracksRequest; response: BrowseTracks };
  /** Analyses every track without current features; resolves when the job ends. */
  'analysis.start': { request: null; response: AnalysisSummary };
  'analysis.cancel': { request: null; response: { cancelled: boolean } };
  'topics.fit': { request: TopicFitRequest; response: TopicFitSummary };
  'topics.cancel': { request: null; response: { cancelled: boolean } };
  'topics.show': { request: null; response: { topics: TopicInfo[] } };
  'jobs.status': { request: null; response: { jobs: JobState[] } };
  'settings.get': { request: null; response: Settings };
  'settings.set': { request: SettingsPatch; response: Settings };
  /** A native folder picker (Electron only; `app.info` says whether it exists). */
  'dialog.chooseFolder': { request: null; response: { folder: string | null } };
  /** The tracks as an M3U8 playlist (UTF-8, absolute paths, #EXTINF lines). */
  'queue.exportM3u8': { request: { trackIds: number[] }; response: { filename: string; content: string } };
  /** A queue for the selected topics (π of the k-hot selection against every song), each with `why`. */
  'queue.fromTopics': { request: TopicQueueRequest; response: { tracks: RecommendedTrack[] } };
  /** The songs nearest to the seed tracks (works without tags). */
  'tracks.moreLike': { request: MoreLikeRequest; response: { tracks: RecommendedTrack[] } };
  /** The next songs of a never-ending radio from a seed, with the session's rules and reactions. */
  'queue.radio': { request: RadioRequest; response: { tracks: RecommendedTrack[] } };
  /** Artists or albums like the named one, nearest first. */
  'tracks.similarGroups': { request: SimilarGroupsRequest; response: { groups: SimilarGroup[] } };
  /** A song path from the first track to the last through the others, each step close to the previous. */
  'mix.path': { request: PathRequest; response: SongPathResult };
  /** The songs reordered into a smooth walk (nearest neighbour, then 2-opt and or-opt), the first kept. */
  'queue.smoothOrder': { request: SmoothOrderRequest; response: SmoothOrderResult };
  /** Records one listening event (like, dislike, play, complete, skip); the ranking uses it at once. */
  'feedback.set': { request: FeedbackRequest; response: { recorded: boolean } };
  /** Trains a model on the library (the `training` job, in a worker); resolves when it ends. */
  'model.train': { request: TrainRequestOptions; response: TrainSummary };
  'model.cancel': { request: null; response: { cancelled: boolean } };
  /** Brings back the model active before the last activation. */
  'model.rollback': { request: null; response: { from: number; to: number } | null };
  /** Fine-tunes the active model on the listener's feedback in a worker (a `training` job); kept only if validation does not drop. */
  'model.retrain': { request: RetrainRequestOptions; response: RetrainSummary };
  'model.info': { request: null; response: ModelInfo };
  /** A 2-D projection (PCA) of the active model's embeddings, coloured by dominant topic: ids and positions only. */
  'model.map': { request: { topics?: number[] }; response: EmbeddingMap };
  /** The selected topics' point on the current map (a topic toggle moves it without resending the points). */
  'model.mapSelection': { request: { topics?: number[] }; response: MapSelection };
  /** The saved playlists by name, with track counts. */
  'playlists.list': { request: null; response: { playlists: PlaylistInfo[] } };
  /** Saves tracks (e.g. the queue) under a name; an existing name answers `exists` unless `replace: true`. */
  'playlists.save': { request: PlaylistSaveRequest; response: PlaylistSaveResult };
  /** A playlist's track ids in order. */
  'playlists.get': { request: { id: number }; response: PlaylistTracks };
  'playlists.delete': { request: { id: number }; response: { deleted: boolean } };
}

export interface ApiEvents {
  'job.progress': JobProgress;
  'job.finished': JobOutcome;
  /** The library's contents changed (a scan, the watcher, a topic fit): tables should re-query. */
  'library.changed': { reason: 'scan' | 'watch' | 'analysis' | 'topics' | 'folders' | 'model' };
  /** A media key was pressed (Electron: global shortcuts). */
  'media.key': { key: MediaKey };
  /** The library database's start check finished (sound, or damaged: writes stop). */
  'database.health': DatabaseHealth;
}

export type ApiMethod = keyof ApiMethods;
export type ApiEvent = keyof ApiEvents;
export type ApiRequest<M extends ApiMethod> = ApiMethods[M]['request'];
export type ApiResponse<M extends ApiMethod> = ApiMethods[M]['response'];

/** What a call returns across the process boundary: errors travel back as values. */
export type ApiResult<M extends ApiMethod> = { ok: true; value: ApiResponse<M> } | { ok: false; error: string };

/**
 * An answer already written as JSON (by a worker, off the main process's thread): the transports pass
 * the text through instead of cloning or serialising a large value there (the map's 100,000 points).
 */
export class JsonText<T = unknown> {
  declare readonly of?: T;
  constructor(readonly text: string) {}
}

/** Runs one validated call (the core's implementation of the contract); an answer may come as its JSON text. */
export type ApiHandler = <M extends ApiMethod>(
  method: M,
  request: ApiRequest<M>,
) => Promise<ApiResponse<M> | JsonText<ApiResponse<M>>>;

/** What the dispatcher gives a transport: a result whose value may still be JSON text. */
export type DispatchResult = { ok: true; value: unknown } | { ok: false; error: string };

/** What crosses IPC: a result, or an answer as JSON text that the renderer's side parses (fromWire). */
export type WireResult = DispatchResult | { ok: true; json: string };

export function toWire(result: DispatchResult): WireResult {
  return result.ok && result.value instanceof JsonText ? { ok: true, json: result.value.text } : result;
}

export function fromWire<M extends ApiMethod>(wire: WireResult): ApiResult<M> {
  if (wire.ok && 'json' in wire) return { ok: true, value: JSON.parse(wire.json) as ApiResponse<M> };
  return wire as ApiResult<M>;
}

/** The HTTP body of a result: JSON text is written in place, not parsed and written again. */
export function resultBody(result: DispatchResult): string {
  return result.ok && result.value instanceof JsonText ? `{"ok":true,"value":${result.value.text}}` : JSON.stringify(result);
}

/** Pushes one event to the UI. */
export type ApiEmitter = <E extends ApiEvent>(event: E, payload: ApiEvents[E]) => void;

/** The surface the renderer sees: window.cadenza in Electron, a fetch + WebSocket transport in a browser. */
export interface CadenzaApi {
  call<M extends ApiMethod>(method: M, request: ApiRequest<M>): Promise<ApiResult<M>>;
  on<E extends ApiEvent>(event: E, listener: (payload: ApiEvents[E]) => void): () => void;
  /** The URL the audio element plays a track from (media://track/ID in Electron, /media/ID in a browser). */
  mediaUrl(trackId: number): string;
  /**
   * The URL of a track's cover art (media://art/ID in Electron, /art/ID in a browser; 404 when it has
   * none); `thumb`: a small JPEG of it for grids and lists (`?size=thumb`).
   */
  artUrl(trackId: number, size?: ArtSize): string;
}

export const API_METHODS: readonly ApiMethod[] = [
  'app.info',
  'library.summary',
  'library.scan',
  'library.cancelScan',
  'library.removeFolder',
  'tracks.list',
  'tracks.get',
  'tracks.facets',
  'albums.list',
  'albums.tracks',
  'browse.groups',
  'browse.tracks',
  'analysis.start',
  'analysis.cancel',
  'topics.fit',
  'topics.cancel',
  'topics.show',
  'jobs.status',
  'settings.get',
  'settings.set',
  'dialog.chooseFolder',
  'queue.exportM3u8',
  'queue.fromTopics',
  'tracks.moreLike',
  'mix.path',
  'queue.smoothOrder',
  'queue.radio',
  'tracks.similarGroups',
  'feedback.set',
  'model.train',
  'model.cancel',
  'model.rollback',
  'model.retrain',
  'model.info',
  'model.map',
  'model.mapSelection',
  'playlists.list',
  'playlists.save',
  'playlists.get',
  'playlists.delete',
];
export const API_EVENTS: readonly ApiEvent[] = [
  'job.progress',
  'job.finished',
  'library.changed',
  'media.key',
  'database.health',
];

export const IPC_CALL_CHANNEL = 'cadenza:call';
export const IPC_EVENT_CHANNEL = 'cadenza:event';

/** The media protocol of the Electron shell: media://track/<id>. */
export const MEDIA_SCHEME = 'media';
/** Browser mode: GET /media/<id>. */
export const MEDIA_ROUTE = '/media/';

export function mediaUrlFor(mode: 'electron' | 'browser', trackId: number): string {
  return mode === 'electron' ? `${MEDIA_SCHEME}://track/${trackId}` : `${MEDIA_ROUTE}${trackId}`;
}

/** Browser mode: GET /art/<id> (a track's cover art). */
export const ART_ROUTE = '/art/';

/** Which cover picture: as stored, or a small thumbnail. */
export type ArtSize = 'full' | 'thumb';

export function artUrlFor(mode: 'electron' | 'browser', trackId: number, size: ArtSize = 'full'): string {
  const base = mode === 'electron' ? `${MEDIA_SCHEME}://art/${trackId}` : `${ART_ROUTE}${trackId}`;
  return size === 'thumb' ? `${base}?size=thumb` : base;
}

/** The picture size a cover URL asks for (anything but `size=thumb` is the picture as stored). */
export function artSizeOf(search: URLSearchParams): ArtSize {
  return search.get('size') === 'thumb' ? 'thumb' : 'full';
}

/**
 * The Content-Security-Policy of the UI, in both modes. `connectSrc` adds the WebSocket origin in
 * browser mode. Styles allow inline attributes (Svelte's style: bindings); scripts come only from the app.
 */
export function contentSecurityPolicy(connectSrc: string[] = []): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'", // no 'unsafe-inline': the renderer styles elements through the CSSOM only (Svelte's style: directives)
    `img-src 'self' data: ${MEDIA_SCHEME}:`,
    `media-src 'self' ${MEDIA_SCHEME}:`,
    // media: for the player's fetch of a whole track to decode it ahead (gapless, crossfade) in Electron.
    ["connect-src 'self'", `${MEDIA_SCHEME}:`, ...connectSrc].join(' '),
    "font-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}
