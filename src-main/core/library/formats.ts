/** Extensions of files the scanner considers; the content then decides what the file really is. */
export const AUDIO_EXTENSIONS: ReadonlySet<string> = new Set([
  'mp3', 'mp2', 'flac', 'ogg', 'oga', 'opus', 'm4a', 'm4b', 'mp4', 'aac', 'wav', 'wave', 'aif', 'aiff', 'aifc', 'wma', 'asf',
]);

export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? '' : name.slice(dot + 1).toLowerCase();
}

/** macOS writes "._name" AppleDouble companions next to real files on foreign filesystems. */
export function isAppleDouble(name: string): boolean {
  return name.startsWith('._');
}

export function isAudioCandidate(name: string): boolean {
  return !isAppleDouble(name) && !name.startsWith('.') && AUDIO_EXTENSIONS.has(extensionOf(name));
}

/** A short, stable format name for display and filters: mp3, flac, ogg, opus, m4a, wav, aiff, wma. */
export function formatName(container: string, codec: string): string {
  const c = container.toLowerCase();
  const k = codec.toLowerCase();
  if (c.includes('mpeg') && !c.includes('mpeg-4')) return 'mp3';
  if (c.includes('flac')) return 'flac';
  if (c.includes('ogg')) return k.includes('opus') ? 'opus' : k.includes('flac') ? 'flac' : 'ogg';
  if (c.includes('m4a') || c.includes('mp4') || c.includes('isom') || c.includes('m4b') || c.includes('mpeg-4')) {
    return k.includes('alac') ? 'alac' : 'm4a';
  }
  if (c.includes('wave') || c.includes('wav')) return 'wav';
  if (c.includes('aiff') || c.includes('aifc')) return 'aiff';
  if (c.includes('asf') || k.includes('windows media')) return 'wma';
  return c.split(/[\s/]/)[0] ?? c;
}
