import type { TrackRow } from '../../api/types.ts';

/** An extended M3U playlist in UTF-8 (M3U8): #EXTINF with length and "artist - title", then the absolute path. */
export function toM3u8(tracks: readonly Pick<TrackRow, 'duration' | 'artist' | 'title' | 'path'>[]): string {
  const clean = (s: string) => s.replace(/[\r\n]+/g, ' ');
  const lines = ['#EXTM3U'];
  for (const t of tracks) {
    const name = [t.artist, t.title].filter(Boolean).join(' - ') || t.path.split(/[\\/]/).pop() || t.path;
    lines.push(`#EXTINF:${t.duration === null ? -1 : Math.round(t.duration)},${clean(name)}`, clean(t.path));
  }
  return `${lines.join('\n')}\n`;
}
