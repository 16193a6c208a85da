import type { ApiMethod, ApiRequest, ApiResponse, ApiEvents } from '../../api/contract.ts';
import { openLibraryDatabase } from '../db/open.ts';
import { LibraryStore } from './library-store.ts';
import { startScanJob, type ScanJob } from './scan-job.ts';
import { librarySummary } from './summary.ts';
import { LibraryWatcher } from './watcher.ts';

/** Implements the API methods over one data folder; shared by the Electron shell and browser mode. */
export class LibraryService {
  private scan: ScanJob | undefined;
  private watcher: LibraryWatcher | undefined;

  constructor(
    readonly dataDir: string,
    private readonly emit: <E extends keyof ApiEvents>(event: E, payload: ApiEvents[E]) => void,
  ) {}

  /** Follows changes under the library's folders while the app runs; each batch is scanned in a worker. */
  watch(): void {
    void this.watcher?.close();
    const db = openLibraryDatabase(this.dataDir);
    const roots = new LibraryStore(db).roots().filter((r) => r.available);
    db.close();
    this.watcher = new LibraryWatcher(roots, (changedPaths) => startScanJob({ dataDir: this.dataDir, changedPaths }).result);
    this.watcher.start();
  }

  async close(): Promise<void> {
    this.scan?.cancel();
    await this.watcher?.close();
  }

  async handle<M extends ApiMethod>(method: M, request: ApiRequest<M>): Promise<ApiResponse<M>> {
    switch (method) {
      case 'library.summary': {
        const db = openLibraryDatabase(this.dataDir);
        try {
          return librarySummary(db) as ApiResponse<M>;
        } finally {
          db.close();
        }
      }
      case 'library.scan': {
        if (this.scan) throw new Error('a scan is already running');
        const { folders } = request as ApiRequest<'library.scan'>;
        this.scan = startScanJob({ dataDir: this.dataDir, addRoots: folders, onProgress: (p) => this.emit('scan.progress', p) });
        try {
          return (await this.scan.result) as ApiResponse<M>;
        } finally {
          this.scan = undefined;
          this.watch(); // new folders are watched from now on
        }
      }
      case 'library.cancelScan': {
        this.scan?.cancel();
        return { cancelled: this.scan !== undefined } as ApiResponse<M>;
      }
      default:
        throw new Error(`unknown method ${String(method)}`);
    }
  }
}
