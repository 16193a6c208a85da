// Keyboard shortcuts: which key means what, and that keys typed into a field or meant for the focused
// control are left to it.
import { describe, expect, it } from 'vitest';
import { shortcutFor, SHORTCUTS, SHORTCUT_TEXT, type KeyLike } from '../../src-renderer/src/lib/shortcuts.ts';

const press = (key: string, target: unknown = { tagName: 'BODY' }, extra: Partial<KeyLike> = {}): KeyLike => ({
  key,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  defaultPrevented: false,
  target,
  ...extra,
});

describe('shortcuts', () => {
  it('maps the listed keys on the page', () => {
    expect(shortcutFor(press(' '))).toBe('toggle');
    expect(shortcutFor(press('ArrowLeft'))).toBe('seekBack');
    expect(shortcutFor(press('ArrowRight'))).toBe('seekForward');
    expect(shortcutFor(press('N'))).toBe('next');
    expect(shortcutFor(press('p'))).toBe('previous');
    expect(shortcutFor(press('l'))).toBe('like');
    expect(shortcutFor(press('?'))).toBe('help');
    expect(shortcutFor(press('x'))).toBeNull();
    // Every action has its help text.
    for (const s of SHORTCUTS) expect(SHORTCUT_TEXT[s.action]).toBeTruthy();
  });

  it('leaves keys to fields, sliders, editable text, a focused button and browser combinations', () => {
    expect(shortcutFor(press('n', { tagName: 'INPUT' }))).toBeNull();
    expect(shortcutFor(press('ArrowLeft', { tagName: 'input' }))).toBeNull(); // a range slider moves itself
    expect(shortcutFor(press(' ', { tagName: 'TEXTAREA' }))).toBeNull();
    expect(shortcutFor(press('l', { tagName: 'SELECT' }))).toBeNull();
    expect(shortcutFor(press('n', { tagName: 'DIV', isContentEditable: true }))).toBeNull();
    expect(shortcutFor(press(' ', { tagName: 'BUTTON' }))).toBeNull();
    expect(shortcutFor(press('n', { tagName: 'BUTTON' }))).toBe('next');
    expect(shortcutFor(press('n', { tagName: 'BODY' }, { ctrlKey: true }))).toBeNull();
    expect(shortcutFor(press('r', { tagName: 'BODY' }, { metaKey: true }))).toBeNull();
    expect(shortcutFor(press(' ', { tagName: 'BODY' }, { defaultPrevented: true }))).toBeNull();
  });
});
