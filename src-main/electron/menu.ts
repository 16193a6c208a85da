// The application menu and the global media keys; both forward playback commands to the UI as events.
import { app, globalShortcut, Menu, type MenuItemConstructorOptions } from 'electron';
import type { ApiEmitter } from '../api/contract.ts';
import type { MediaKey } from '../api/types.ts';

export function buildMenu(emit: ApiEmitter, options: { dev: boolean }): void {
  const key = (k: MediaKey) => () => emit('media.key', { key: k });
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    { role: 'fileMenu' },
    { role: 'editMenu' },
    {
      label: 'Playback',
      submenu: [
        { label: 'Play / Pause', accelerator: 'Space', registerAccelerator: false, click: key('playpause') },
        { label: 'Next Track', accelerator: 'CmdOrCtrl+Right', click: key('next') },
        { label: 'Previous Track', accelerator: 'CmdOrCtrl+Left', click: key('previous') },
      ],
    },
    {
      label: 'View',
      submenu: [
        ...(options.dev
          ? [{ role: 'reload' as const }, { role: 'toggleDevTools' as const }, { type: 'separator' as const }]
          : []),
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
    { role: 'help', submenu: [{ label: `Cadenza ${app.getVersion()}`, enabled: false }] },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

/** MediaPlayPause / MediaNextTrack / MediaPreviousTrack, forwarded as `media.key` events. */
export function registerMediaKeys(emit: ApiEmitter): () => void {
  const keys: [string, MediaKey][] = [
    ['MediaPlayPause', 'playpause'],
    ['MediaNextTrack', 'next'],
    ['MediaPreviousTrack', 'previous'],
  ];
  // Registration fails quietly where another app owns the keys (or, on macOS, without accessibility rights).
  for (const [accelerator, key] of keys) globalShortcut.register(accelerator, () => emit('media.key', { key }));
  return () => {
    for (const [accelerator] of keys) globalShortcut.unregister(accelerator);
  };
}
