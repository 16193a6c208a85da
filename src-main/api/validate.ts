import { API_METHODS, type ApiMethod, type ApiRequest } from './contract.ts';
import {
  ENERGY_CURVE_NAMES,
  FEEDBACK_KIND_NAMES,
  PATH_SONGS_MAX,
  PATH_WAYPOINTS_MAX,
  SMOOTH_ORDER_MAX,
  PLAYLIST_NAME_MAX,
  PLAYLIST_TRACKS_MAX,
  TOPIC_RANKING_NAMES,
  TRACK_SORT_KEYS,
  TRAINABLE_MODELS,
  CROSSFADE_MAX_SECONDS,
  LEVELLING_MODES,
  PREAMP_DB_RANGE,
  REPEAT_MODES,
  SAVED_QUEUE_MAX,
  TRACKS_GET_MAX,
} from './types.ts';
import type {
  BrowseField,
  Availability,
  FeedbackKindName,
  FeedbackRequest,
  MixOptions,
  MoreLikeRequest,
  PathRequest,
  PlaylistSaveRequest,
  PlayerSettings,
  SavedQueue,
  SettingsPatch,
  RadioRequest,
  RadioSeedRequest,
  SimilarGroupsRequest,
  SmoothOrderRequest,
  SortDirection,
  TopicFitRequest,
  TopicQueueRequest,
  TrackFilter,
  TrackQuery,
  TrackSortKey,
  RetrainRequestOptions,
  TrainableModel,
  TrainRequestOptions,
} from './types.ts';

export class InvalidRequestError extends Error {}

type Validator<M extends ApiMethod> = (value: unknown) => ApiRequest<M>;

const fail = (message: string): never => {
  throw new InvalidRequestError(message);
};

const isNull = (value: unknown): null => {
  if (value !== null && value !== undefined) fail('this call takes no argument');
  return null;
};

/** A plain object with only the named keys (extra keys are refused, so typos do not pass silently). */
function record(value: unknown, keys: readonly string[], what: string): Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return fail(`expected ${what}`);
  for (const key of Object.keys(value)) if (!keys.includes(key)) fail(`unexpected field "${key}" (expected ${what})`);
  return value as Record<string, unknown>;
}

function integer(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    return fail(`${name} must be a whole number from ${min} to ${max}`);
  }
  return value;
}

function text(value: unknown, name: string, maxLength: number): string {
  if (typeof value !== 'string' || value.length > maxLength || value.includes('\0')) {
    return fail(`${name} must be a string of at most ${maxLength} characters`);
  }
  return value;
}

function list<T>(value: unknown, name: string, maxItems: number, item: (v: unknown) => T, minItems = 0): T[] {
  if (!Array.isArray(value) || value.length < minItems || value.length > maxItems) {
    return fail(`${name} must be a list of ${minItems} to ${maxItems} items`);
  }
  return value.map(item);
}

function absolutePath(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 4096 || value.includes('\0')) {
    return fail('each folder must be a non-empty path string');
  }
  if (!/^(\/|[A-Za-z]:[\\/]|\\\\)/.test(value)) fail(`not an absolute path: ${value}`);
  return value;
}

const trackId = (v: unknown) => integer(v, 'a track id', 1, Number.MAX_SAFE_INTEGER);

function trackFilter(value: unknown): TrackFilter {
  const v = record(value, ['formats', 'genres', 'topics', 'availability'], '{ formats?, genres?, topics?, availability? }');
  const out: TrackFilter = {};
  if (v.formats !== undefined) out.formats = list(v.formats, 'formats', 32, (f) => text(f, 'a format', 32));
  if (v.genres !== undefined) out.genres = list(v.genres, 'genres', 64, (g) => text(g, 'a genre', 200));
  if (v.topics !== undefined) out.topics = list(v.topics, 'topics', 100, (t) => integer(t, 'a topic id', 1, 100));
  if (v.availability !== undefined) {
    if (v.availability !== 'all' && v.availability !== 'available' && v.availability !== 'unavailable') {
      fail('availability must be "all", "available" or "unavailable"');
    }
    out.availability = v.availability as Availability;
  }
  return out;
}

