// ReplayGain and R128 tags read at scan from real files (tagged by ffmpeg), stored with the track; a track
// indexed before the tags were read is read once more although unchanged.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireFfmpeg } from '../../../test/fixtures/library/make-library.ts';
import { databaseOpener } from '../../../test/helpers/open-db.ts';
import { tempDir } from '../../../test/helpers/temp-dir.ts';
import { readTrackMetadata } from '../library/read-metadata.ts';
import { scanLibrary } from '../library/scanner.ts';

const db = databaseOpener();

function make(file: string, codec: string[], tags: Record<string, string>): void {
  execFileSync(requireFfmpeg(), [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'sine=f=440:d=1',
    ...Object.entries(tags).flatMap(([k, v]) => ['-metadata', `${k}=${v}`]),
    ...codec,
    file,
  ]);
}

describe('gain tags', () => {
  let music: string;
  const files = { flac: '', mp3: '', opus: '', none: '' };

  beforeAll(() => {
    music = path.join(tempDir(), 'music');
    fs.mkdirSync(music);
    files.flac = path.join(music, 'rg.flac');
    files.mp3 = path.join(music, 'rg.mp3');
    files.opus = path.join(music, 'r128.opus');
    files.none = path.join(music, 'none.ogg');
    const rg = {
      REPLAYGAIN_TRACK_GAIN: '-6.48 dB',
      REPLAYGAIN_TRACK_PEAK: '0.988831',
      REPLAYGAIN_ALBUM_GAIN: '-7.10 dB',
      REPLAYGAIN_ALBUM_PEAK: '1.000000',
    };
    make(files.flac, ['-c:a', 'flac'], rg);
    make(files.mp3, ['-c:a', 'libmp3lame', '-id3v2_version', '3'], rg);
    // R128 gains are Q7.8 dB relative to −23 LUFS: −2560 = −10 dB there, −5 dB at ReplayGain's −18 LUFS.
    make(files.opus, ['-c:a', 'libopus'], { R128_TRACK_GAIN: '-2560', R128_ALBUM_GAIN: '512' });
    make(files.none, ['-c:a', 'libvorbis'], {});
  });

  it('reads ReplayGain from Vorbis comments and ID3 TXXX, R128 from Opus (converted to the −18 LUFS reference)', async () => {
    for (const file of [files.flac, files.mp3]) {
      const { gainTags } = await readTrackMetadata(file);
      expect(gainTags.trackGain, file).toBeCloseTo(-6.48, 2);
      expect(gainTags.trackPeak, file).toBeCloseTo(0.988831, 5);
      expect(gainTags.albumGain, file).toBeCloseTo(-7.1, 2);
      expect(gainTags.albumPeak, file).toBeCloseTo(1, 5);
    }
    expect((await readTrackMetadata(files.opus)).gainTags).toEqual({
      trackGain: -5,
      trackPeak: null,
      albumGain: 7,
      albumPeak: null,
    });
    expect((await readTrackMetadata(files.none)).gainTags).toEqual({
      trackGain: null,
      trackPeak: null,
      albumGain: null,
      albumPeak: null,
    });
  });

  it('stores them at scan, and reads them once more for tracks indexed before they were read', async () => {
    const d = db(path.join(tempDir(), 'data'));
    await scanLibrary(d, { addRoots: [music] });
    const stored = () =>
      d
        .prepare('SELECT rg_track_gain AS gain, rg_album_gain AS album, gain_tags_read AS done FROM tracks WHERE path = ?')
        .get(files.flac) as { gain: number | null; album: number | null; done: number };
    expect(stored()).toEqual({ gain: expect.closeTo(-6.48, 2), album: expect.closeTo(-7.1, 2), done: 1 });
    // As a library upgraded by migration 0007 looks: the file unchanged, its tags never read.
    d.prepare('UPDATE tracks SET rg_track_gain = NULL, rg_album_gain = NULL, gain_tags_read = 0').run();
    const again = await scanLibrary(d);
    expect(again.unchanged).toBe(0);
    expect(stored()).toEqual({ gain: expect.closeTo(-6.48, 2), album: expect.closeTo(-7.1, 2), done: 1 });
    expect((await scanLibrary(d)).unchanged).toBe(4);
  });
});
