/** `cadenza serve` without the command line: the app service over a data folder, behind the browser-mode server. */
import fs from 'node:fs';
import path from 'node:path';
import { AppService } from '../core/app/app-service.ts';
import { DEFAULT_RENDERER_DIR, ensureRenderer, PROJECT_ROOT } from './renderer-build.ts';
import { startServer, type RunningServer } from './server.ts';

export interface ServeAppOptions {
  dataDir: string;
  host?: string;
  port?: number;
  allowRemote?: boolean;
  /** Where the browser reaches the server, when not at the bound address (see ServerOptions.publicUrl). */
  publicUrl?: string;
  /** The built renderer to serve (default out/renderer; built when missing or stale). */
  rendererDir?: string;
  analysisWorkers?: number;
  log?: (line: string) => void;
}

export interface ServedAppHandle {
  server: RunningServer;
  service: AppService;
  close(): Promise<void>;
}

export function appVersion(): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export async function serveApp(options: ServeAppOptions): Promise<ServedAppHandle> {
  const rendererDir = await ensureRenderer(options.rendererDir ?? DEFAULT_RENDERER_DIR, options.log ?? (() => {}));
  let server: RunningServer | undefined;
  const service = new AppService(options.dataDir, (event, payload) => server?.broadcast(event, payload), {
    mode: 'browser',
    version: appVersion(),
    ...(options.analysisWorkers ? { analysisWorkers: options.analysisWorkers } : {}),
  });
  service.open(); // open (and migrate) now, so a damaged database fails before the URL is printed
  try {
    server = await startServer({
      app: {
        handle: (method, request) => service.handleForTransport(method, request),
        media: (id, req) => service.media(id, req),
        art: (id, req) => service.art(id, req),
      },
      rendererDir,
      ...(options.host !== undefined ? { host: options.host } : {}),
      ...(options.port !== undefined ? { port: options.port } : {}),
      ...(options.allowRemote !== undefined ? { allowRemote: options.allowRemote } : {}),
      ...(options.publicUrl !== undefined ? { publicUrl: options.publicUrl } : {}),
    });
  } catch (error) {
    await service.close();
    throw error;
  }
  service.watch();
  const running = server;
  return {
    server: running,
    service,
    close: async () => {
      await service.close();
      await running.close();
    },
  };
}
