// Data shapes that cross the process boundary. Pure types with no imports, so the renderer can
// use them without pulling in Node code; the core implements them.

/** Count, rate and ETA for long work. */
export interface Progress {
  done: number;
  total: number | null;
  /** Items per second since the start. */
  rate: number;
  /** Seconds left at the current rate, or null when unknown. */
  etaSec: number | null;
  elapsedMs: number;
}

export interface LibraryRoot {
  id: number;
  path: string;
  available: boolean;
  lastScanAt: number | null;
}

export interface LibrarySummary {
  tracks: number;
  available: number;
  byFormat: Record<string, number>;
  /** Share of tracks (0..1) that carry at least one genre / mood tag. */
  tagCoverage: { genre: number; mood: number };
  failed: ScanFailure[];
  roots: LibraryRoot[];
}

export interface ScanProgress extends Progress {
  phase: 'listing' | 'reading' | 'finishing';
  found: number;
  parsed: number;
  failed: number;
  unchanged: number;
}

export interface ScanFailure {
  path: string;
  reason: string;
}

export interface ScanResult {
  indexed: number;
  unchanged: number;
  moved: number;
  removed: number;
  /** Every file under the scanned roots that could not be indexed, with its reason. */
  failed: ScanFailure[];
  unavailableRoots: string[];
  roots: string[];
  cancelled: boolean;
  durationMs: number;
  filesPerSecond: number;
}

// ----------------------------------------------------------------------------- app, jobs, settings

/** How the UI is hosted: the Electron window, or a browser tab talking to `cadenza serve`. */
export type AppMode = 'electron' | 'browser';

export interface AppInfo {
  mode: AppMode;
  version: string;
  dataDir: string;
  /** True where the shell can show a native folder picker (`dialog.chooseFolder`). */
  canChooseFolder: boolean;
  /** Where the library database's start check stands (also pushed as `database.health`). */
  database: DatabaseHealth;
}

/**
 * The library database after the start: `checking` while the check that follows an unclean exit runs
 * (reads are served; scans, analysis, training and other writes wait for it), `sound`, or `damaged`
 * (nothing more is written; `message` says what was found and what the next start does).
 */
export interface DatabaseHealth {
  state: 'checking' | 'sound' | 'damaged';
  message: string | null;
}

export interface Settings {
  /** The library's folders, as the user chose them. */
  musicFolders: string[];
  /** Player volume, 0..1. */
  volume: number;
  /** How the player levels, joins and orders tracks (issue 14). */
  player: PlayerSettings;
  /** The queue as it was left (track ids in play order, the current one and where it was), or null. */
  queue: SavedQueue | null;
}

/** A page of albums (`albums.list`). */
export interface AlbumRequest {
  offset: number;
  limit: number;
  /** Matches the album title or artist (substring, any case). */
  search?: string;
  /** Only this artist's albums (album artist, else track artist; exact, any case). */
  artist?: string;
}

/** What the library is browsed by besides albums: artists (album artist, else artist) and genres. */
export type BrowseField = 'artist' | 'genre';

/** A page of artists or genres (`browse.groups`), by name. */
export interface BrowseGroupsRequest {
  by: BrowseField;
  offset: number;
  limit: number;
  /** Matches the name (substring, any case). */
  search?: string;
}

export interface BrowseGroup {
  name: string;
  tracks: number;
  albums: number;
  /** A track whose cover art stands for the group. */
  coverTrackId: number;
}

export interface BrowseGroupPage {
  total: number;
  offset: number;
  groups: BrowseGroup[];
}

/** One artist's or genre's tracks (`browse.tracks`): by artist, album, disc and track. */
export interface BrowseTracksRequest {
  by: BrowseField;
  name: string;
}

export interface BrowseTracks {
  /** All the group's available tracks. */
  total: number;
  /** The first BROWSE_TRACKS_MAX of them, in order. */
  tracks: TrackRow[];
}

/** At most this many of a group's tracks are listed (and played) at once. */
export const BROWSE_TRACKS_MAX = 2000;

export interface AlbumSummary {
  title: string;
  /** The album artist, else the track artist (null: neither tagged). */
  artist: string | null;
  tracks: number;
  year: number | null;
  /** A track of the album whose cover art stands for it. */
  coverTrackId: number;
}

export interface AlbumPage {
  total: number;
  offset: number;
  albums: AlbumSummary[];
}

