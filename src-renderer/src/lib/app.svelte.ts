import type { CadenzaApi } from '../../../src-main/api/contract.ts';
import type {
  AppInfo,
  DatabaseHealth,
  LibrarySummary,
  Settings,
  SettingsPatch,
  TopicInfo,
  TrackFacets,
} from '../../../src-main/api/types.ts';
import { call } from './transport.ts';

/** What the whole UI shares: app info, the library summary, settings, filter facets and the topics. */
export class AppState {
  info = $state<AppInfo | null>(null);
  summary = $state<LibrarySummary | null>(null);
  settings = $state<Settings | null>(null);
  facets = $state<TrackFacets>({ formats: [], genres: [] });
  topics = $state<TopicInfo[]>([]);
  error = $state<string | null>(null);
  loaded = $state(false);
  /** The library database's start check: `checking` after an unclean exit (writes wait), or `damaged`. */
  database = $state<DatabaseHealth>({ state: 'sound', message: null });

  constructor(readonly api: CadenzaApi) {
    api.on('database.health', (health) => (this.database = health));
  }

  trackCount = $derived(this.summary?.tracks ?? 0);
  /** No folder yet: the first-run screen. */
  firstRun = $derived(this.loaded && (this.summary?.roots.length ?? 0) === 0);

  async load(): Promise<void> {
    await this.guard(async () => {
      const [info, settings] = await Promise.all([call(this.api, 'app.info', null), call(this.api, 'settings.get', null)]);
      this.info = info;
      this.database = info.database;
      this.settings = settings;
      await this.refresh();
      this.loaded = true;
    });
  }

  /** Re-reads what a scan or a topic fit changes. */
  async refresh(): Promise<void> {
    await this.guard(async () => {
      const [summary, facets, topics] = await Promise.all([
        call(this.api, 'library.summary', null),
        call(this.api, 'tracks.facets', null),
        call(this.api, 'topics.show', null),
      ]);
      this.summary = summary;
      this.facets = facets;
      this.topics = topics.topics;
    });
  }

  async saveSettings(patch: SettingsPatch): Promise<void> {
    await this.guard(async () => {
      this.settings = await call(this.api, 'settings.set', patch);
    });
  }

  async removeFolder(folder: string): Promise<void> {
    await this.guard(async () => {
      await call(this.api, 'library.removeFolder', { folder });
      this.settings = await call(this.api, 'settings.get', null);
      await this.refresh();
    });
  }

  /** The native folder picker (Electron); null when cancelled. */
  async chooseFolder(): Promise<string | null> {
    let folder: string | null = null;
    await this.guard(async () => {
      folder = (await call(this.api, 'dialog.chooseFolder', null)).folder;
    });
    return folder;
  }

  private async guard(body: () => Promise<void>): Promise<void> {
    try {
      await body();
      this.error = null;
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
    }
  }
}
