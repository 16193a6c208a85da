import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

/** The tests on the research data sets (../shared/datasets): `npm run test:datasets`. */
export const DATASET_TESTS = 'test/datasets/**/*.test.ts';

/** `npm test` (the default) needs nothing beside the checkout; `datasets` selects only the data-set tests. */
export function testConfig(datasets: boolean) {
  return defineConfig({
    // The renderer's state classes (*.svelte.ts: runes) are compiled as the app build does.
    plugins: [svelte()],
    test: {
      include: datasets ? [DATASET_TESTS] : ['src-main/**/*.test.ts', 'test/**/*.test.ts'],
      // test/e2e/ drives Chromium against `cadenza serve` (see test/e2e/browser-mode.test.ts).
      exclude: ['node_modules/**', 'out/**', ...(datasets ? [] : [DATASET_TESTS])],
      pool: 'forks',
      testTimeout: datasets ? 600_000 : 60_000,
      hookTimeout: datasets ? 900_000 : 180_000,
      globalSetup: ['test/global-setup.ts'],
    },
  });
}

export default testConfig(false);
