// `npm test` runs on a plain clone: no file it runs reads the research data sets, and every test that
// does runs under `npm run test:datasets` instead (which fails, never skips, where the data is absent).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');
const VITEST = path.join(ROOT, 'node_modules/vitest/vitest.mjs');
const USES_DATASETS = /shared-data\.ts|shared\/datasets/;

function listedFiles(config: string): string[] {
  const listed = spawnSync(process.execPath, [VITEST, 'list', '--filesOnly', '--config', config], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  expect(listed.status, listed.stderr).toBe(0);
  return listed.stdout
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.endsWith('.test.ts'));
}

describe('test layout', () => {
  it('`npm test` runs no test that reads ../shared/datasets', () => {
    const files = listedFiles('vitest.config.ts');
    expect(files.length).toBeGreaterThan(50);
    expect(files).toContain('test/test-layout.test.ts');
    const readers = files.filter(
      (f) => f !== 'test/test-layout.test.ts' && USES_DATASETS.test(fs.readFileSync(path.join(ROOT, f), 'utf8')),
    );
    expect(readers).toEqual([]);
  });

  it('`npm run test:datasets` runs every test that does, through the shared helper', () => {
    const files = listedFiles('vitest.datasets.config.ts');
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const f of files) {
      const text = fs.readFileSync(path.join(ROOT, f), 'utf8');
      expect(text, f).toMatch(/requireMerDev\(\)/);
      expect(text, f).not.toMatch(/['"]\/work\//); // no hard-coded absolute path
    }
  });
});
