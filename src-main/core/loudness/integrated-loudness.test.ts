// BS.1770-4 / EBU R128 integrated loudness against ffmpeg's `ebur128` filter on the same PCM (±0.5 LU).
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireFfmpeg } from '../../../test/fixtures/library/make-library.ts';
import { tempDir } from '../../../test/helpers/temp-dir.ts';
import { channelWeights, integratedLoudness, kWeightingFilters } from './integrated-loudness.ts';

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
  // The measurement runs two channels per loop with the peak inside the filter pass (for speed): it must give
  // exactly what the plain definition gives, one channel at a time, for odd channel counts and a peak in the tail.
  it('pairs channels without changing a bit: mono, stereo, 3 and 6 channels, peak past the last 100 ms step', () => {
    const plain = (channels: Float32Array[], rate: number) => {
      const [shelf, hp] = kWeightingFilters(rate);
      const steps = Math.floor((channels[0]!.length * 10) / rate);
      const bounds = Array.from({ length: steps + 1 }, (_, i) => Math.round((i * rate) / 10));
      const energies = channels.map((x) => {
        const out = new Float64Array(steps);
        let s1 = 0,
          s2 = 0,
          t1 = 0,
          t2 = 0;
        for (let k = 0; k < steps; k++) {
          for (let i = bounds[k]!; i < bounds[k + 1]!; i++) {
            const v = x[i]!;
            const y1 = shelf[0] * v + s1;
            s1 = shelf[1] * v - shelf[3] * y1 + s2;
            s2 = shelf[2] * v - shelf[4] * y1;
            const y2 = hp[0] * y1 + t1;
            t1 = hp[1] * y1 - hp[3] * y2 + t2;
            t2 = hp[2] * y1 - hp[4] * y2;
            out[k]! += y2 * y2;
          }
        }
        return out;
      });
      const weights = channelWeights(channels.length);
      const powers: number[] = [];
      for (let b = 0; b + 3 < steps; b++) {
        const n = bounds[b + 4]! - bounds[b]!;
        powers.push(energies.reduce((p, e, c) => p + (weights[c]! * (e[b]! + e[b + 1]! + e[b + 2]! + e[b + 3]!)) / n, 0));
      }
      const lufs = (p: number) => -0.691 + 10 * Math.log10(p);
      const mean = (keep: (p: number) => boolean) => {
        const kept = powers.filter((p) => p > 0 && keep(p));
        return kept.length ? kept.reduce((a, b) => a + b, 0) / kept.length : null;
      };
      const absolute = mean((p) => lufs(p) > -70);
      const gated = absolute === null ? null : mean((p) => lufs(p) > -70 && lufs(p) > lufs(absolute) - 10);
      const peak = Math.max(...channels.map((x) => x.reduce((m, v) => Math.max(m, Math.abs(v)), 0)));
      return { integratedLufs: gated === null ? null : lufs(gated), samplePeak: peak };
    };
    let seed = 7;
    const noise = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5) * 0.6;
    for (const count of [1, 2, 3, 6]) {
      const rate = 44100;
      const channels = Array.from({ length: count }, (_, c) =>
        new Float32Array(Math.round(rate * 2.37)).map(
          (_, i) => 0.5 * noise() * (1 + c / 3) + 0.2 * Math.sin(i * 0.013 * (c + 1)),
        ),
      );
      channels[count - 1]![channels[0]!.length - 5] = -0.97; // in the last, partial 100 ms step
      const measured = integratedLoudness(channels, rate);
      const reference = plain(channels, rate);
      expect(measured.integratedLufs).toBe(reference.integratedLufs);
      expect(measured.samplePeak).toBe(reference.samplePeak);
      expect(measured.samplePeak).toBeCloseTo(0.97, 6);
    }
  });
});
