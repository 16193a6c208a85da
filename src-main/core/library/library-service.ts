import type { ApiMethod, ApiRequest, ApiResponse, ApiEvents } from '../../api/contract.ts';
import { openLibraryDatabase } from '../db/open.ts';
import { startScanJob, type ScanJob } from './scan-job.ts';
import { librarySummary } from './summary.ts';

/** Implements the API methods over one data folder; shared by the Electron shell and browser mode. */
export class LibraryService {
  private scan: ScanJob | undefined;

  constructor(
    readonly dataDir: string,
    private readonly emit: <E extends keyof ApiEvents>(event: E, payload: ApiEvents[E]) => void,
  ) {}

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
