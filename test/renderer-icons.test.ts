// Controls draw their icons as inline SVG: emoji and rare glyphs render as empty boxes on systems
// without an emoji font (as in the Chromium the e2e suite runs), and an icon-only button needs a name.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const components = path.resolve(import.meta.dirname, '..', 'src-renderer', 'src');
const svelteFiles = fs
  .readdirSync(components, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.svelte'))
  .map((f) => path.join(components, f));

/** Pictographs, dingbats and media-control symbols that many system fonts lack. */
const MISSING_GLYPHS = /[\u{1F300}-\u{1FAFF}\u{2600}-\u{27BF}\u{23E9}-\u{23FA}\u2248]/u;

describe('renderer icons', () => {
  it('no component shows an emoji or a media glyph as a control label', () => {
    expect(svelteFiles.length).toBeGreaterThan(5);
    for (const file of svelteFiles) {
      const markup = fs.readFileSync(file, 'utf8').replace(/<script[\s\S]*?<\/script>/g, '');
      const line = markup.split('\n').find((l) => MISSING_GLYPHS.test(l));
      expect(line, path.basename(file)).toBeUndefined();
    }
  });

  it('every button whose content is only an icon has an accessible name', () => {
    for (const file of svelteFiles) {
      const markup = fs.readFileSync(file, 'utf8');
      for (const match of markup.matchAll(/<button\b([^>]*)>\s*(<Icon\b[^>]*\/>)\s*<\/button/g)) {
        expect(match[1], `${path.basename(file)}: ${match[2]}`).toMatch(/aria-label=/);
      }
    }
  });
});
