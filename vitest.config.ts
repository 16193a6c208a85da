import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src-main/**/*.test.ts', 'test/**/*.test.ts'],
    // test/e2e/ drives Chromium against `cadenza serve` (see test/e2e/browser-mode.test.ts).
    exclude: ['node_modules/**', 'out/**'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 180_000,
    globalSetup: ['test/global-setup.ts'],
  },
});
