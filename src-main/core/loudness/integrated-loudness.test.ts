// BS.1770-4 / EBU R128 integrated loudness against ffmpeg's `ebur128` filter on the same PCM (±0.5 LU).
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireFfmpeg } from '../../../test/fixtures/library/make-library.ts';
import { tempDir } from '../../../test/helpers/temp-dir.ts';
import { integratedLoudness, kWeightingFilters } from './integrated-loudness.ts';

interface Fixture {
  name: string;
  /** lavfi graph producing the signal */
  graph: string;
  rate: number;
  channels: number;
}

const FIXTURES: Fixture[] = [
  {
    name: 'stereo sine + noise, 44.1 kHz',
    graph:
      'sine=f=440:d=12,volume=0.5,aformat=fltp:channel_layouts=mono[a];anoisesrc=d=12:a=0.1:seed=1:r=44100,aformat=fltp:channel_layouts=mono[b];[a][b]amerge=inputs=2',
    rate: 44100,
    channels: 2,
  },
  { name: 'mono pink noise, 48 kHz', graph: 'anoisesrc=d=10:c=pink:a=0.3:seed=2', rate: 48000, channels: 1 },
  // Loud then very quiet: the relative gate must drop the quiet half (ungated it would read several LU lower).
  {
    name: 'loud then quiet (gates), 44.1 kHz stereo',
    graph: "anoisesrc=d=16:a=0.5:seed=3,volume=volume='if(lt(t,8),1,0.003)':eval=frame,pan=stereo|c0=c0|c1=0.5*c0",
    rate: 44100,
    channels: 2,
  },
  {
    name: '5.1 noise (surround weights, LFE left out), 48 kHz',
    graph: 'anoisesrc=d=8:a=0.2:seed=4,pan=5.1|c0=c0|c1=0.7*c0|c2=0.5*c0|c3=c0|c4=0.8*c0|c5=0.3*c0',
    rate: 48000,
    channels: 6,
  },
  { name: 'low tone (the high pass), 22.05 kHz mono', graph: 'sine=f=60:d=10', rate: 22050, channels: 1 },
];

function render(fixture: Fixture, file: string): { channels: Float32Array[]; ffmpegLufs: number } {
  const ffmpeg = requireFfmpeg();
  execFileSync(ffmpeg, [
    '-v',
    'error',
    '-y',
    '-filter_complex',
    fixture.graph,
    '-ar',
    String(fixture.rate),
    '-c:a',
    'pcm_f32le',
    file,
  ]);
  const raw = execFileSync(ffmpeg, ['-v', 'error', '-i', file, '-f', 'f32le', '-'], { maxBuffer: 1 << 28 });
  const interleaved = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
  const frames = interleaved.length / fixture.channels;
  const channels = Array.from({ length: fixture.channels }, (_, c) => {
    const x = new Float32Array(frames);
    for (let i = 0; i < frames; i++) x[i] = interleaved[i * fixture.channels + c] as number;
    return x;
  });
  // ebur128 prints its summary on stderr.
  const stderr = spawnSync(ffmpeg, ['-hide_banner', '-nostats', '-i', file, '-af', 'ebur128', '-f', 'null', '-'], {
    encoding: 'utf8',
  }).stderr;
  const match = /Integrated loudness:\s*I:\s*(-?[\d.]+) LUFS/.exec(stderr);
  if (!match) throw new Error(`no ebur128 summary in: ${stderr.slice(-500)}`);
  return { channels, ffmpegLufs: Number(match[1]) };
}

describe('integratedLoudness', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
  });

  for (const fixture of FIXTURES) {
    it(`matches ffmpeg ebur128 within 0.5 LU: ${fixture.name}`, () => {
      const { channels, ffmpegLufs } = render(fixture, path.join(dir, `${fixture.name.replace(/\W+/g, '-')}.wav`));
      const measured = integratedLoudness(channels, fixture.rate);
      expect(measured.integratedLufs).not.toBeNull();
      expect(
        Math.abs(measured.integratedLufs! - ffmpegLufs),
        `ours ${measured.integratedLufs} vs ffmpeg ${ffmpegLufs}`,
      ).toBeLessThanOrEqual(0.5);
      expect(measured.seconds).toBeGreaterThan(7);
    });
  }

  it('reproduces the standard 48 kHz K-weighting coefficients', () => {
    const [shelf, highPass] = kWeightingFilters(48000);
    // BS.1770-4 table 1 and 2
    [1.53512485958697, -2.69169618940638, 1.19839281085285, -1.69065929318241, 0.73248077421585].forEach((v, i) =>
      expect(shelf[i]).toBeCloseTo(v, 8),
    );
    [1, -2, 1, -1.99004745483398, 0.99007225036621].forEach((v, i) => expect(highPass[i]).toBeCloseTo(v, 8));
  });

  it('gates silence out (null) and reports the sample peak', () => {
    const silent = integratedLoudness([new Float32Array(48000 * 2)], 48000);
    expect(silent.integratedLufs).toBeNull();
    const x = new Float32Array(48000 * 2).map((_, i) => 0.25 * Math.sin((2 * Math.PI * 997 * i) / 48000));
    x[1000] = -0.9;
    const tone = integratedLoudness([x], 48000);
    expect(tone.samplePeak).toBeCloseTo(0.9, 6);
    // A 997 Hz sine at −12 dBFS (amplitude 0.25) reads about −15 LUFS in one channel (K-weighting adds ~0.7 dB near 1 kHz).
    expect(tone.integratedLufs).toBeGreaterThan(-16);
    expect(tone.integratedLufs).toBeLessThan(-14);
    expect(integratedLoudness([new Float32Array(100)], 48000).integratedLufs).toBeNull(); // under one block
  });
});