export interface AlbumTracksRequest {
  title: string;
  artist: string | null;
}

/** What `settings.set` takes: any top-level fields, and any of the player's (the rest are kept). */
export type SettingsPatch = Partial<Omit<Settings, 'player'>> & { player?: Partial<PlayerSettings> };

export type LevellingMode = 'off' | 'track' | 'album';
export const LEVELLING_MODES: readonly LevellingMode[] = ['off', 'track', 'album'];
export type RepeatMode = 'off' | 'all' | 'one';
export const REPEAT_MODES: readonly RepeatMode[] = ['off', 'all', 'one'];
/** The preamp's range in dB, and crossfade's in seconds. */
export const PREAMP_DB_RANGE = { min: -15, max: 15 } as const;
export const CROSSFADE_MAX_SECONDS = 12;

export interface PlayerSettings {
  levelling: LevellingMode;
  /** dB added to every levelled track's gain. */
  preampDb: number;
  /** Never raise a track past full scale where its peak is known. */
  preventClipping: boolean;
  /** Tracks decoded ahead and scheduled back to back on the audio clock (no gap at the joins). */
  gapless: boolean;
  /** Seconds of overlap between tracks (0: none); never within an album played in track order. */
  crossfadeSeconds: number;
  repeat: RepeatMode;
  /** When the queue runs out, continue with songs like the last ones played. */
  endless: boolean;
}

/** The player's settings on a first start (the main process's settings file and the renderer's state start here). */
export const DEFAULT_PLAYER_SETTINGS: PlayerSettings = {
  levelling: 'track',
  preampDb: 0,
  preventClipping: true,
  gapless: true,
  crossfadeSeconds: 0,
  repeat: 'off',
  endless: false,
};

/** At most this many queued track ids are kept across restarts. */
export const SAVED_QUEUE_MAX = 5000;
/** The most track ids one `tracks.get` call takes (longer lists are asked for in pages). */
export const TRACKS_GET_MAX = 1000;

export interface SavedQueue {
  trackIds: number[];
  index: number;
  /** Seconds into the current track. */
  position: number;
  /** The order before shuffle (track ids), so a restart can still undo it; null when not shuffled. */
  unshuffled: number[] | null;
}

/** The long jobs the UI runs and shows progress for. Training joins them with the model (issue 6). */
export type JobKind = 'scan' | 'analysis' | 'topics' | 'training';
export const JOB_KINDS: readonly JobKind[] = ['scan', 'analysis', 'topics', 'training'];

/** One progress report of a running job: count, rate, ETA, and a short phase/detail text. */
export interface JobProgress extends Progress {
  job: JobKind;
  /** e.g. 'listing', 'reading', 'analysing', 'fitting'. */
  phase: string;
  failed: number;
  /** Training only: epoch, loss, validation accuracy and the history so far. */
  training?: TrainingProgressDetail;
}

export interface JobOutcome {
  job: JobKind;
  status: 'done' | 'cancelled' | 'failed';
  /** One line for the user, e.g. "18 tracks indexed, 5 files could not be read". */
  message: string;
  finishedAt: number;
}

export interface JobState {
  job: JobKind;
  running: boolean;
  /** The latest progress of the running job (null before its first report). */
  progress: JobProgress | null;
  /** How the last run ended, if any. */
  last: JobOutcome | null;
}

// ------------------------------------------------------------------------------------------ tracks

export type TrackSortKey = 'title' | 'artist' | 'album' | 'duration' | 'year' | 'format' | 'added' | 'path';
export const TRACK_SORT_KEYS: readonly TrackSortKey[] = [
  'title',
  'artist',
  'album',
  'duration',
  'year',
  'format',
  'added',
  'path',
];
export type SortDirection = 'asc' | 'desc';
export type Availability = 'all' | 'available' | 'unavailable';

export interface TrackFilter {
  /** Any of these format names (as in the library summary: mp3, flac, ogg, opus, m4a, alac, wav, aiff, wma). */
  formats?: string[];
  /** Any of these genres (exact, as tagged). */
  genres?: string[];
  /** Any of these topic ids (1..K), under the active topic model. */
  topics?: number[];
  availability?: Availability;
}

