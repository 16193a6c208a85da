/**
 * The built renderer that browser mode serves: out/renderer (what `npm run build` makes), built on
 * demand with Vite when it is missing or older than its sources.
 */
import fs from 'node:fs';
import path from 'node:path';

export const PROJECT_ROOT = path.resolve(import.meta.dirname, '../..');
export const DEFAULT_RENDERER_DIR = path.join(PROJECT_ROOT, 'out/renderer');
const SOURCES = [path.join(PROJECT_ROOT, 'src-renderer'), path.join(PROJECT_ROOT, 'src-main/api')];

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full));
    else if (entry.isFile()) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

/** True when `dir` holds a renderer build at least as new as its sources (always true without sources). */
export function isRendererCurrent(dir: string): boolean {
  const index = path.join(dir, 'index.html');
  if (!fs.existsSync(index)) return false;
  const sources = SOURCES.filter((d) => fs.existsSync(d));
  if (sources.length === 0) return true;
  return fs.statSync(index).mtimeMs >= Math.max(...sources.map(newestMtime));
}

/** Builds the renderer into `outDir` (the same Vite + Svelte setup as electron.config.ts). */
export async function buildRenderer(outDir: string): Promise<void> {
  const { build } = await import('vite');
  const { svelte } = await import('@sveltejs/vite-plugin-svelte');
  const root = path.join(PROJECT_ROOT, 'src-renderer');
  await build({
    configFile: false,
    root,
    base: './',
    logLevel: 'warn',
    plugins: [svelte()],
    build: { outDir, emptyOutDir: true, rollupOptions: { input: path.join(root, 'index.html') } },
  });
}

/** The renderer folder to serve, building it first when needed; `log` hears about a build. */
export async function ensureRenderer(dir: string, log: (line: string) => void): Promise<string> {
  if (isRendererCurrent(dir)) return dir;
  if (!fs.existsSync(path.join(PROJECT_ROOT, 'src-renderer'))) throw new Error(`no renderer build at ${dir}`);
  log(`Building the UI into ${dir}…`);
  await buildRenderer(dir);
  return dir;
}
