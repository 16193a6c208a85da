// The player's keyboard shortcuts: one table (the help overlay lists it) and the rule for when a key
// belongs to the focused control instead (typing in a field, a slider's arrows, a button's Space).

export type ShortcutAction =
  | 'toggle'
  | 'seekBack'
  | 'seekForward'
  | 'next'
  | 'previous'
  | 'like'
  | 'shuffle'
  | 'repeat'
  | 'volumeUp'
  | 'volumeDown'
  | 'help';

export const SHORTCUTS: readonly { keys: string[]; label: string; action: ShortcutAction }[] = [
  { keys: [' '], label: 'Space', action: 'toggle' },
  { keys: ['ArrowLeft'], label: '←', action: 'seekBack' },
  { keys: ['ArrowRight'], label: '→', action: 'seekForward' },
  { keys: ['n', 'N'], label: 'N', action: 'next' },
  { keys: ['p', 'P'], label: 'P', action: 'previous' },
  { keys: ['l', 'L'], label: 'L', action: 'like' },
  { keys: ['s', 'S'], label: 'S', action: 'shuffle' },
  { keys: ['r', 'R'], label: 'R', action: 'repeat' },
  { keys: ['+', '='], label: '+', action: 'volumeUp' },
  { keys: ['-'], label: '−', action: 'volumeDown' },
  { keys: ['?'], label: '?', action: 'help' },
];

export const SHORTCUT_TEXT: Record<ShortcutAction, string> = {
  toggle: 'Play / pause',
  seekBack: 'Back 5 seconds',
  seekForward: 'Forward 5 seconds',
  next: 'Next track',
  previous: 'Previous track (or the start of this one)',
  like: 'Like the current track',
  shuffle: 'Shuffle on / off',
  repeat: 'Repeat: off, all, one',
  volumeUp: 'Volume up',
  volumeDown: 'Volume down',
  help: 'Show these shortcuts',
};

/** The parts of a key event the rule reads (a DOM KeyboardEvent fits). */
export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  defaultPrevented: boolean;
  target: unknown;
}

interface TargetLike {
  tagName?: string;
  isContentEditable?: boolean;
  getAttribute?: (name: string) => string | null;
}

/** Elements whose keys are their own: fields, sliders, lists, editable text. */
const OWN_KEYS = new Set(['INPUT', 'TEXTAREA', 'SELECT']);
/** Elements where Space (and Enter) activate them. */
const ACTIVATED = new Set(['BUTTON', 'SUMMARY', 'A']);

/** The shortcut a key press means here, or null when the focused control should have it. */
export function shortcutFor(event: KeyLike): ShortcutAction | null {
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return null;
  const target = (event.target ?? {}) as TargetLike;
  const tag = typeof target.tagName === 'string' ? target.tagName.toUpperCase() : '';
  if (OWN_KEYS.has(tag) || target.isContentEditable === true) return null;
  if (event.key === ' ' && (ACTIVATED.has(tag) || target.getAttribute?.('role') === 'button')) return null;
  return SHORTCUTS.find((s) => s.keys.includes(event.key))?.action ?? null;
}
