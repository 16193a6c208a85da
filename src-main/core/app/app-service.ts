/**
 * The API's implementation over one data folder: every method of the contract, the long jobs with their
 * progress events, settings and the library watcher. Shared by the Electron shell and `cadenza serve`;
 * plain Node (the shell passes in what only it can do, such as a native folder picker).
 */
import { coverArtResponse } from './cover-art.ts';
import { CoverCachePruner } from './cover-cache-prune.ts';
import { ThumbnailClient } from './thumbnail-client.ts';
import type { Database } from 'better-sqlite3';
import path from 'node:path';
import {
  JsonText,
  type ApiEmitter,
  type ApiMethod,
  type ApiRequest,
  type ApiResponse,
  type ArtSize,
} from '../../api/contract.ts';
import type {
  AnalysisSummary,
  AppMode,
  DatabaseHealth,
  JobProgress,
  MixOptions,
  PlaylistSaveResult,
  ScanResult,
  TopicFitSummary,
  TrainingProgressDetail,
  RetrainSummary,
  TrainSummary,
} from '../../api/types.ts';
import { openLibraryDatabase } from '../db/open.ts';
import { runQuickCheck, type RunningDbCheck } from '../db/db-check.ts';
import {
  abandonSession,
  beginLibrarySession,
  markCleanClose,
  recordCheckPassed,
  recordDamage,
  type StartCheck,
} from '../db/start-check.ts';
import { LibraryStore } from '../library/library-store.ts';
import { startScanJob } from '../library/scan-job.ts';
import { LibraryWatcher } from '../library/watcher.ts';
import { startEmbedJob } from '../model/embed-job.ts';
import { activeModel, missingEmbeddings, rollbackModel } from '../model/store.ts';
import { startTrainJob } from '../model/train-job.ts';
import { retrainFromFeedback } from '../recommend/retrain-job.ts';
import { recordFeedback } from '../recommend/feedback.ts';
import {
  deletePlaylistById,
  findPlaylist,
  listPlaylists,
  playlistSummary,
  playlistTrackIds,
  savePlaylist,
} from '../recommend/playlists.ts';
import type { QueueRules } from '../recommend/recommender.ts';
import { showTopics } from '../topics/library-topics.ts';
import { startTopicsJob } from '../topics/topics-job.ts';
import { JobBoard, type RunningJob } from './jobs.ts';
import { toM3u8 } from './m3u.ts';
import { closePlaybackTranscoder, warmPlaybackTranscoder } from '../playback/transcoder.ts';
import { mediaResponse } from './media.ts';
import { ReaderClient } from './reader-client.ts';
import type { IndexStatus } from './reader-messages.ts';
import { modelInfo, toRecommended } from './recommend-service.ts';
import { SettingsStore } from './settings.ts';
import { getTracks, listTracks, registerTrackFunctions } from './track-query.ts';

export interface AppServiceOptions {
  mode: AppMode;
  version: string;
  /** A native folder picker (Electron); without one `dialog.chooseFolder` is refused. */
  chooseFolder?: () => Promise<string | null>;
  /** Analysis worker threads (default: cores − 1). */
  analysisWorkers?: number;
}

/** The API's mix options as queue rules (absent fields stay absent: the core's defaults apply). */
function mixRules(mix: MixOptions | undefined): QueueRules {
  if (!mix) return {};
  return Object.fromEntries(Object.entries(mix).filter(([, v]) => v !== undefined)) as QueueRules;
}

/** A watcher batch whose scan job failed (the job board already shows it). */
class WatchedScanError extends Error {}

/** A write refused because the deferred start check found the database damaged. */
export class DamagedLibraryError extends Error {}

type JobReporter = (progress: Omit<JobProgress, 'job'>) => void;

type Answer<M extends ApiMethod> = ApiResponse<M> | JsonText<ApiResponse<M>>;
type Handlers = { [M in ApiMethod]: (request: ApiRequest<M>) => Promise<Answer<M>> | Answer<M> };

