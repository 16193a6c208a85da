// The Electron shell: window, protocols, IPC, menu and media keys. All logic lives in the Node core
// (core/app/app-service.ts), which browser mode (`cadenza serve`) shares.
import { app, BrowserWindow, dialog, ipcMain, session } from 'electron';
import path from 'node:path';
import type { ApiEmitter } from '../api/contract.ts';
import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL } from '../api/contract.ts';
import { AppService } from '../core/app/app-service.ts';
import { adoptLegacyLibrary, legacyDataDirs } from '../core/db/adopt-library.ts';
import { resolveDataDir } from '../core/paths.ts';
import { windowIconPath } from './app-icon.ts';
import { dispatchIpcCall } from './ipc.ts';
import { buildMenu, registerMediaKeys } from './menu.ts';
import { APP_HOST, APP_SCHEME, handleProtocols, registerSchemes } from './protocols.ts';
import { devOverrides, windowOpenResponse } from './shell-policy.ts';

const devServerUrl = devOverrides(process.env, app.isPackaged).rendererUrl;
const rendererDir = path.join(import.meta.dirname, '../renderer');

registerSchemes();

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
  void app.whenReady().then(start).catch(failStart);
}

/**
 * The library could not be opened (damaged: moved aside, or from a newer Cadenza): say so, where the
 * damaged file went, and quit, rather than show an empty window (the CLI and serve exit 3 the same way).
 */
function failStart(error: unknown): void {
  const detail = error instanceof Error ? error.message : String(error);
  dialog.showErrorBox('Cadenza cannot open your library', detail);
  app.exit(3);
}

function start(): void {
  // The same folder as the CLI and browser mode; a library an older version kept in userData moves here.
  const dataDir = resolveDataDir();
  if (!process.env.CADENZA_DATA_DIR) adoptLegacyLibrary(dataDir, [app.getPath('userData'), ...legacyDataDirs()]);
  let win: BrowserWindow | null = null;
  const emit: ApiEmitter = (event, payload) => {
    if (win && !win.isDestroyed()) win.webContents.send(IPC_EVENT_CHANNEL, event, payload);
  };
  const service = new AppService(dataDir, emit, {
    mode: 'electron',
    version: app.getVersion(),
    chooseFolder: async () => {
      const options: Electron.OpenDialogOptions = { title: 'Choose your music folder', properties: ['openDirectory'] };
      const picked = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
      return picked.canceled ? null : (picked.filePaths[0] ?? null);
    },
  });
  // Opened (checked, migrated) before any window: a failure ends the start here, in failStart.
  service.open();
  handleProtocols(service, rendererDir);

  // No web permission (camera, notifications, …) is ever granted, and no webview is ever attached.
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.on('will-navigate', (event) => event.preventDefault());
    contents.setWindowOpenHandler(windowOpenResponse);
  });

  ipcMain.handle(IPC_CALL_CHANNEL, (event, method: unknown, request: unknown) =>
    dispatchIpcCall(event, method, request, (m, r) => service.handleForTransport(m, r), devServerUrl),
  );
  buildMenu(emit, { dev: devServerUrl !== undefined || !app.isPackaged });
  const unregisterKeys = registerMediaKeys(emit);

  win = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 560,
    title: 'Cadenza',
    icon: windowIconPath({ isPackaged: app.isPackaged, appPath: app.getAppPath(), resourcesPath: process.resourcesPath }),
    backgroundColor: '#15171c',
    webPreferences: {
      preload: path.join(import.meta.dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      // Middle-click opens no window either (every window.open is refused as well: shell-policy.ts).
      disableBlinkFeatures: 'Auxclick',
    },
  });
  service.watch();
  app.on('will-quit', () => {
    unregisterKeys();
    void service.close();
  });
  void win.loadURL(devServerUrl ?? `${APP_SCHEME}://${APP_HOST}/index.html`);
}

app.on('window-all-closed', () => app.quit());