function trackQuery(value: unknown): TrackQuery {
  const v = record(value, ['offset', 'limit', 'search', 'sort', 'filter'], '{ offset, limit, search?, sort?, filter? }');
  const out: TrackQuery = { offset: integer(v.offset, 'offset', 0, 100_000_000), limit: integer(v.limit, 'limit', 1, 500) };
  if (v.search !== undefined) out.search = text(v.search, 'search', 500);
  if (v.sort !== undefined) {
    const s = record(v.sort, ['key', 'dir'], '{ key, dir }');
    if (!(TRACK_SORT_KEYS as readonly unknown[]).includes(s.key)) fail(`sort key must be one of ${TRACK_SORT_KEYS.join(', ')}`);
    if (s.dir !== 'asc' && s.dir !== 'desc') fail('sort dir must be "asc" or "desc"');
    out.sort = { key: s.key as TrackSortKey, dir: s.dir as SortDirection };
  }
  if (v.filter !== undefined) out.filter = trackFilter(v.filter);
  return out;
}

function topicFit(value: unknown): TopicFitRequest {
  if (value === null || value === undefined) return {};
  const v = record(value, ['k', 'seed', 'sweeps'], '{ k?, seed?, sweeps? }');
  const out: TopicFitRequest = {};
  if (v.k !== undefined) out.k = integer(v.k, 'k', 1, 100);
  if (v.seed !== undefined) out.seed = integer(v.seed, 'seed', 0, 2 ** 31 - 1);
  if (v.sweeps !== undefined) out.sweeps = integer(v.sweeps, 'sweeps', 1, 100_000);
  return out;
}

const topicId = (t: unknown) => integer(t, 'a topic id', 1, 100);

function unitNumber(value: unknown, name: string): number {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) return fail(`${name} must be a number from 0 to 1`);
  return value;
}

const topicWeight = (w: unknown) => {
  if (typeof w !== 'number' || !(w > 0 && w <= 100)) return fail('a topic weight must be a number above 0, at most 100');
  return w;
};

/** The mix limits and energy controls; a path takes no energy preference or curve (its order is the path). */
function mixOptions(value: unknown, forPath = false): MixOptions {
  const keys = ['artistSpacing', 'maxPerArtist', 'maxPerAlbum', 'tempo', ...(forPath ? [] : ['energy', 'energyCurve'])];
  const v = record(value, keys, `{ ${keys.map((k) => `${k}?`).join(', ')} }`);
  const out: MixOptions = {};
  if (v.artistSpacing !== undefined) out.artistSpacing = integer(v.artistSpacing, 'artistSpacing', 0, 100);
  if (v.maxPerArtist !== undefined) out.maxPerArtist = integer(v.maxPerArtist, 'maxPerArtist', 1, 1000);
  if (v.maxPerAlbum !== undefined) out.maxPerAlbum = integer(v.maxPerAlbum, 'maxPerAlbum', 1, 1000);
  if (v.energy !== undefined) {
    if (typeof v.energy !== 'number' || !(v.energy >= -1 && v.energy <= 1))
      fail('energy must be a number from -1 (calmer) to 1 (more energetic)');
    out.energy = v.energy as number;
  }
  if (v.tempo !== undefined) {
    const t = record(v.tempo, ['min', 'max'], '{ min, max } (BPM)');
    const bpm = (x: unknown, name: string) => {
      if (typeof x !== 'number' || !(x >= 0 && x <= 400)) return fail(`tempo ${name} must be a number of BPM from 0 to 400`);
      return x;
    };
    out.tempo = { min: bpm(t.min, 'min'), max: bpm(t.max, 'max') };
    if (out.tempo.min > out.tempo.max) fail('tempo min must not be above max');
  }
  if (v.energyCurve !== undefined) {
    if (!(ENERGY_CURVE_NAMES as readonly unknown[]).includes(v.energyCurve))
      fail(`energyCurve must be one of ${ENERGY_CURVE_NAMES.join(', ')}`);
    out.energyCurve = v.energyCurve as MixOptions['energyCurve'] & string;
  }
  return out;
}

