import fs from 'node:fs';
import path from 'node:path';
import { isAudioCandidate } from './formats.ts';

/** One audio candidate found on disk. */
export interface FoundFile {
  /** The path to open: a Buffer where the on-disk bytes are not the UTF-8 of `path`. */
  fsPath: string | Buffer;
  /** NFC-normalised display path (lossy where the name is not valid UTF-8). */
  path: string;
  /** On-disk path bytes, only where they differ from the UTF-8 of `path` (invalid UTF-8, NFD names). */
  pathBytes: Buffer | null;
  size: number;
  mtimeMs: number;
  dev: number;
  ino: number;
}

export interface WalkStats {
  directories: number;
  skippedLoops: number;
  unreadable: { path: string; reason: string }[];
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const lossyUtf8 = new TextDecoder('utf-8');

export function describePath(bytes: Buffer): { path: string; pathBytes: Buffer | null } {
  let decoded: string;
  try {
    decoded = strictUtf8.decode(bytes);
  } catch {
    return { path: lossyUtf8.decode(bytes).normalize('NFC'), pathBytes: Buffer.from(bytes) };
  }
  const nfc = decoded.normalize('NFC');
  return { path: nfc, pathBytes: nfc === decoded ? null : Buffer.from(bytes) };
}

/**
 * Walks one root depth-first, following directory symlinks once (loops are detected by
 * device + inode), and yields the audio candidates with their stat. Vanished entries are skipped.
 */
export async function* walkAudioFiles(root: string, stats: WalkStats, signal?: AbortSignal): AsyncGenerator<FoundFile> {
  const visited = new Set<string>();
  const seenFiles = new Set<string>();
  const stack: Buffer[] = [Buffer.from(root)];
  while (stack.length > 0) {
    signal?.throwIfAborted();
    const dir = stack.pop()!;
    let dirStat: fs.Stats;
    try {
      dirStat = await fs.promises.stat(dir);
    } catch (error) {
      if (dir.toString() !== root) stats.unreadable.push({ path: describePath(dir).path, reason: errorReason(error) });
      continue;
    }
    const key = `${dirStat.dev}:${dirStat.ino}`;
    if (visited.has(key)) {
      stats.skippedLoops++;
      continue;
    }
    visited.add(key);
    stats.directories++;
    let entries: fs.Dirent<Buffer>[];
    try {
      entries = await fs.promises.readdir(dir, { withFileTypes: true, encoding: 'buffer' });
    } catch (error) {
      stats.unreadable.push({ path: describePath(dir).path, reason: errorReason(error) });
      continue;
    }
    const subdirs: Buffer[] = [];
    const candidates: { full: Buffer; audioName: boolean }[] = [];
    const sep = Buffer.from(path.sep);
    for (const entry of entries) {
      const full = Buffer.concat([dir, sep, entry.name]);
      const audioName = isAudioCandidate(lossyUtf8.decode(entry.name));
      if (entry.isDirectory()) subdirs.push(full);
      else if (entry.isSymbolicLink() || (entry.isFile() && audioName)) candidates.push({ full, audioName });
    }
    // One stat per candidate, issued together: a folder's stats overlap instead of queueing one by one.
    const fileStats = await Promise.all(candidates.map((c) => statOrNull(c.full)));
    for (let i = 0; i < candidates.length; i++) {
      const { full, audioName } = candidates[i]!;
      const st = fileStats[i];
      if (!st) continue; // vanished between listing and stat, or a dangling link
      if (st.isDirectory()) {
        subdirs.push(full); // a symlink to a folder; loops are caught by the visited set
        continue;
      }
      if (!st.isFile() || !audioName) continue;
      const fileKey = `${st.dev}:${st.ino}`;
      if (seenFiles.has(fileKey)) continue; // the same file reached twice through a link
      seenFiles.add(fileKey);
      const described = describePath(full);
      yield {
        fsPath: described.pathBytes ? full : described.path,
        ...described,
        size: st.size,
        mtimeMs: Math.trunc(st.mtimeMs),
        dev: st.dev,
        ino: st.ino,
      };
    }
    // Reverse so the walk visits directories in listing order.
    for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i]!);
  }
}

async function statOrNull(p: Buffer): Promise<fs.Stats | null> {
  try {
    return await fs.promises.stat(p);
  } catch {
    return null;
  }
}

export function errorReason(error: unknown): string {
  if (error && typeof error === 'object' && 'code' in error) {
    const code = String((error as { code: unknown }).code);
    const known: Record<string, string> = {
      EACCES: 'permission denied',
      EPERM: 'permission denied',
      ENOENT: 'file vanished while scanning',
      ELOOP: 'too many levels of symbolic links',
      EIO: 'input/output error reading the file',
    };
    if (known[code]) return known[code];
  }
  return error instanceof Error ? error.message : String(error);
}
