import os from 'node:os';
import path from 'node:path';

/**
 * Where Cadenza keeps its database and models: `--data-dir`, else CADENZA_DATA_DIR, else the
 * platform's per-user data folder. The desktop app, the CLI and browser mode all use this folder
 * (Electron's `userData` only keeps Chromium's profile; see db/adopt-library.ts for older libraries).
 */
export function resolveDataDir(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit) return path.resolve(explicit);
  if (env.CADENZA_DATA_DIR) return path.resolve(env.CADENZA_DATA_DIR);
  const home = os.homedir();
  switch (process.platform) {
    case 'darwin':
      return path.join(home, 'Library', 'Application Support', 'Cadenza');
    case 'win32':
      return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Cadenza');
    default:
      return path.join(env.XDG_DATA_HOME ?? path.join(home, '.local', 'share'), 'cadenza');
  }
}