function topicQueueRequest(value: unknown): TopicQueueRequest {
  const v = record(
    value,
    ['topics', 'weights', 'ranking', 'n', 'adventurous', 'exclude', 'mix'],
    '{ topics: number[], weights?: number[], ranking?, n?, adventurous?, exclude?, mix? }',
  );
  const out: TopicQueueRequest = { topics: list(v.topics, 'topics', 100, topicId, 1) };
  if (new Set(out.topics).size !== out.topics.length) fail('topics must not repeat a topic');
  if (v.weights !== undefined) {
    out.weights = list(v.weights, 'weights', 100, topicWeight, 1);
    if (out.weights.length !== out.topics.length) fail('weights must give one weight per topic');
  }
  if (v.ranking !== undefined) {
    if (!(TOPIC_RANKING_NAMES as readonly unknown[]).includes(v.ranking))
      fail(`ranking must be one of ${TOPIC_RANKING_NAMES.join(', ')}`);
    out.ranking = v.ranking as TopicQueueRequest['ranking'] & string;
    if (out.ranking === 'nearest' && out.weights) fail('weights need the blend ranking');
  }
  if (v.n !== undefined) out.n = integer(v.n, 'n', 1, 500);
  if (v.adventurous !== undefined) out.adventurous = unitNumber(v.adventurous, 'adventurous');
  if (v.exclude !== undefined) out.exclude = list(v.exclude, 'exclude', 10_000, trackId);
  if (v.mix !== undefined) out.mix = mixOptions(v.mix);
  return out;
}

function moreLikeRequest(value: unknown): MoreLikeRequest {
  const v = record(
    value,
    ['trackIds', 'n', 'exclude', 'unlike', 'unlikeWeight', 'adventurous', 'mix'],
    '{ trackIds: number[], n?, exclude?, unlike?, unlikeWeight?, adventurous?, mix? }',
  );
  const out: MoreLikeRequest = { trackIds: list(v.trackIds, 'trackIds', 100, trackId, 1) };
  if (v.n !== undefined) out.n = integer(v.n, 'n', 1, 500);
  if (v.exclude !== undefined) out.exclude = list(v.exclude, 'exclude', 10_000, trackId);
  if (v.unlike !== undefined) {
    out.unlike = list(v.unlike, 'unlike', 100, trackId);
    if (out.unlike.some((id) => out.trackIds.includes(id))) fail('a track cannot be both in trackIds and in unlike');
  }
  if (v.unlikeWeight !== undefined) {
    if (typeof v.unlikeWeight !== 'number' || !(v.unlikeWeight >= 0 && v.unlikeWeight <= 10))
      fail('unlikeWeight must be a number from 0 to 10');
    out.unlikeWeight = v.unlikeWeight as number;
  }
  if (v.adventurous !== undefined) out.adventurous = unitNumber(v.adventurous, 'adventurous');
  if (v.mix !== undefined) out.mix = mixOptions(v.mix);
  return out;
}

function pathRequest(value: unknown): PathRequest {
  const v = record(
    value,
    ['trackIds', 'n', 'exclude', 'mix'],
    '{ trackIds: number[] (start, waypoints…, end), n?, exclude?, mix? }',
  );
  const out: PathRequest = { trackIds: list(v.trackIds, 'trackIds', PATH_WAYPOINTS_MAX, trackId, 2) };
  if (new Set(out.trackIds).size !== out.trackIds.length) fail('a path passes each track once: trackIds repeat');
  if (v.n !== undefined) out.n = integer(v.n, 'n', out.trackIds.length, PATH_SONGS_MAX);
  if (v.exclude !== undefined) out.exclude = list(v.exclude, 'exclude', 10_000, trackId);
  if (v.mix !== undefined) out.mix = mixOptions(v.mix, true);
  return out;
}

function radioSeed(value: unknown): RadioSeedRequest {
  const v = record(
    value,
    ['topics', 'weights', 'trackIds', 'artist', 'album', 'playlistId'],
    '{ topics | trackIds | artist | album | playlistId }',
  );
  const given = ['topics', 'trackIds', 'artist', 'album', 'playlistId'].filter((k) => v[k] !== undefined);
  if (given.length !== 1) fail('a radio seed is one of topics, trackIds, artist, album or playlistId');
  if (v.weights !== undefined && v.topics === undefined) fail('weights go with topics');
  if (v.topics !== undefined) {
    const topics = list(v.topics, 'topics', 100, topicId, 1);
    if (new Set(topics).size !== topics.length) fail('topics must not repeat a topic');
    if (v.weights === undefined) return { topics };
    const weights = list(v.weights, 'weights', 100, topicWeight, 1);
    if (weights.length !== topics.length) fail('weights must give one weight per topic');
    return { topics, weights };
  }
  if (v.trackIds !== undefined) return { trackIds: list(v.trackIds, 'trackIds', 100, trackId, 1) };
  if (v.artist !== undefined) return { artist: nonEmpty(text(v.artist, 'artist', 500), 'artist') };
  if (v.album !== undefined) return { album: nonEmpty(text(v.album, 'album', 500), 'album') };
  return { playlistId: integer(v.playlistId, 'a playlist id', 1, Number.MAX_SAFE_INTEGER) };
}