/** One window of the (filtered, sorted) library: what a virtualised table asks for as it scrolls. */
export interface TrackQuery {
  offset: number;
  /** 1..500 rows. */
  limit: number;
  /** Words that must all appear in the title, artist, album, album artist or path (case-insensitive). */
  search?: string;
  sort?: { key: TrackSortKey; dir: SortDirection };
  filter?: TrackFilter;
}

export interface TrackRow {
  id: number;
  title: string | null;
  artist: string | null;
  album: string | null;
  albumArtist: string | null;
  trackNo: number | null;
  year: number | null;
  /** Seconds. */
  duration: number | null;
  format: string;
  genres: string[];
  /** The file's path (NFC; for display). */
  path: string;
  available: boolean;
  /** Topic ids (1..K) of the track under the active topic model, most probable first. */
  topics: number[];
  /** Loudness levelling for the player (core/loudness/track-gain.ts). */
  gain: TrackGain;
}

/**
 * Gains in dB that bring a track (or its album) to ReplayGain 2's reference of −18 LUFS, and the peaks
 * (linear) a limiter keeps below full scale. `track` comes from the ReplayGain / R128 tags, else from the
 * loudness measured on the analysed clip; `album` only from tags (null: use `track`). All null: unknown.
 */
export interface TrackGain {
  track: number | null;
  trackPeak: number | null;
  album: number | null;
  albumPeak: number | null;
  /** Where `track` came from. */
  source: 'tags' | 'measured' | null;
}

export interface TrackPage {
  /** Rows matching the query (for the table's scroll height). */
  total: number;
  offset: number;
  tracks: TrackRow[];
}

export interface FacetCount {
  name: string;
  count: number;
}

/** What the filters offer. */
export interface TrackFacets {
  formats: FacetCount[];
  genres: FacetCount[];
}

// ------------------------------------------------------------------------------- analysis, topics

export interface AnalysisSummary {
  analysed: number;
  skipped: number;
  failed: ScanFailure[];
  cancelled: boolean;
  durationMs: number;
  songsPerSecond: number;
}

/** One topic as `cadenza topics show` prints it. */
export interface TopicInfo {
  /** 1..K. */
  id: number;
  label: string;
  topTags: string[];
  songs: number;
}

export interface TopicFitSummary {
  cancelled: boolean;
  k: number;
  tagged: number;
  untagged: number;
  /** True when the topics changed from the previous fit. */
  changed: boolean;
  topics: TopicInfo[];
}

export interface TopicFitRequest {
  k?: number;
  seed?: number;
  sweeps?: number;
}

export type MediaKey = 'playpause' | 'next' | 'previous';

// ------------------------------------------------------------------------------ recommendations

/** One topic's share in a song's mix, as the "why" explanation gives it. */
export interface WhyTopic {
  id: number;
  label: string;
  share: number;
  selected: boolean;
  tags: string[];
}

/** Why a song was recommended: the text, and what it is made of. */
export interface WhyThisSong {
  text: string;
  /** In a blended queue, the selected topic whose share the song fills. */
  standsFor: { id: number; label: string } | null;
  /** What ranked it: its tags with the audio model, the audio model alone (no tags), or plain D. */
  rankedBy: 'tags+audio' | 'audio' | 'distance';
  source: 'tags' | 'audio' | 'none';
  topics: WhyTopic[];
  distance: number;
  closeTo: { id: number; artist: string | null; title: string | null } | null;
}

/** A recommended track: the library row, the distance the ranking used, and the explanation. */
export interface RecommendedTrack extends TrackRow {
  distance: number;
  why: WhyThisSong;
}

export type TopicRankingName = 'blend' | 'nearest';
export const TOPIC_RANKING_NAMES: readonly TopicRankingName[] = ['blend', 'nearest'];

export interface TopicQueueRequest {
  /** Selected topic ids, 1..K. */
  topics: number[];
  /** One weight per selected topic (its share of the queue ∝ weight); equal when absent. Blend only. */
  weights?: number[];
  /** 'blend' (default): every selected topic its share; 'nearest': the paper's one query point. */
  ranking?: TopicRankingName;
  /** Songs wanted (default 20). */
  n?: number;
  /** 0 = the strict top; up to 1 samples further down the ranking. */
  adventurous?: number;
  /** Track ids to leave out (e.g. what is already queued). */
  exclude?: number[];
  /** Mix limits and energy controls (issue 16). */
  mix?: MixOptions;
}

