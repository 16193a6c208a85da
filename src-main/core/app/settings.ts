import fs from 'node:fs';
import path from 'node:path';
import type { Settings } from '../../api/types.ts';

export const SETTINGS_FILE = 'settings.json';
export const DEFAULT_SETTINGS: Settings = { musicFolders: [], volume: 0.8 };

/** The UI's settings, kept as JSON in the data folder (written atomically: temp file + rename). */
export class SettingsStore {
  private readonly file: string;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, SETTINGS_FILE);
  }

  get(): Settings {
    let raw: unknown;
    try {
      raw = JSON.parse(fs.readFileSync(this.file, 'utf8'));
    } catch {
      return { ...DEFAULT_SETTINGS, musicFolders: [] };
    }
    const r = (raw && typeof raw === 'object' ? raw : {}) as Partial<Record<keyof Settings, unknown>>;
    return {
      musicFolders: Array.isArray(r.musicFolders) ? r.musicFolders.filter((f): f is string => typeof f === 'string') : [],
      volume: typeof r.volume === 'number' && r.volume >= 0 && r.volume <= 1 ? r.volume : DEFAULT_SETTINGS.volume,
    };
  }

  set(patch: Partial<Settings>): Settings {
    const next = { ...this.get(), ...patch };
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, `${JSON.stringify(next, null, 2)}\n`);
    fs.renameSync(tmp, this.file);
    return next;
  }
}
