import { parentPort, workerData } from 'node:worker_threads';
import { openLibraryDatabase } from '../db/open.ts';
import { untilChange } from '../db/until-change.ts';
import { librarySummary } from '../library/summary.ts';
import { groupIndex, similarGroups } from '../recommend/group-similarity.ts';
import { radio } from '../recommend/radio.ts';
import { moreLikeThis, topicQueue } from '../recommend/recommender.ts';
import { orderTracks } from '../recommend/smooth-order.ts';
import { songPath } from '../recommend/song-path.ts';
import { showTopics } from '../topics/library-topics.ts';
import {
  type ReaderCalls,
  type ReaderMethod,
  type ReaderReply,
  type ReaderRequest,
  type ReaderWorkerData,
} from './reader-messages.ts';
import { albumTracks, listAlbums } from './albums.ts';
import { groupTracks, listGroups } from './browse.ts';
import { embeddingMap, mapSelection, RecommendIndexCache } from './recommend-service.ts';
import { trackFacets } from './track-query.ts';

// The app's whole-library reads off the host's main thread, on this worker's own connection (the host
// checked the file): the aggregates and the recommendation index with its queries, so
// that library pages and other calls answer while the index builds or a D pass runs.
const port = parentPort;
if (!port) throw new Error('reader.worker must run as a worker thread');
const { dataDir } = workerData as ReaderWorkerData;
const db = openLibraryDatabase(dataDir);
const indexes = new RecommendIndexCache(db, dataDir);
const send = (reply: ReaderReply) => port.postMessage(reply);

/** After a change the index is rebuilt unasked once the library has been quiet this long (a scan's batches settle). */
const REWARM_AFTER_MS = 2000;
let rewarm: NodeJS.Timeout | undefined;

type Handlers = {
  [M in ReaderMethod]: (request: ReaderCalls[M]['request']) => Promise<ReaderCalls[M]['answer']> | ReaderCalls[M]['answer'];
};

const handlers: Handlers = {
  'library.summary': () => librarySummary(db),
  'tracks.facets': () => trackFacets(db),
  'albums.list': (request) => listAlbums(db, request),
  'albums.tracks': (request) => albumTracks(db, request),
  'browse.groups': (request) => listGroups(db, request),
  'browse.tracks': (request) => groupTracks(db, request),
  'topics.show': () => untilChange(db, 'topics-show', () => showTopics(db)),
  'queue.fromTopics': async ({ topics, options }) => {
    const index = await indexes.require();
    const k = index.model!.meta.config.userInput;
    const outside = topics.find((t) => t > k);
    if (outside !== undefined) throw new Error(`topic ${outside} is not in the model (topics run from 1 to ${k})`);
    return topicQueue(db, index, topics, options);
  },
  'tracks.moreLike': async ({ trackIds, rules }) => moreLikeThis(db, await indexes.require(), trackIds, rules),
  'mix.path': async ({ trackIds, options }) => songPath(db, await indexes.require(), trackIds, options),
  'queue.smoothOrder': async ({ trackIds, firstId }) => orderTracks(await indexes.require(), trackIds, firstId),
  'tracks.similarGroups': async ({ kind, name, n }) => similarGroups(await indexes.require(), kind, name, n),
  'queue.radio': async ({ seed, options }) => radio(db, await indexes.require(), seed, options),
  'model.map': async ({ topics }) => JSON.stringify(embeddingMap(db, await indexes.get(), topics)),
  'model.mapSelection': async ({ topics }) => mapSelection(db, await indexes.get(), topics),
  'index.status': () => indexes.status(),
};

/**
 * Builds the index and what its first map, queue and similar artists or albums need (the projection, the
 * lane table, the group points: ~0.2 s each at 100,000 songs), in steps. The song metric of "more like
 * this" is left to its first call: hundreds of MB at 100,000 songs.
 */
async function warm(): Promise<void> {
  try {
    const index = await indexes.get();
    if (!index?.model) return;
    const steps = [
      () => embeddingMap(db, index, []),
      () => index.topicLanes(db),
      () => groupIndex(index, 'artist'),
      () => groupIndex(index, 'album'),
    ];
    for (const step of steps) {
      await new Promise((resolve) => setImmediate(resolve)); // answer what came in meanwhile
      if (indexes.ready() !== index) return;
      step();
    }
  } catch {
    // The call that needs the index reports why it cannot be built.
  }
}

port.on('message', (request: ReaderRequest) => {
  if (request.type === 'invalidate') {
    indexes.invalidate();
    clearTimeout(rewarm);
    rewarm = setTimeout(() => void warm(), REWARM_AFTER_MS);
    return;
  }
  if (request.type === 'warm') return void warm();
  if (request.type === 'close') {
    clearTimeout(rewarm);
    indexes.close();
    db.close();
    port.close();
    return;
  }
  const { id, method } = request;
  const handler = handlers[method] as (r: unknown) => unknown;
  Promise.resolve()
    .then(() => handler(request.request))
    .then(
      (value) => send({ type: 'answer', id, value }),
      (error: unknown) =>
        send({
          type: 'failed',
          id,
          error: error instanceof Error ? error.message : String(error),
        }),
    );
});
