import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/helpers/temp-dir.ts';
import { insertTracks, openTestDb } from '../app/test-db.ts';
import { adoptLegacyLibrary, legacyDataDirs } from './adopt-library.ts';
import { openLibraryDatabase } from './open.ts';

/** A library as the desktop app left it: a database with tracks, a model file and settings. */
function makeLibrary(dir: string, titles: string[]): void {
  const db = openTestDb(dir);
  insertTracks(
    db,
    titles.map((title, i) => ({ path: `/music/${i}.flac`, title })),
  );
  db.close();
  fs.mkdirSync(path.join(dir, 'models'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'models', 'model-1.cdzt'), 'weights');
  fs.writeFileSync(path.join(dir, 'settings.json'), '{"musicFolders":["/music"],"volume":0.5}\n');
}

function titles(dir: string): string[] {
  const db = openLibraryDatabase(dir);
  const rows = db.prepare('SELECT title FROM tracks ORDER BY id').pluck().all() as string[];
  db.close();
  return rows;
}

describe('adoptLegacyLibrary', () => {
  it("moves the desktop app's library into the shared data folder, models and settings included", () => {
    const root = tempDir();
    const legacy = path.join(root, 'config', 'Cadenza');
    const dataDir = path.join(root, 'share', 'cadenza');
    makeLibrary(legacy, ['Aria', 'Bolero']);

    const adopted = adoptLegacyLibrary(dataDir, [legacy]);
    expect(adopted?.from).toBe(legacy);
    expect(adopted?.moved).toEqual(expect.arrayContaining(['library.db', 'models', 'settings.json']));
    expect(titles(dataDir)).toEqual(['Aria', 'Bolero']);
    expect(fs.readFileSync(path.join(dataDir, 'models', 'model-1.cdzt'), 'utf8')).toBe('weights');
    expect(fs.existsSync(path.join(legacy, 'library.db'))).toBe(false);
    // A second start finds the library where it now is and moves nothing.
    expect(adoptLegacyLibrary(dataDir, [legacy])).toBeNull();
  });

  it('keeps what a crashed app left only in the WAL (the old database is checkpointed before it moves)', () => {
    const root = tempDir();
    const live = path.join(root, 'live');
    makeLibrary(live, ['Only in the file']);
    const holder = openLibraryDatabase(live);
    holder.pragma('wal_autocheckpoint = 0');
    holder.prepare("UPDATE tracks SET title = 'Committed to the WAL'").run();
    // Copy the files while the connection is open: what a killed app leaves behind.
    const legacy = path.join(root, 'legacy');
    fs.mkdirSync(legacy);
    for (const name of ['library.db', 'library.db-wal']) fs.copyFileSync(path.join(live, name), path.join(legacy, name));
    holder.close();
    expect(fs.statSync(path.join(legacy, 'library.db-wal')).size).toBeGreaterThan(0);

    const dataDir = path.join(root, 'data');
    adoptLegacyLibrary(dataDir, [legacy]);
    expect(titles(dataDir)).toEqual(['Committed to the WAL']);
  });

  it('never replaces a library that the data folder already has', () => {
    const root = tempDir();
    const legacy = path.join(root, 'legacy');
    const dataDir = path.join(root, 'data');
    makeLibrary(legacy, ['Old']);
    makeLibrary(dataDir, ['Current']);
    expect(adoptLegacyLibrary(dataDir, [legacy])).toBeNull();
    expect(titles(dataDir)).toEqual(['Current']);
    expect(titles(legacy)).toEqual(['Old']);
  });

  it('resumes a move that was interrupted after some entries had moved', () => {
    const root = tempDir();
    const legacy = path.join(root, 'legacy');
    const dataDir = path.join(root, 'data');
    makeLibrary(legacy, ['Resumed']);
    // As if the process died right after moving settings.json: the marker names the source.
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(path.join(dataDir, '.cadenza-moving'), legacy);
    fs.renameSync(path.join(legacy, 'settings.json'), path.join(dataDir, 'settings.json'));

    const adopted = adoptLegacyLibrary(dataDir, []);
    expect(adopted?.moved).toEqual(expect.arrayContaining(['library.db', 'models']));
    expect(adopted?.moved).not.toContain('settings.json');
    expect(titles(dataDir)).toEqual(['Resumed']);
    expect(fs.existsSync(path.join(dataDir, '.cadenza-moving'))).toBe(false);
  });

  it('does nothing when no candidate holds a library, or the candidate is the data folder itself', () => {
    const root = tempDir();
    const dataDir = path.join(root, 'data');
    expect(adoptLegacyLibrary(dataDir, [path.join(root, 'nowhere')])).toBeNull();
    makeLibrary(dataDir, ['Here']);
    expect(adoptLegacyLibrary(dataDir, [dataDir])).toBeNull();
  });

  it("names Electron's Linux userData as the old place, and nothing where both were the same folder", () => {
    expect(legacyDataDirs({ XDG_CONFIG_HOME: '/home/u/.config' }, 'linux')).toEqual(['/home/u/.config/Cadenza']);
    expect(legacyDataDirs({}, 'darwin')).toEqual([]);
    expect(legacyDataDirs({}, 'win32')).toEqual([]);
  });
});
