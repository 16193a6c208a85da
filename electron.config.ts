// Build configuration (electron-vite) for the Electron main process, its worker entry points,
// the preload script and the Svelte renderer.
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'electron-vite';
import { resolve } from 'node:path';

const root = import.meta.dirname;

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: resolve(root, 'src-main/electron/main.ts'),
          // `cadenza serve` bundled alone (plain Node, no Electron): what benchmarks time as the built app's start.
          serve: resolve(root, 'src-main/cli/serve-entry.ts'),
          // Workers are bundled next to the main bundle as <name>.worker.js (see core/jobs/worker-entry.ts).
          'scan.worker': resolve(root, 'src-main/core/library/scan.worker.ts'),
          'analysis.worker': resolve(root, 'src-main/core/analysis/analysis.worker.ts'),
          'embed.worker': resolve(root, 'src-main/core/model/embed.worker.ts'),
          'topics.worker': resolve(root, 'src-main/core/topics/topics.worker.ts'),
          'retrain.worker': resolve(root, 'src-main/core/recommend/retrain.worker.ts'),
          'train.worker': resolve(root, 'src-main/core/model/train.worker.ts'),
          'playback.worker': resolve(root, 'src-main/core/playback/playback.worker.ts'),
          'reader.worker': resolve(root, 'src-main/core/app/reader.worker.ts'),
          'thumbnail.worker': resolve(root, 'src-main/core/app/thumbnail.worker.ts'),
          'kernelHelper.worker': resolve(root, 'src-main/core/wasm/kernel-helper.worker.ts'),
          'dbCheck.worker': resolve(root, 'src-main/core/db/db-check.worker.ts'),
        },
        // The bundled `cadenza serve` builds a stale UI with Vite from the project's node_modules (as the
        // source run does): bundled into the main build, Vite's own chunk declared `__dirname` twice and the
        // built serve failed whenever the UI needed a build.
        external: ['vite', '@sveltejs/vite-plugin-svelte'],
        // Shared chunks beside the entries, not in chunks/: startWorker (core/jobs/worker-entry.ts) finds
        // `<name>.worker.js` next to its own module, which lands in a shared chunk (the workers import it too).
        output: { chunkFileNames: '[name]-[hash].js' },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: { input: { index: resolve(root, 'src-main/preload/index.ts') }, output: { format: 'cjs', entryFileNames: '[name].cjs' } },
    },
  },
  renderer: {
    root: resolve(root, 'src-renderer'),
    plugins: [svelte()],
    build: { outDir: resolve(root, 'out/renderer'), rollupOptions: { input: resolve(root, 'src-renderer/index.html') } },
  },
});