export type EnergyCurveName = 'rising' | 'falling';
export const ENERGY_CURVE_NAMES: readonly EnergyCurveName[] = ['rising', 'falling'];

/** The mix limits and energy controls every mix takes (issue 16; docs/recommend.md#mixes). */
export interface MixOptions {
  /** Other tracks between two of one artist (default 1; 0 = off). */
  artistSpacing?: number;
  /** At most this many tracks per artist / per album (absent = no cap). */
  maxPerArtist?: number;
  maxPerAlbum?: number;
  /** −1 calmer … +1 more energetic (0 = no preference). Not for paths. */
  energy?: number;
  /** Only songs with a tempo in this range (BPM). */
  tempo?: { min: number; max: number };
  /** Order the queue by energy, rising or falling. Not for paths. */
  energyCurve?: EnergyCurveName;
}

export interface MoreLikeRequest {
  trackIds: number[];
  n?: number;
  exclude?: number[];
  /** A blend with subtraction: less like these tracks. */
  unlike?: number[];
  /** How hard to move away from `unlike` (0..10, default 1). */
  unlikeWeight?: number;
  /** The temperature: 0 = the strict top; up to 1 samples further down. */
  adventurous?: number;
  mix?: MixOptions;
}

/** What a radio plays from: a topic selection, tracks, an artist, an album or a saved playlist. */
export type RadioSeedRequest =
  | { topics: number[]; weights?: number[] }
  | { trackIds: number[] }
  | { artist: string }
  | { album: string }
  | { playlistId: number };

/** The next songs of a radio (ask again before the queue runs out, with what is queued as `exclude`). */
export interface RadioRequest {
  seed: RadioSeedRequest;
  n?: number;
  exclude?: number[];
  /** When the listening session began (ms since the epoch): songs started since are not repeated, and its skips and completions steer. */
  sessionSince?: number;
  adventurous?: number;
  mix?: MixOptions;
}

/** Artists or albums like one (by their songs' medoid embedding and the learned D). */
export interface SimilarGroupsRequest {
  kind: 'artist' | 'album';
  name: string;
  n?: number;
}

export interface SimilarGroup {
  name: string;
  /** For an album: its artist. */
  artist: string | null;
  songs: number;
  distance: number;
  trackIds: number[];
}

export const PATH_WAYPOINTS_MAX = 16;
export const PATH_SONGS_MAX = 100;
export const SMOOTH_ORDER_MAX = 3000;

/** A song path from the first track to the last through the others, `n` songs in all (waypoints included). */
export interface PathRequest {
  trackIds: number[];
  /** Songs in the path, waypoints included (default 12). */
  n?: number;
  exclude?: number[];
  mix?: Omit<MixOptions, 'energy' | 'energyCurve'>;
}

export interface SongPathResult {
  tracks: RecommendedTrack[];
  /** D from the previous song (0 for the first), one per track. */
  steps: number[];
  largestStep: number;
  meanStep: number;
}

export interface SmoothOrderRequest {
  /** The songs in their current order (repeats allowed). */
  trackIds: number[];
  /** The song to start from (default: the current first). */
  firstId?: number;
}

export interface SmoothOrderResult {
  /** The new order: the ordered songs, then those without an embedding, in their old order. */
  trackIds: number[];
  /** The walk's length (sum of D between consecutive embedded songs) before and after. */
  before: number;
  after: number;
  unplaced: number[];
}

export type FeedbackKindName = 'play' | 'complete' | 'skip' | 'like' | 'dislike';
export const FEEDBACK_KIND_NAMES: readonly FeedbackKindName[] = ['play', 'complete', 'skip', 'like', 'dislike'];

export interface FeedbackRequest {
  trackId: number;
  kind: FeedbackKindName;
  /** Seconds into the track. */
  position?: number;
  /** The topic selection in force. */
  topics: number[];
}

/** Models the app can train: Cadenza's default, or the paper's network (kept for reproduction). */
export const TRAINABLE_MODELS = ['default', 'paper'] as const;
export type TrainableModel = (typeof TRAINABLE_MODELS)[number];

export interface TrainRequestOptions {
  epochs?: number;
  seed?: number;
  /** Absent: the default model. */
  model?: TrainableModel;
}

export interface TrainSummary {
  cancelled: boolean;
  epochsRun: number;
  valAccuracy: number | null;
  modelId: number | null;
  activated: boolean;
  embedded: number;
  backend: string;
  device: string;
}