function nonEmpty(value: string, name: string): string {
  if (value.trim() === '') fail(`${name} must not be empty`);
  return value;
}

function radioRequest(value: unknown): RadioRequest {
  const v = record(
    value,
    ['seed', 'n', 'exclude', 'sessionSince', 'adventurous', 'mix'],
    '{ seed, n?, exclude?, sessionSince?, adventurous?, mix? }',
  );
  const out: RadioRequest = { seed: radioSeed(v.seed) };
  if (v.n !== undefined) out.n = integer(v.n, 'n', 1, 500);
  if (v.exclude !== undefined) out.exclude = list(v.exclude, 'exclude', 10_000, trackId);
  if (v.sessionSince !== undefined) out.sessionSince = integer(v.sessionSince, 'sessionSince', 0, 8.64e15);
  if (v.adventurous !== undefined) out.adventurous = unitNumber(v.adventurous, 'adventurous');
  if (v.mix !== undefined) out.mix = mixOptions(v.mix);
  return out;
}

function similarGroupsRequest(value: unknown): SimilarGroupsRequest {
  const v = record(value, ['kind', 'name', 'n'], "{ kind: 'artist' | 'album', name, n? }");
  if (v.kind !== 'artist' && v.kind !== 'album') fail('kind must be "artist" or "album"');
  const out: SimilarGroupsRequest = { kind: v.kind as 'artist' | 'album', name: nonEmpty(text(v.name, 'name', 500), 'name') };
  if (v.n !== undefined) out.n = integer(v.n, 'n', 1, 1000);
  return out;
}

function smoothOrderRequest(value: unknown): SmoothOrderRequest {
  const v = record(value, ['trackIds', 'firstId'], '{ trackIds: number[], firstId? }');
  const out: SmoothOrderRequest = { trackIds: list(v.trackIds, 'trackIds', SMOOTH_ORDER_MAX, trackId, 1) };
  if (v.firstId !== undefined) {
    out.firstId = trackId(v.firstId);
    if (!out.trackIds.includes(out.firstId)) fail('firstId must be one of trackIds');
  }
  return out;
}

function feedbackRequest(value: unknown): FeedbackRequest {
  const v = record(value, ['trackId', 'kind', 'position', 'topics'], '{ trackId, kind, position?, topics: number[] }');
  if (!(FEEDBACK_KIND_NAMES as readonly unknown[]).includes(v.kind))
    fail(`kind must be one of ${FEEDBACK_KIND_NAMES.join(', ')}`);
  const out: FeedbackRequest = {
    trackId: trackId(v.trackId),
    kind: v.kind as FeedbackKindName,
    topics: list(v.topics, 'topics', 100, topicId),
  };
  if (v.position !== undefined) {
    if (typeof v.position !== 'number' || !(v.position >= 0 && v.position <= 86_400))
      fail('position must be seconds from 0 to 86400');
    out.position = v.position as number;
  }
  return out;
}

function trainRequest(value: unknown): TrainRequestOptions {
  if (value === null || value === undefined) return {};
  const v = record(value, ['epochs', 'seed', 'model'], '{ epochs?, seed?, model? }');
  const out: TrainRequestOptions = {};
  if (v.epochs !== undefined) out.epochs = integer(v.epochs, 'epochs', 1, 1000);
  if (v.seed !== undefined) out.seed = integer(v.seed, 'seed', 0, 2 ** 31 - 1);
  if (v.model !== undefined) {
    if (!(TRAINABLE_MODELS as readonly unknown[]).includes(v.model)) fail(`model must be one of ${TRAINABLE_MODELS.join(', ')}`);
    out.model = v.model as TrainableModel;
  }
  return out;
}

function retrainRequest(value: unknown): RetrainRequestOptions {
  if (value === null || value === undefined) return {};
  const v = record(value, ['epochs'], '{ epochs? }');
  return v.epochs === undefined ? {} : { epochs: integer(v.epochs, 'epochs', 1, 100) };
}

