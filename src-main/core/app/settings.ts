import fs from 'node:fs';
import path from 'node:path';
import { settingsPatch } from '../../api/validate.ts';
import { DEFAULT_PLAYER_SETTINGS, type Settings, type SettingsPatch } from '../../api/types.ts';

export { DEFAULT_PLAYER_SETTINGS };

export const SETTINGS_FILE = 'settings.json';
export const DEFAULT_SETTINGS: Settings = { musicFolders: [], volume: 0.8, player: DEFAULT_PLAYER_SETTINGS, queue: null };

/** One field of the file as the API would accept it, else nothing (a hand-edited file loses nothing else). */
function accepted(raw: Record<string, unknown>, key: 'player' | 'queue'): SettingsPatch {
  if (raw[key] === undefined) return {};
  try {
    return settingsPatch({ [key]: raw[key] });
  } catch {
    return {};
  }
}

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
      return { ...DEFAULT_SETTINGS, musicFolders: [], player: { ...DEFAULT_PLAYER_SETTINGS } };
    }
    const r = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
    return {
      musicFolders: Array.isArray(r.musicFolders) ? r.musicFolders.filter((f): f is string => typeof f === 'string') : [],
      volume: typeof r.volume === 'number' && r.volume >= 0 && r.volume <= 1 ? r.volume : DEFAULT_SETTINGS.volume,
      player: { ...DEFAULT_PLAYER_SETTINGS, ...accepted(r, 'player').player },
      queue: accepted(r, 'queue').queue ?? null,
    };
  }

  set(patch: SettingsPatch): Settings {
    const current = this.get();
    // The player's settings merge field by field (a patch may carry one of them).
    const next = { ...current, ...patch, player: { ...current.player, ...patch.player } };
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, `${JSON.stringify(next, null, 2)}\n`);
    fs.renameSync(tmp, this.file);
    return next;
  }
}
