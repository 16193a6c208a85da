/**
 * What the shell lets through, as plain functions (unit-tested without Electron): the development-only
 * environment overrides, and new windows and external links (none).
 */

/** Environment variables that only a development run may honour. */
export const DEV_ONLY_ENV = ['ELECTRON_RENDERER_URL', 'CADENZA_TFJS_WASM_DIR'] as const;

/**
 * The development overrides the shell honours. A packaged app honours none and deletes them from its
 * environment, so neither the main process nor a worker (workers inherit process.env) reads them:
 * ELECTRON_RENDERER_URL would load any page with the IPC bridge and DevTools, CADENZA_TFJS_WASM_DIR
 * would load WebAssembly from any folder.
 */
export function devOverrides(env: NodeJS.ProcessEnv, packaged: boolean): { rendererUrl?: string } {
  if (packaged) {
    for (const name of DEV_ONLY_ENV) delete env[name];
    return {};
  }
  const rendererUrl = env.ELECTRON_RENDERER_URL;
  return rendererUrl ? { rendererUrl } : {};
}

/**
 * Every window.open / target=_blank / middle-click from any web contents: refused, and nothing is
 * handed to the operating system (the renderer opens no links; a compromised page must not launch
 * programs through URL handlers).
 */
export function windowOpenResponse(): { action: 'deny' } {
  return { action: 'deny' };
}