function mapRequest(value: unknown): { topics?: number[] } {
  if (value === null || value === undefined) return {};
  const v = record(value, ['topics'], '{ topics? }');
  return v.topics === undefined ? {} : { topics: list(v.topics, 'topics', 100, topicId) };
}

/** A playlist name: 1..200 characters once trimmed, no control characters. */
function playlistName(value: unknown): string {
  if (typeof value !== 'string') return fail('name must be a string');
  const name = value.trim();
  if (name.length === 0) fail('a playlist needs a name');
  if (name.length > PLAYLIST_NAME_MAX) fail(`a playlist name has at most ${PLAYLIST_NAME_MAX} characters`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) fail('a playlist name cannot contain control characters');
  return name;
}

function playlistSave(value: unknown): PlaylistSaveRequest {
  const v = record(value, ['name', 'trackIds', 'replace'], '{ name, trackIds: number[], replace? }');
  const out: PlaylistSaveRequest = {
    name: playlistName(v.name),
    trackIds: list(v.trackIds, 'trackIds', PLAYLIST_TRACKS_MAX, trackId, 1),
  };
  if (v.replace !== undefined) {
    if (typeof v.replace !== 'boolean') fail('replace must be true or false');
    out.replace = v.replace as boolean;
  }
  return out;
}

const playlistId = (value: unknown): { id: number } => ({
  id: integer(record(value, ['id'], '{ id }').id, 'a playlist id', 1, Number.MAX_SAFE_INTEGER),
});

const PLAYER_KEYS = ['levelling', 'preampDb', 'preventClipping', 'gapless', 'crossfadeSeconds', 'repeat', 'endless'] as const;

/** offset, limit and an optional search: a page of a browse list. */
function page(v: Record<string, unknown>): { offset: number; limit: number; search?: string } {
  return {
    offset: integer(v.offset, 'offset', 0, 10_000_000),
    limit: integer(v.limit, 'limit', 1, 500),
    ...(v.search === undefined ? {} : { search: text(v.search, 'search', 200) }),
  };
}

const BROWSE_FIELDS: readonly BrowseField[] = ['artist', 'genre'];

function oneOf<T extends string>(value: unknown, name: string, options: readonly T[]): T {
  if (typeof value !== 'string' || !(options as readonly string[]).includes(value))
    fail(`${name} must be one of ${options.join(', ')}`);
  return value as T;
}

function finiteIn(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number' || !(value >= min && value <= max)) fail(`${name} must be a number from ${min} to ${max}`);
  return value as number;
}

function flag(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') fail(`${name} must be true or false`);
  return value as boolean;
}

function playerPatch(value: unknown): Partial<PlayerSettings> {
  const v = record(value, PLAYER_KEYS, `{ ${PLAYER_KEYS.map((k) => `${k}?`).join(', ')} }`);
  const out: Partial<PlayerSettings> = {};
  if (v.levelling !== undefined) out.levelling = oneOf(v.levelling, 'levelling', LEVELLING_MODES);
  if (v.preampDb !== undefined) out.preampDb = finiteIn(v.preampDb, 'preampDb', PREAMP_DB_RANGE.min, PREAMP_DB_RANGE.max);
  if (v.preventClipping !== undefined) out.preventClipping = flag(v.preventClipping, 'preventClipping');
  if (v.gapless !== undefined) out.gapless = flag(v.gapless, 'gapless');
  if (v.crossfadeSeconds !== undefined)
    out.crossfadeSeconds = finiteIn(v.crossfadeSeconds, 'crossfadeSeconds', 0, CROSSFADE_MAX_SECONDS);
  if (v.repeat !== undefined) out.repeat = oneOf(v.repeat, 'repeat', REPEAT_MODES);
  if (v.endless !== undefined) out.endless = flag(v.endless, 'endless');
  return out;
}

function savedQueue(value: unknown): SavedQueue | null {
  if (value === null) return null;
  const v = record(value, ['trackIds', 'index', 'position', 'unshuffled'], '{ trackIds, index, position, unshuffled } or null');
  const trackIds = list(v.trackIds, 'queue.trackIds', SAVED_QUEUE_MAX, trackId);
  const unshuffled = v.unshuffled === null ? null : list(v.unshuffled, 'queue.unshuffled', SAVED_QUEUE_MAX, trackId);
  return {
    trackIds,
    index: integer(v.index, 'queue.index', -1, Math.max(-1, trackIds.length - 1)),
    position: finiteIn(v.position, 'queue.position', 0, 1e7),
    unshuffled,
  };
}

