// The OS's view of what plays (Media Session): metadata, play state, position, and its transport
// buttons (media keys, the lock screen, the desktop's media controls) driving the player.
import type { PlayerState } from './player.svelte.ts';

/** Registers the actions once; returns a function that removes them. */
export function bindMediaSession(player: PlayerState): () => void {
  if (typeof navigator === 'undefined' || !('mediaSession' in navigator)) return () => {};
  const session = navigator.mediaSession;
  const actions: [MediaSessionAction, MediaSessionActionHandler][] = [
    ['play', () => void (player.playing ? undefined : player.toggle())],
    ['pause', () => void (player.playing ? player.toggle() : undefined)],
    ['nexttrack', () => void player.next()],
    ['previoustrack', () => void player.previous()],
    ['seekto', (d) => d.seekTime !== undefined && player.seek(d.seekTime)],
    ['seekbackward', (d) => player.seek(player.currentTime - (d.seekOffset ?? 10))],
    ['seekforward', (d) => player.seek(player.currentTime + (d.seekOffset ?? 10))],
    ['stop', () => void (player.playing ? player.toggle() : undefined)],
  ];
  for (const [action, handler] of actions) {
    try {
      session.setActionHandler(action, handler);
    } catch {
      // An action this browser does not know: the others still work.
    }
  }
  return () => {
    for (const [action] of actions) {
      try {
        session.setActionHandler(action, null);
      } catch {
        // as above
      }
    }
  };
}

/** Tells the OS the current track, whether it plays, and where it is (call whenever these change). */
export function updateMediaSession(player: PlayerState): void {
  if (typeof navigator === 'undefined' || !('mediaSession' in navigator)) return;
  const session = navigator.mediaSession;
  const track = player.current;
  session.metadata = track
    ? new MediaMetadata({
        title: track.title ?? track.path.split(/[\\/]/).pop() ?? '',
        artist: track.artist ?? '',
        album: track.album ?? '',
        // Absolute, as the OS fetches it outside the page (a track without art answers 404: no picture).
        artwork: [{ src: new URL(player.artUrl(track, 'full'), location.href).href }],
      })
    : null;
  session.playbackState = track ? (player.playing ? 'playing' : 'paused') : 'none';
  if (track && player.duration > 0 && Number.isFinite(player.duration)) {
    try {
      session.setPositionState({
        duration: player.duration,
        position: Math.min(player.currentTime, player.duration),
        playbackRate: 1,
      });
    } catch {
      // A position outside the duration while a track changes: the next update corrects it.
    }
  }
}
