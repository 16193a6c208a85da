import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openLibraryDatabase } from '../../src-main/core/db/open.ts';
import { scanLibrary } from '../../src-main/core/library/scanner.ts';
import { librarySummary } from '../../src-main/core/library/summary.ts';
import { parseCsv } from '../helpers/csv.ts';
import { requireMerDev } from '../helpers/shared-data.ts';
import { tempDir } from '../helpers/temp-dir.ts';

describe('scanning ../shared/datasets/mer-dev', () => {
  it('matches tracks.csv: count, titles, artists, genres and moods', async () => {
    const root = requireMerDev();
    const expected = parseCsv(fs.readFileSync(path.join(root, 'tracks.csv'), 'utf8'));
    expect(expected.length).toBeGreaterThan(500);
    const db = openLibraryDatabase(tempDir());
    try {
      const result = await scanLibrary(db, { addRoots: [root] });
      expect(result.failed).toEqual([]);
      expect(result.indexed).toBe(expected.length);
      const rows = db.prepare('SELECT path, title, artist, genres, moods FROM tracks').all() as {
        path: string;
        title: string;
        artist: string;
        genres: string;
        moods: string;
      }[];
      const byPath = new Map(rows.map((r) => [r.path, r]));
      for (const track of expected) {
        const row = byPath.get(path.join(root, track.path!));
        expect(row, track.path).toBeDefined();
        expect(row!.title, track.path).toBe(track.title);
        expect(row!.artist, track.path).toBe(track.artist || null); // one clip has no artist
        // The scanner keeps each tag once (the CSV repeats a mood here and there: "Warm;Warm").
        expect(JSON.parse(row!.genres), `${track.path} genres`).toEqual([...new Set(track.genres!.split(';'))]);
        expect(JSON.parse(row!.moods), `${track.path} moods`).toEqual([...new Set(track.moods!.split(';'))]);
      }
      const summary = librarySummary(db);
      expect(summary.tracks).toBe(expected.length);
      const byExtension: Record<string, number> = {};
      for (const t of expected) {
        const ext = path.extname(t.path!).slice(1);
        byExtension[ext] = (byExtension[ext] ?? 0) + 1;
      }
      expect(summary.byFormat).toEqual(byExtension);
      expect(summary.tagCoverage).toEqual({ genre: 1, mood: 1 });
    } finally {
      db.close();
    }
  });
});