export function settingsPatch(value: unknown): SettingsPatch {
  const v = record(value, ['musicFolders', 'volume', 'player', 'queue'], '{ musicFolders?, volume?, player?, queue? }');
  const out: SettingsPatch = {};
  if (v.musicFolders !== undefined) out.musicFolders = list(v.musicFolders, 'musicFolders', 64, absolutePath);
  if (v.volume !== undefined) {
    if (typeof v.volume !== 'number' || !(v.volume >= 0 && v.volume <= 1)) fail('volume must be a number from 0 to 1');
    out.volume = v.volume as number;
  }
  if (v.player !== undefined) out.player = playerPatch(v.player);
  if (v.queue !== undefined) out.queue = savedQueue(v.queue);
  return out;
}

/** One validator per method: every argument that crosses the process boundary is checked here. */
const validators: { [M in ApiMethod]: Validator<M> } = {
  'app.info': isNull,
  'library.summary': isNull,
  'library.cancelScan': isNull,
  'library.scan': (value) => {
    const v = record(value, ['folders'], '{ folders: string[] }');
    return { folders: list(v.folders, 'folders (0 to 64 absolute paths)', 64, absolutePath) };
  },
  'library.removeFolder': (value) => ({ folder: absolutePath(record(value, ['folder'], '{ folder }').folder) }),
  'tracks.list': trackQuery,
  'tracks.get': (value) => ({ ids: list(record(value, ['ids'], '{ ids: number[] }').ids, 'ids', TRACKS_GET_MAX, trackId) }),
  'tracks.facets': isNull,
  'albums.list': (value) => {
    const v = record(value, ['offset', 'limit', 'search', 'artist'], '{ offset, limit, search?, artist? }');
    return {
      ...page(v),
      ...(v.artist === undefined ? {} : { artist: text(v.artist, 'artist', 1000) }),
    };
  },
  'browse.groups': (value) => {
    const v = record(value, ['by', 'offset', 'limit', 'search'], '{ by, offset, limit, search? }');
    return { by: oneOf(v.by, 'by', BROWSE_FIELDS), ...page(v) };
  },
  'browse.tracks': (value) => {
    const v = record(value, ['by', 'name'], '{ by, name }');
    return { by: oneOf(v.by, 'by', BROWSE_FIELDS), name: text(v.name, 'name', 1000) };
  },
  'albums.tracks': (value) => {
    const v = record(value, ['title', 'artist'], '{ title, artist }');
    return { title: text(v.title, 'title', 1000), artist: v.artist === null ? null : text(v.artist, 'artist', 1000) };
  },
  'analysis.start': isNull,
  'analysis.cancel': isNull,
  'topics.fit': topicFit,
  'topics.cancel': isNull,
  'topics.show': isNull,
  'jobs.status': isNull,
  'settings.get': isNull,
  'settings.set': settingsPatch,
  'dialog.chooseFolder': isNull,
  'queue.exportM3u8': (value) => ({
    trackIds: list(record(value, ['trackIds'], '{ trackIds: number[] }').trackIds, 'trackIds', 100_000, trackId, 1),
  }),
  'queue.fromTopics': topicQueueRequest,
  'tracks.moreLike': moreLikeRequest,
  'mix.path': pathRequest,
  'queue.smoothOrder': smoothOrderRequest,
  'queue.radio': radioRequest,
  'tracks.similarGroups': similarGroupsRequest,
  'feedback.set': feedbackRequest,
  'model.train': trainRequest,
  'model.cancel': isNull,
  'model.rollback': isNull,
  'model.retrain': retrainRequest,
  'model.info': isNull,
  'model.map': mapRequest,
  'model.mapSelection': mapRequest,
  'playlists.list': isNull,
  'playlists.save': playlistSave,
  'playlists.get': playlistId,
  'playlists.delete': playlistId,
};

export function isApiMethod(value: unknown): value is ApiMethod {
  return typeof value === 'string' && (API_METHODS as readonly string[]).includes(value);
}

export function validateRequest<M extends ApiMethod>(method: M, value: unknown): ApiRequest<M> {
  return validators[method](value);
}
