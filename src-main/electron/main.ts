// The Electron shell: windows, the app:// protocol and IPC wiring. All logic lives in the Node core.
import { app, BrowserWindow, ipcMain, net, protocol, session, shell } from 'electron';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL } from '../api/contract.ts';
import { LibraryService } from '../core/library/library-service.ts';
import { resolveDataDir } from '../core/paths.ts';
import { dispatchIpcCall } from './ipc.ts';

const devServerUrl = process.env.ELECTRON_RENDERER_URL;
const rendererDir = path.join(import.meta.dirname, '../renderer');

protocol.registerSchemesAsPrivileged([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    const win = BrowserWindow.getAllWindows()[0];
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });
  void app.whenReady().then(start);
}

function start(): void {
  const dataDir = resolveDataDir(process.env.CADENZA_DATA_DIR ?? app.getPath('userData'));
  // Serve the renderer from app://cadenza/, refusing anything outside its folder.
  protocol.handle('app', (request) => {
    const url = new URL(request.url);
    const file = path.normalize(path.join(rendererDir, decodeURIComponent(url.pathname)));
    if (url.host !== 'cadenza' || !file.startsWith(rendererDir + path.sep)) return new Response('not found', { status: 404 });
    return net.fetch(pathToFileURL(file).toString());
  });
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));

  const win = new BrowserWindow({
    width: 1200,
    height: 800,
    title: 'Cadenza',
    webPreferences: {
      preload: path.join(import.meta.dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
    },
  });
  const service = new LibraryService(dataDir, (event, payload) => win.webContents.send(IPC_EVENT_CHANNEL, event, payload));
  service.watch();
  app.on('before-quit', () => void service.close());
  ipcMain.handle(IPC_CALL_CHANNEL, (event, method: unknown, request: unknown) =>
    dispatchIpcCall(event, method, request, (m, r) => service.handle(m, r), devServerUrl),
  );
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (event) => event.preventDefault());
  void win.loadURL(devServerUrl ?? 'app://cadenza/index.html');
}

app.on('window-all-closed', () => app.quit());