export interface RetrainRequestOptions {
  epochs?: number;
}

/** Held-out precision@10 of one model: user → song (mean over groups) and song → song (mean over songs). */
export interface HeldOutPrecision {
  userToSong: number;
  songToSong: number;
}

/**
 * The outcome of retraining from feedback: the fine-tuned model replaces the active one only if neither
 * held-out user → song nor song → song precision@10 drops beyond noise.
 */
export interface RetrainSummary {
  accepted: boolean;
  /** Stopped by a cancel; the active model is the one before. */
  cancelled: boolean;
  reason: string;
  personalTriplets: number;
  /** Held-out songs the decision was made on. */
  heldOutSongs: number;
  /** Held-out precision@10 of the active model and of the fine-tuned one, on the same songs. */
  before: HeldOutPrecision | null;
  after: HeldOutPrecision | null;
  /** The largest drop of each still counted as noise. */
  tolerance: HeldOutPrecision | null;
  modelId: number | null;
  backend: string;
  device: string;
}

export interface ModelInfo {
  /** The active model, or null before the first training. */
  active: {
    id: number;
    createdAt: number;
    valAccuracy: number | null;
    backend: string;
    device: string;
    /** The model definition ('descriptors' = the default, 'paper'). */
    definition: string;
    embedded: number;
    /** False when the features or topics changed since it was trained (train again). */
    current: boolean;
  } | null;
  models: number;
  /** True when an earlier model can be brought back. */
  canRollback: boolean;
  /** The feedback events recorded so far. */
  feedbackEvents: number;
}

/** The range of the map's quantised coordinates: 0..MAP_RESOLUTION-1 across the points' bounding box. */
export const MAP_RESOLUTION = 4096;

/**
 * The 2-D map of the embeddings in a compact form for 100,000 songs: parallel flat arrays of ids,
 * quantised positions and topics, no names (the UI asks `tracks.get` for the point under the pointer).
 * Point i is `ids[i]` at (`xy[2i]`, `xy[2i+1]`), y growing upwards, with dominant topic `topics[i]`.
 */
export interface EmbeddingMap {
  modelId: number | null;
  ids: number[];
  /** x, y of every point in turn, integers 0..MAP_RESOLUTION-1. */
  xy: number[];
  /** The dominant topic (1..K) of every point, 0 when the track has no topic mix. */
  topics: number[];
  /** The selected topics' point, π(k-hot), in the same coordinates (it may fall outside the box; null without a selection). */
  selection: MapSelection['selection'];
}

/** Where the selected topics' point lies on the map (`model.mapSelection`: no points resent). */
export interface MapSelection {
  modelId: number | null;
  selection: { x: number; y: number } | null;
}

/** Live numbers of a training run (one point per finished epoch). */
export interface TrainingProgressDetail {
  epoch: number;
  epochs: number;
  loss: number;
  valAccuracy: number | null;
  history: { epoch: number; loss: number; valAccuracy: number | null }[];
}

// ------------------------------------------------------------------------------------- playlists

/** A saved playlist, as the list shows it. */
export interface PlaylistInfo {
  id: number;
  name: string;
  /** Tracks in it (a track removed from the library leaves its playlists). */
  tracks: number;
  createdAt: number;
  updatedAt: number;
}

/** The longest playlist name, and the most tracks one playlist takes. */
export const PLAYLIST_NAME_MAX = 200;
export const PLAYLIST_TRACKS_MAX = 10_000;

export interface PlaylistSaveRequest {
  /** 1..200 characters (surrounding spaces are dropped). */
  name: string;
  /** The tracks in order (1..10,000; a track may appear twice). */
  trackIds: number[];
  /** Replace the playlist of that name if it exists (without it, an existing name is not overwritten). */
  replace?: boolean;
}

/**
 * What saving did: `saved`, or `exists` when the name is taken and `replace` was not given (nothing was
 * written; ask the user, then save again with `replace: true`).
 */
export type PlaylistSaveResult =
  { status: 'saved'; playlist: PlaylistInfo; replaced: boolean } | { status: 'exists'; existing: PlaylistInfo; message: string };

/** A playlist with its track ids in order. */
export interface PlaylistTracks {
  playlist: PlaylistInfo;
  trackIds: number[];
}
