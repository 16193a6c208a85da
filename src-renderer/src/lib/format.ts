/** 3:07, 1:02:03; an em dash when unknown. */
export function formatTime(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.floor(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

export function formatRate(rate: number, unit: string): string {
  return `${rate >= 10 ? rate.toFixed(0) : rate.toFixed(1)} ${unit}/s`;
}

export function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return 'ETA unknown';
  if (seconds < 1) return 'almost done';
  return `about ${formatTime(seconds)} left`;
}

/** A track's name for labels: its title, else its file name. */
export function trackName(track: { title: string | null; path: string }): string {
  return track.title ?? track.path.split(/[\\/]/).pop() ?? track.path;
}

/** "1 album", "3 albums" (English plurals with an s). */
export function countOf(n: number, noun: string): string {
  return `${n.toLocaleString('en')} ${noun}${n === 1 ? '' : 's'}`;
}
