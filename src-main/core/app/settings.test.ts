// The settings file: the player's settings merge field by field, and a hand-edited file with a bad field
// keeps its other fields (the bad one falls back to its default).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/helpers/temp-dir.ts';
import { DEFAULT_PLAYER_SETTINGS, SETTINGS_FILE, SettingsStore } from './settings.ts';

describe('settings store', () => {
  it('merges a player patch into the stored player settings', () => {
    const store = new SettingsStore(tempDir());
    expect(store.get().player).toEqual(DEFAULT_PLAYER_SETTINGS);
    store.set({ player: { levelling: 'album', preampDb: -4 } });
    store.set({ player: { crossfadeSeconds: 5 } });
    expect(store.get().player).toEqual({ ...DEFAULT_PLAYER_SETTINGS, levelling: 'album', preampDb: -4, crossfadeSeconds: 5 });
    store.set({ queue: { trackIds: [3, 1], index: 1, position: 7, unshuffled: null } });
    expect(store.get().queue).toEqual({ trackIds: [3, 1], index: 1, position: 7, unshuffled: null });
  });

  it('keeps the good fields of a file with a bad one', () => {
    const dir = tempDir();
    fs.writeFileSync(
      path.join(dir, SETTINGS_FILE),
      JSON.stringify({ volume: 0.3, player: { levelling: 'loud', repeat: 'all' }, queue: { trackIds: 'x' } }),
    );
    const settings = new SettingsStore(dir).get();
    expect(settings.volume).toBe(0.3);
    // The whole player object is refused with its bad field: defaults, not half of it.
    expect(settings.player).toEqual(DEFAULT_PLAYER_SETTINGS);
    expect(settings.queue).toBeNull();
  });
});
