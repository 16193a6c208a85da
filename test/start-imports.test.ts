// What the app loads at start: the static import graph of the Electron main process and of the bundled
// `cadenza serve` (serve-entry.ts) never reaches TF.js, which only the training and embedding workers
// need (importing it costs ~0.7 s; the main process used to load it for one constant, TRAIN_DEFAULTS).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');
/** Static imports and re-exports that bring values (`import type` / `export type` bring none). */
const STATIC_IMPORT = /^\s*(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;

/** Every package a file reaches through static value imports, with one path that reaches it. */
function reachedPackages(entry: string): Map<string, string[]> {
  const packages = new Map<string, string[]>();
  const seen = new Set<string>();
  const walk = (file: string, trail: string[]) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = fs.readFileSync(file, 'utf8');
    for (const match of text.matchAll(STATIC_IMPORT)) {
      const spec = match[1]!;
      if (spec.startsWith('.')) {
        const target = path.resolve(path.dirname(file), spec);
        if (fs.existsSync(target) && target.endsWith('.ts')) walk(target, [...trail, path.relative(ROOT, target)]);
      } else if (!packages.has(spec)) packages.set(spec, trail);
    }
  };
  walk(path.join(ROOT, entry), [entry]);
  return packages;
}

describe('start-up imports', () => {
  for (const entry of ['src-main/electron/main.ts', 'src-main/cli/serve-entry.ts']) {
    it(`${entry} never loads TF.js at start`, () => {
      const packages = reachedPackages(entry);
      expect(packages.has('better-sqlite3'), 'the walk follows the imports').toBe(true);
      const tf = [...packages].filter(([name]) => name.startsWith('@tensorflow/'));
      expect(tf.map(([name, trail]) => `${name} via ${trail.join(' → ')}`)).toEqual([]);
    });
  }

  it('the CLI as a whole does load it (the walk finds what is there)', () => {
    expect([...reachedPackages('src-main/cli/main.ts').keys()]).toContain('@tensorflow/tfjs');
  });
});
