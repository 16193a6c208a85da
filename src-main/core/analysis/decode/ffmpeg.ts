import { spawn } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import type { ClipPcm, ClipRequest } from './types.ts';
import { clampWindow } from './pcm.ts';
import { fourcc, u16le, u32le } from './shared.ts';

let ffmpegPath: Promise<string | undefined> | undefined;

/** Absolute path of an `ffmpeg` executable on the PATH (looked up once per process). */
export function findFfmpeg(): Promise<string | undefined> {
  ffmpegPath ??= (async () => {
    const names = process.platform === 'win32' ? ['ffmpeg.exe'] : ['ffmpeg'];
    for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
      if (!dir) continue;
      for (const n of names) {
        const p = join(dir, n);
        try {
          await access(p, constants.X_OK);
          return p;
        } catch {
          /* next */
        }
      }
    }
    return undefined;
  })();
  return ffmpegPath;
}

/** For tests: forget the cached lookup. */
export function resetFfmpegLookup(): void {
  ffmpegPath = undefined;
}

const TIMEOUT_MS = 60_000;

interface RunResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

function run(bin: string, args: string[], signal: AbortSignal | undefined): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    const out: Buffer[] = [];
    let err = '';
    const kill = (): void => {
      child.kill('SIGKILL');
    };
    const timer = setTimeout(kill, TIMEOUT_MS);
    const onAbort = (): void => kill();
    signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => {
      if (err.length < 64 * 1024) err += d.toString('utf8');
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (signal?.aborted) reject(signal.reason ?? new DOMException('aborted', 'AbortError'));
      else resolve({ code, stdout: Buffer.concat(out), stderr: err });
    });
  });
}

function parseDuration(stderr: string): number | undefined {
  const m = /Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)/.exec(stderr);
  if (!m) return undefined;
  return Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
}

/** Splits an f32 WAV stream (as ffmpeg writes it to a pipe: sizes unknown) into channels. */
function parseWavF32(b: Uint8Array): { channels: Float32Array[]; sampleRate: number } | undefined {
  if (b.length < 12 || fourcc(b, 0) !== 'RIFF' || fourcc(b, 8) !== 'WAVE') return undefined;
  let p = 12, ch = 0, sr = 0;
  while (p + 8 <= b.length) {
    const id = fourcc(b, p), size = u32le(b, p + 4);
    if (id === 'fmt ') {
      ch = u16le(b, p + 10);
      sr = u32le(b, p + 12);
    } else if (id === 'data') {
      if (!ch || !sr) return undefined;
      const data = b.subarray(p + 8);
      const frames = Math.floor(data.length / 4 / ch);
      const aligned = new Float32Array(frames * ch);
      new Uint8Array(aligned.buffer).set(data.subarray(0, frames * ch * 4));
      const channels = Array.from({ length: ch }, () => new Float32Array(frames));
      for (let i = 0, k = 0; i < frames; i++) for (let c = 0; c < ch; c++) (channels[c] as Float32Array)[i] = aligned[k++] ?? 0;
      return { channels, sampleRate: sr };
    }
    p += 8 + size + (size & 1);
  }
  return undefined;
}

/** The ffmpeg CLI decoding [start, start+dur): native rate and channel count, float32. */
export async function decodeWithFfmpeg(
  path: string,
  req: ClipRequest,
  knownTrackSec?: number,
): Promise<{ ok: true; pcm: ClipPcm } | { ok: false; reason: string }> {
  const bin = await findFfmpeg();
  if (!bin) return { ok: false, reason: 'ffmpeg not found' };
  const attempt = async (start: number, dur: number): Promise<RunResult> =>
    run(bin, ['-hide_banner', '-nostdin', '-nostats', '-v', 'info', '-ss', start.toFixed(3), '-t', dur.toFixed(3), '-i', path, '-vn', '-map', '0:a:0', '-c:a', 'pcm_f32le', '-f', 'wav', '-'], req.signal);
  let start = Math.max(0, req.startSec), dur = Math.max(0, req.durationSec);
  if (knownTrackSec !== undefined) [start, dur] = clampWindow(start, dur, knownTrackSec);
  let res: RunResult;
  try {
    res = await attempt(start, dur);
  } catch (e) {
    if (req.signal?.aborted) throw e;
    return { ok: false, reason: e instanceof Error ? e.message : String(e) };
  }
  const trackSec = knownTrackSec ?? parseDuration(res.stderr);
  let wav = res.code === 0 ? parseWavF32(res.stdout) : undefined;
  if (wav && (wav.channels[0]?.length ?? 0) < dur * wav.sampleRate * 0.9 && trackSec !== undefined && start + dur > trackSec) {
    // The window ran past the end: move it back, as the built-in decoders do.
    [start, dur] = clampWindow(start, dur, trackSec);
    res = await attempt(start, dur);
    wav = res.code === 0 ? parseWavF32(res.stdout) : undefined;
  }
  if (!wav) {
    const lines = res.stderr.split('\n').map((l) => l.trim()).filter((l) => l && !/^(Input|Output|Stream|Duration|Metadata|Press| {2})/.test(l) && !l.includes(':  '));
    return { ok: false, reason: lines.slice(-2).join('; ') || `ffmpeg exited with ${res.code}` };
  }
  return {
    ok: true,
    pcm: { channels: wav.channels, sampleRate: wav.sampleRate, startSec: start, trackDurationSec: trackSec ?? start + (wav.channels[0]?.length ?? 0) / wav.sampleRate, decoder: 'ffmpeg' },
  };
}
