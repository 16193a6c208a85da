import path from 'node:path';

/** The window icon's size: the largest PNG that resources/icons holds for Linux and Windows windows. */
export const WINDOW_ICON = path.join('icons', '512x512.png');

/**
 * Where the window icon is: in a packaged app electron-builder copies it next to app.asar
 * (`extraResources` in electron-builder.yml, as `icon.png`); from a checkout it is in resources/.
 */
export function windowIconPath(app: { isPackaged: boolean; appPath: string; resourcesPath: string }): string {
  return app.isPackaged ? path.join(app.resourcesPath, 'icon.png') : path.join(app.appPath, 'resources', WINDOW_ICON);
}