/** The first cover prune waits this long after start, so it does not compete with the first pages. */
const COVER_PRUNE_AFTER_START_MS = 30_000;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export class AppService {
  readonly jobs: JobBoard;
  readonly settings: SettingsStore;
  private dbHandle: Database | undefined;
  /** What the start check did (ran, skipped or deferred, and why), once open() ran. */
  startCheck: StartCheck | null = null;
  /** Where the database's start check stands: `checking` while a deferred one runs (writes wait). */
  private health: DatabaseHealth = { state: 'sound', message: null };
  /**
   * Settles when the database may be written: at once, or when the deferred start check passed; rejects
   * with DamagedLibraryError when it found damage (every write awaits it).
   */
  private writesAllowed: Promise<void> = Promise.resolve();
  private dbCheck: RunningDbCheck | undefined;
  /** How long the deferred start check took (ms), once it finished; null when none ran. */
  deferredCheckMs: number | null = null;
  private watcher: LibraryWatcher | undefined;
  private closed = false;
  /**
   * The whole-library reads (aggregates, the recommendation index and its queries) in the reader
   * worker; any library or model change marks its index stale.
   */
  private readonly reader: ReaderClient;
  /** Cover thumbnails, made in their own worker on first request. */
  private readonly thumbnails = new ThumbnailClient();
  /** Removes cached covers of changed and removed tracks, after each scan. */
  readonly coverCache: CoverCachePruner;
  private readonly emit: ApiEmitter;

  constructor(
    readonly dataDir: string,
    emit: ApiEmitter,
    private readonly options: AppServiceOptions,
  ) {
    this.emit = (event, payload) => {
      if (event === 'library.changed') this.reader.invalidate();
      emit(event, payload);
    };
    this.jobs = new JobBoard(emit);
    this.settings = new SettingsStore(dataDir);
    this.reader = new ReaderClient(dataDir);
    this.coverCache = new CoverCachePruner(() => this.db, dataDir);
  }

  /** The service's own connection (reads, the topic fit); workers open their own. */
  get db(): Database {
    if (!this.dbHandle) {
      this.dbHandle = openLibraryDatabase(this.dataDir);
      registerTrackFunctions(this.dbHandle);
    }
    return this.dbHandle;
  }

  /**
   * Migrates and opens the database now. The start check (start-check.ts) runs first when it must (damage
   * found last time, migrations pending), so a damaged file fails early with CorruptDatabaseError (moved
   * aside); a check due after an unclean exit runs after the start, in a worker, while reads are served
   * and every write waits for it (checkInBackground).
   */
  open(): void {
    if (!this.dbHandle) {
      this.startCheck = beginLibrarySession(this.dataDir);
      if (this.startCheck.deferred) this.checkInBackground();
    }
    if (!this.db.open) throw new Error('the library database is closed');
    warmPlaybackTranscoder();
    this.reader.warm(); // the index builds in the reader worker while the first pages are served
    this.resumeEmbedding();
    this.coverCache.request(COVER_PRUNE_AFTER_START_MS); // changes made while the app was closed
  }

  /** Where the database's start check stands (app.info carries it; `database.health` pushes changes). */
  databaseHealth(): DatabaseHealth {
    return this.health;
  }

  /** Resolves when the deferred start check (if any) has finished, passed or not; for benches and tests. */
  async databaseChecked(): Promise<DatabaseHealth> {
    await this.writesAllowed.catch(() => undefined);
    return this.health;
  }

  /**
   * The deferred start check (a quick_check: seconds at 100,000 songs) in its worker. Passed: writes go
   * on. Damage: recorded (the next start checks first and moves the file aside), the UI is told, the
   * watcher stops and every write is refused with the finding. A check that could not run lets writes go
   * on, and the session is never recorded as clean, so the next start checks again.
   */
  private checkInBackground(): void {
    const started = performance.now();
    this.health = { state: 'checking', message: null };
    const check = runQuickCheck(this.dataDir);
    this.dbCheck = check;
    this.writesAllowed = check.result.then(
      (problems) => {
        this.dbCheck = undefined;
        this.deferredCheckMs = performance.now() - started;
        if (problems.length === 0) {
          recordCheckPassed(this.dataDir);
          return this.setHealth({ state: 'sound', message: null });
        }
        const more = problems.length > 3 ? `; ${problems.length - 3} more` : '';
        const detail = problems.slice(0, 3).join('; ') + more;
        recordDamage(this.dataDir, detail);
        const message =
          `the library database is damaged (${detail}). Nothing more is written to it. Quit Cadenza: the next ` +
          'start moves the file aside (nothing is overwritten) and begins a new, empty library (rescan your ' +
          'folders), or restore the moved file yourself.';
        this.setHealth({ state: 'damaged', message });
        void this.watcher?.close();
        this.watcher = undefined;
        throw new DamagedLibraryError(message);
      },
      (error: unknown) => {
        this.dbCheck = undefined;
        abandonSession(this.dataDir);
        const why = error instanceof Error ? error.message : String(error);
        this.setHealth({ state: 'sound', message: `the start check could not run (${why}); the next start runs it again` });
      },
    );
    this.writesAllowed.catch(() => undefined); // awaited by each write; not an unhandled rejection here
  }

  private setHealth(health: DatabaseHealth): void {
    this.health = health;
    this.emit('database.health', health);
  }

  /**
   * A job's start, held while the deferred start check runs: its progress says why it waits, a cancel
   * meanwhile ends it as a cancelled run (started, then cancelled at once), and damage fails it with the
   * check's finding. Without a check in flight it starts at once.
   */
  private afterCheck<T>(report: JobReporter, start: () => RunningJob<T>): RunningJob<T> {
    if (this.health.state === 'sound') return start();
    if (this.health.state === 'checking')
      report({ done: 0, total: null, rate: 0, etaSec: null, elapsedMs: 0, phase: 'waiting for the library check', failed: 0 });
    let cancelled = false;
    let running: RunningJob<T> | undefined;
    const result = this.writesAllowed.then(() => {
      running = start();
      if (cancelled) running.cancel();
      return running.result;
    });
    return {
      result,
      cancel: () => {
        cancelled = true;
        running?.cancel();
      },
    };
  }

  /**
   * Follows changes under the library's folders while the app runs. Each batch is a scan job on the job
   * board (after any scan already running, never beside it), and the watcher's own errors are shown as
   * failed scan outcomes.
   */
  watch(): void {
    void this.watcher?.close();
    this.watcher = undefined;
    if (this.closed || this.health.state === 'damaged') return;
    const roots = new LibraryStore(this.db).roots().filter((r) => r.available);
    this.watcher = new LibraryWatcher(roots, (changedPaths) => this.scanChanges(changedPaths), {
      onError: (error) => {
        const message = error instanceof Error ? error.message : String(error);
        // A failed batch is already the scan job's own failed outcome; other errors come from watching.
        if (!(error instanceof WatchedScanError))
          this.jobs.notify('scan', { status: 'failed', message: `watching the music folders failed: ${message}` });
      },
    });
    this.watcher.start();
  }

  private async scanChanges(changedPaths: string[]): Promise<ScanResult> {
    while (this.jobs.isRunning('scan')) await this.jobs.idle('scan');
    if (this.closed) throw new WatchedScanError('the app is closing');
    try {
      const result = await this.jobs.run(
        'scan',
        (report) =>
          this.afterCheck(report, () =>
            startScanJob({
              dataDir: this.dataDir,
              changedPaths,
              onProgress: (p) => report({ ...p, phase: p.phase, failed: p.failed }),
            }),
          ),
        (r) => ({
          status: r.cancelled ? 'cancelled' : 'done',
          message:
            `changes in the music folders: ${plural(r.indexed, 'track')} indexed, ${r.removed} removed` +
            (r.failed.length ? `, ${plural(r.failed.length, 'file')} could not be read` : ''),
        }),
      );
      this.emit('library.changed', { reason: 'watch' });
      if (!result.cancelled) this.coverCache.request();
      return result;
    } catch (error) {
      throw new WatchedScanError(error instanceof Error ? error.message : String(error));
    }
  }

  /**
   * At start: the songs the active model lacks (a kill or quit during an embedding, songs analysed
   * meanwhile) are embedded in the background, as a training job.
   */
  private resumeEmbedding(): void {
    let missing: number;
    try {
      const model = activeModel(this.db);
      missing = model ? missingEmbeddings(this.db, model.id) : 0;
    } catch {
      return;
    }
    if (missing === 0 || this.jobs.isRunning('training')) return;
    this.jobs
      .run(
        'training',
        (report) => this.afterCheck(report, () => startEmbedJob(this.dataDir)),
        (r) => ({
          status: r.cancelled ? 'cancelled' : 'done',
          message: `${plural(r.embedded, 'song')} embedded with the active model`,
        }),
      )
      .then(
        () => this.emit('library.changed', { reason: 'model' }),
        () => undefined, // the job board shows the failure
      );
  }

  async close(): Promise<void> {
    this.closed = true;
    this.jobs.cancelAll();
    if (this.dbCheck) {
      // Closing before the deferred check finished: the session stays unclean, so the next start checks.
      this.dbCheck.stop();
      this.dbCheck = undefined;
      abandonSession(this.dataDir);
    }
    await this.watcher?.close();
    await this.coverCache.close();
    await this.reader.close();
    await this.thumbnails.close();
    const hadDb = this.dbHandle !== undefined;
    this.dbHandle?.close();
    this.dbHandle = undefined;
    if (hadDb) markCleanClose(this.dataDir);
    await closePlaybackTranscoder();
  }

  /** Where the reader worker's recommendation index stands (built, building, stale), for benches and tests. */
  indexStatus(): Promise<IndexStatus> {
    return this.reader.call('index.status', {});
  }

  /** Audio for the player: see {@link mediaResponse}. */
  media(trackId: number | null, request: { method?: string; range?: string | null }): Promise<Response> {
    return mediaResponse(this.db, trackId, request);
  }

  /** A track's cover art (embedded, else a folder image), extracted once into the data folder. */
  art(trackId: number | null, request: { method?: string; size?: ArtSize } = {}): Promise<Response> {
    return coverArtResponse(this.db, this.dataDir, trackId, request, this.thumbnails);
  }

  /** Runs one validated call in this process: the answer as a value. */
  async handle<M extends ApiMethod>(method: M, request: ApiRequest<M>): Promise<ApiResponse<M>> {
    const answer = await this.handleForTransport(method, request);
    return answer instanceof JsonText ? (JSON.parse(answer.text) as ApiResponse<M>) : answer;
  }

  /**
   * Runs one validated call for a transport (IPC, HTTP): an answer a worker wrote as JSON stays text, so
   * this thread neither parses nor writes it (see JsonText).
   */
  handleForTransport<M extends ApiMethod>(method: M, request: ApiRequest<M>): Promise<Answer<M>> {
    const handler = this.handlers[method] as (request: ApiRequest<M>) => Promise<Answer<M>> | Answer<M>;
    return Promise.resolve(handler(request));
  }

  private readonly handlers: Handlers = {
    'app.info': () => ({
      mode: this.options.mode,
      version: this.options.version,
      dataDir: this.dataDir,
      canChooseFolder: this.options.chooseFolder !== undefined,
      database: this.health,
    }),
    'library.summary': () => this.reader.call('library.summary', {}),
    'library.scan': (request) => this.scan(request.folders),
    'library.cancelScan': () => ({ cancelled: this.jobs.cancel('scan') }),
    'library.removeFolder': async ({ folder }) => {
      await this.writesAllowed;
      const normalised = path.resolve(folder).normalize('NFC');
      const removed = new LibraryStore(this.db).removeRoot(normalised);
      const folders = this.settings.get().musicFolders.filter((f) => path.resolve(f).normalize('NFC') !== normalised);
      this.settings.set({ musicFolders: folders });
      this.watch();
      this.emit('library.changed', { reason: 'folders' });
      return { removed };
    },
    'tracks.list': (query) => listTracks(this.db, query),
    'tracks.get': ({ ids }) => getTracks(this.db, ids),
    'albums.list': (request) => this.reader.call('albums.list', request),
    'albums.tracks': (request) => this.reader.call('albums.tracks', request),
    'browse.groups': (request) => this.reader.call('browse.groups', request),
    'browse.tracks': (request) => this.reader.call('browse.tracks', request),
    'tracks.facets': () => this.reader.call('tracks.facets', {}),
    'analysis.start': () => this.analyse(),
    'analysis.cancel': () => ({ cancelled: this.jobs.cancel('analysis') }),
    'topics.fit': (request) => this.fitTopics(request),
    'topics.cancel': () => ({ cancelled: this.jobs.cancel('topics') }),
    'topics.show': async () => ({ topics: await this.reader.call('topics.show', {}) }),
    'jobs.status': () => ({ jobs: this.jobs.status() }),
    'settings.get': () => this.settings.get(),
    'settings.set': (patch) => this.settings.set(patch),
    'dialog.chooseFolder': async () => {
      if (!this.options.chooseFolder) throw new Error('a folder picker is not available here: type the folder path');
      return { folder: await this.options.chooseFolder() };
    },
    'queue.exportM3u8': ({ trackIds }) => ({
      filename: `cadenza-queue-${new Date().toISOString().slice(0, 10)}.m3u8`,
      content: toM3u8(getTracks(this.db, trackIds)),
    }),
    // Ranked in the reader worker (the index and its D passes); the rows are read here, for the n results only.
    'queue.fromTopics': async ({ topics, weights, ranking, n, adventurous, exclude, mix }) => {
      const recs = await this.reader.call('queue.fromTopics', {
        topics,
        options: {
          n: n ?? 20,
          adventurous: adventurous ?? 0,
          ranking: ranking ?? 'blend',
          ...(weights ? { weights } : {}),
          ...(exclude ? { exclude } : {}),
          ...mixRules(mix),
        },
      });
      return { tracks: toRecommended(this.db, recs) };
    },
    'tracks.moreLike': async ({ trackIds, n, exclude, unlike, unlikeWeight, adventurous, mix }) => {
      const recs = await this.reader.call('tracks.moreLike', {
        trackIds,
        rules: {
          n: n ?? 20,
          ...(exclude ? { exclude } : {}),
          ...(unlike ? { unlike } : {}),
          ...(unlikeWeight !== undefined ? { unlikeWeight } : {}),
          ...(adventurous !== undefined ? { adventurous } : {}),
          ...mixRules(mix),
        },
      });
      return { tracks: toRecommended(this.db, recs) };
    },
    'mix.path': async ({ trackIds, n, exclude, mix }) => {
      const path = await this.reader.call('mix.path', {
        trackIds,
        options: { n: n ?? 12, ...(exclude ? { exclude } : {}), ...mixRules(mix) },
      });
      return {
        tracks: toRecommended(this.db, path.tracks),
        steps: path.steps,
        largestStep: path.largestStep,
        meanStep: path.meanStep,
      };
    },
    'queue.smoothOrder': ({ trackIds, firstId }) =>
      this.reader.call('queue.smoothOrder', { trackIds, ...(firstId !== undefined ? { firstId } : {}) }),
    'tracks.similarGroups': async ({ kind, name, n }) => ({
      groups: await this.reader.call('tracks.similarGroups', { kind, name, n: n ?? 10 }),
    }),
    'queue.radio': async ({ seed, n, exclude, sessionSince, adventurous, mix }) => {
      const recs = await this.reader.call('queue.radio', {
        seed,
        options: {
          n: n ?? 20,
          ...(exclude ? { exclude } : {}),
          ...(sessionSince !== undefined ? { sessionSince } : {}),
          ...(adventurous !== undefined ? { adventurous } : {}),
          ...mixRules(mix),
        },
      });
      return { tracks: toRecommended(this.db, recs) };
    },
    'feedback.set': async ({ trackId, kind, position, topics }) => {
      await this.writesAllowed;
      if (getTracks(this.db, [trackId]).length === 0) throw new Error(`no track ${trackId}`);
      recordFeedback(this.db, { trackId, kind, position: position ?? null, topics, modelId: activeModel(this.db)?.id ?? null });
      return { recorded: true };
    },
    'model.train': (request) => this.train(request),
    'model.cancel': () => ({ cancelled: this.jobs.cancel('training') }),
    'model.rollback': async () => {
      await this.writesAllowed;
      if (this.jobs.isRunning('training')) throw new Error('wait for the training to finish');
      const result = rollbackModel(this.db);
      if (result) this.emit('library.changed', { reason: 'model' });
      return result;
    },
    'model.retrain': (request) => this.retrain(request),
    'model.info': () => modelInfo(this.db),
    'model.map': async ({ topics }) =>
      new JsonText<ApiResponse<'model.map'>>(await this.reader.call('model.map', { topics: topics ?? [] })),
    'model.mapSelection': ({ topics }) => this.reader.call('model.mapSelection', { topics: topics ?? [] }),
    'playlists.list': () => ({ playlists: listPlaylists(this.db) }),
    'playlists.save': (request) => this.savePlaylist(request),
    'playlists.get': ({ id }) => {
      const playlist = playlistSummary(this.db, id);
      const trackIds = playlistTrackIds(this.db, id);
      if (!playlist || !trackIds) throw new Error(`no playlist ${id} (it may have been deleted)`);
      return { playlist, trackIds };
    },
    'playlists.delete': async ({ id }) => {
      await this.writesAllowed;
      return { deleted: deletePlaylistById(this.db, id) };
    },
  };

  /** Saves a playlist; a name in use is only overwritten with `replace` (otherwise the answer says it exists). */
  private async savePlaylist({ name, trackIds, replace }: ApiRequest<'playlists.save'>): Promise<PlaylistSaveResult> {
    await this.writesAllowed;
    const unique = [...new Set(trackIds)];
    const known = new Set(getTracks(this.db, unique).map((t) => t.id));
    const missing = unique.filter((id) => !known.has(id));
    if (missing.length > 0) {
      throw new Error(`not in the library: track ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}`);
    }
    const existing = findPlaylist(this.db, name);
    if (existing && replace !== true) {
      return {
        status: 'exists',
        existing,
        message: `a playlist named “${existing.name}” already exists (${plural(existing.tracks, 'track')}): replace it?`,
      };
    }
    const saved = savePlaylist(this.db, name, trackIds);
    return { status: 'saved', playlist: playlistSummary(this.db, saved.id)!, replaced: existing !== null };
  }

  /** Retraining from feedback in the background: a `training` job whose fine-tune runs in the retrain worker. */
  private async retrain(request: ApiRequest<'model.retrain'>): Promise<RetrainSummary> {
    const summary = await this.jobs.run(
      'training',
      (report) =>
        this.afterCheck(report, () => {
          const job = retrainFromFeedback(this.dataDir, request.epochs !== undefined ? { epochs: request.epochs } : {});
          const result = job.result.then((r): RetrainSummary => ({
            accepted: r.accepted,
            cancelled: r.cancelled,
            reason: r.reason,
            personalTriplets: r.personalTriplets,
            heldOutSongs: r.heldOutSongs,
            before: r.before,
            after: r.after,
            tolerance: r.tolerance,
            modelId: r.saved?.modelId ?? null,
            backend: r.backend.name,
            device: r.backend.device,
          }));
          return { result, cancel: () => job.cancel() };
        }),
      (r) => ({
        status: r.cancelled ? 'cancelled' : 'done',
        message: r.cancelled
          ? r.reason
          : r.accepted
            ? `retrained from your feedback: ${r.reason}`
            : `retraining refused: ${r.reason}`,
      }),
    );
    if (summary.accepted) this.emit('library.changed', { reason: 'model' });
    return summary;
  }

  private async train(request: ApiRequest<'model.train'>): Promise<TrainSummary> {
    const summary = await this.jobs.run(
      'training',
      (report) =>
        this.afterCheck(report, () => {
          // Training runs in the train worker; the main process relays its progress and epoch metrics.
          const history: TrainingProgressDetail['history'] = [];
          const started = Date.now();
          // The rate and ETA are of the whole run, in batches over wall-clock time from the first report, so
          // they include each epoch's validation pass (the trainer's own ETA counts training steps only).
          let first: { done: number; at: number } | null = null;
          const job = startTrainJob({
            dataDir: this.dataDir,
            lowPriority: true, // the API and the UI come first on a machine this shares
            ...(request.epochs !== undefined ? { epochs: request.epochs, patience: request.epochs } : {}),
            ...(request.seed !== undefined ? { seed: request.seed } : {}),
            ...(request.model !== undefined ? { model: request.model } : {}),
            onEpoch: (m) => history.push({ epoch: m.epoch, loss: m.loss, valAccuracy: m.valAccuracy }),
            onProgress: (p) => {
              const done = Math.max(0, (p.epoch - 1) * p.steps + p.step);
              const total = p.expectedEpochs * p.steps; // the expected end under early stopping (trainer.ts)
              const now = Date.now();
              const elapsedMs = now - started;
              first ??= { done, at: now };
              const measured = done > first.done && now > first.at;
              const rate = measured ? ((done - first.done) * 1000) / (now - first.at) : 0;
              report({
                done,
                total,
                rate,
                etaSec: measured ? Math.max(0, total - done) / rate : p.etaSec,
                elapsedMs,
                phase: `epoch ${p.epoch} of ${p.epochs}`,
                failed: 0,
                training: {
                  epoch: p.epoch,
                  epochs: p.epochs,
                  loss: p.loss,
                  valAccuracy: p.lastValAccuracy,
                  history: [...history],
                },
              });
            },
          });
          const result = job.result.then((r): TrainSummary => ({
            cancelled: r.cancelled,
            epochsRun: r.epochsRun,
            valAccuracy: r.valAccuracy,
            modelId: r.saved?.modelId ?? null,
            activated: r.saved?.activated ?? false,
            embedded: r.embedded?.count ?? 0,
            backend: r.backend.name,
            device: r.backend.device,
          }));
          return { result, cancel: () => job.cancel() };
        }),
      (r) => ({
        status: r.cancelled ? 'cancelled' : 'done',
        message: r.cancelled
          ? 'training cancelled; a checkpoint is kept and the next run resumes'
          : `model ${r.modelId ?? '?'} trained in ${plural(r.epochsRun, 'epoch')}` +
            (r.valAccuracy !== null ? `, validation accuracy ${(r.valAccuracy * 100).toFixed(1)}%` : '') +
            ` on ${r.backend} (${r.device})`,
      }),
    );
    if (!summary.cancelled) this.emit('library.changed', { reason: 'model' });
    return summary;
  }

  private async scan(folders: string[]): Promise<ScanResult> {
    if (folders.length === 0 && new LibraryStore(this.db).roots().length === 0) {
      throw new Error('no music folder yet: choose one first');
    }
    const result = await this.jobs.run(
      'scan',
      (report) =>
        this.afterCheck(report, () =>
          startScanJob({
            dataDir: this.dataDir,
            addRoots: folders,
            onProgress: (p) => report({ ...p, phase: p.phase, failed: p.failed }),
          }),
        ),
      (r) => ({
        status: r.cancelled ? 'cancelled' : 'done',
        message:
          `${plural(r.indexed, 'track')} indexed, ${r.unchanged} unchanged, ${r.removed} removed` +
          (r.failed.length ? `, ${plural(r.failed.length, 'file')} could not be read` : '') +
          (r.unavailableRoots.length ? `; unavailable: ${r.unavailableRoots.join(', ')}` : ''),
      }),
    );
    if (folders.length > 0) {
      const known = this.settings.get().musicFolders;
      const added = result.roots.filter((r) => !known.includes(r));
      if (added.length) this.settings.set({ musicFolders: [...known, ...added] });
    }
    this.emit('library.changed', { reason: 'scan' });
    if (!result.cancelled) this.coverCache.request();
    this.watch(); // new folders are watched from now on
    return result;
  }

  private analyse(): Promise<AnalysisSummary> {
    return this.jobs.run(
      'analysis',
      (report) =>
        this.afterCheck(report, () => {
          // Loaded on first use: the decoders and DSP are only needed once analysis runs.
          let cancelled = false;
          let cancel = () => {
            cancelled = true;
          };
          const result = import('../pipeline/analyse-and-embed.ts').then(async ({ startAnalyseAndEmbed }) => {
            const job = startAnalyseAndEmbed({
              dataDir: this.dataDir,
              ...(this.options.analysisWorkers ? { workers: this.options.analysisWorkers } : {}),
              onProgress: (p) => report({ ...p, phase: 'analysing' }),
              onEmbedding: (songs) =>
                report({ done: 0, total: songs, rate: 0, etaSec: null, elapsedMs: 0, phase: 'embedding', failed: 0 }),
            });
            cancel = () => job.cancel();
            if (cancelled) job.cancel();
            const r = await job.result;
            return {
              analysed: r.analysed,
              skipped: r.skipped,
              failed: r.failed,
              cancelled: r.cancelled,
              durationMs: r.durationMs,
              songsPerSecond: r.songsPerSecond,
            };
          });
          return { result, cancel: () => cancel() };
        }),
      (r) => ({
        status: r.cancelled ? 'cancelled' : 'done',
        message:
          `${plural(r.analysed, 'track')} analysed, ${r.skipped} already done` +
          (r.failed.length ? `, ${plural(r.failed.length, 'track')} could not be analysed` : ''),
      }),
    );
  }

  private async fitTopics(request: ApiRequest<'topics.fit'>): Promise<TopicFitSummary> {
    const summary = await this.jobs.run(
      'topics',
      (report) =>
        this.afterCheck(report, () => {
          // The fit runs in a worker: the app's main process only relays its progress.
          const job = startTopicsJob(this.dataDir, {
            ...request,
            onProgress: (p) => report({ ...p, phase: 'fitting', failed: 0 }),
          });
          const result = job.result.then((r): TopicFitSummary => {
            if (r)
              return { cancelled: false, k: r.k, tagged: r.tagged, untagged: r.untagged, changed: r.changed, topics: r.topics };
            const topics = showTopics(this.db);
            return { cancelled: true, k: topics.length, tagged: 0, untagged: 0, changed: false, topics };
          });
          return { result, cancel: () => job.cancel() };
        }),
      (r) => ({
        status: r.cancelled ? 'cancelled' : 'done',
        message: r.cancelled
          ? 'topic fit cancelled; the previous topics are kept'
          : `${plural(r.k, 'topic')} fitted on ${plural(r.tagged, 'tagged song')} (${r.untagged} without tags)`,
      }),
    );
    if (!summary.cancelled) this.emit('library.changed', { reason: 'topics' });
    return summary;
  }
}
