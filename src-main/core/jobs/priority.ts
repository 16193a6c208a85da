import os from 'node:os';

/**
 * Lowers the calling worker thread's own scheduling priority (nice 10): on Linux setPriority without a
 * pid applies to the calling thread only, so the host's main thread (the API) and the UI come first
 * while the job still gets every idle cycle. Elsewhere it may lower the whole process, or be refused
 * (then the job runs at normal priority). Returns whether it took.
 */
export function lowerThreadPriority(nice = 10): boolean {
  try {
    os.setPriority(nice);
    return true;
  } catch {
    return false;
  }
}
