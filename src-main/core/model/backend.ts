import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

/**
 * TF.js backend selection. Best first: tfjs-node-gpu (when it is installed, loads and sees a GPU),
 * tfjs-node (native TensorFlow on the CPU), wasm (SIMD; works everywhere, the default here), cpu
 * (pure JavaScript, ~35× slower than wasm). See docs/model.md#backends.
 */
export const BACKEND_NAMES = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export interface BackendInfo {
  /** What Cadenza calls it (tfjs-node-gpu and tfjs-node both register the tfjs backend 'tensorflow'). */
  name: BackendName;
  /** The tfjs backend name in use (`tf.getBackend()`). */
  tfBackend: string;
  /** Where it computes, in words: 'gpu', 'cpu (native TensorFlow)', 'cpu (wasm, SIMD)'… */
  device: string;
  /** Why better backends were passed over (one line each). */
  skipped: string[];
}

export function isBackendName(value: string): value is BackendName {
  return (BACKEND_NAMES as readonly string[]).includes(value);
}

/**
 * `CADENZA_TFJS_WASM_DIR`, honoured only outside a packaged app (code running from inside an app.asar
 * archive): a shipped app never loads WebAssembly from a folder named by its environment. The shell
 * also removes the variable when packaged (electron/shell-policy.ts).
 */
export function wasmDirOverride(env: NodeJS.ProcessEnv, moduleUrl: string): string | undefined {
  if (/[\\/]app\.asar[\\/]/.test(decodeURIComponent(moduleUrl))) return undefined;
  return env.CADENZA_TFJS_WASM_DIR || undefined;
}

/**
 * Folder holding tfjs-backend-wasm's .wasm files. `CADENZA_TFJS_WASM_DIR` overrides it in development
 * (see wasmDirOverride); otherwise it is resolved through Node's module resolution, which
 * works from the sources and from the electron-vite bundle (dependencies stay external, so
 * node_modules sits beside out/). Inside an asar archive the unpacked copy is used when present.
 */
export function wasmDirectory(): string {
  const override = wasmDirOverride(process.env, import.meta.url);
  if (override) return ensureSlash(override);
  const require = createRequire(import.meta.url);
  const pkg = require.resolve('@tensorflow/tfjs-backend-wasm/package.json');
  let dir = path.join(path.dirname(pkg), 'dist');
  const unpacked = dir.replace(`app.asar${path.sep}`, `app.asar.unpacked${path.sep}`);
  if (unpacked !== dir && fs.existsSync(unpacked)) dir = unpacked;
  return ensureSlash(dir);
}

function ensureSlash(dir: string): string {
  return dir.endsWith(path.sep) || dir.endsWith('/') ? dir : `${dir}${path.sep}`;
}

let wasmPathsSet = false;

interface NativeBackendLike {
  isUsingGpuDevice?: boolean;
}

async function tryNative(pkg: '@tensorflow/tfjs-node-gpu' | '@tensorflow/tfjs-node', wantGpu: boolean): Promise<string | null> {
  try {
    // A variable specifier keeps bundlers and TypeScript from requiring the optional package.
    const specifier: string = pkg;
    await import(specifier);
  } catch (error) {
    return `${pkg}: not installed or failed to load (${firstLine(error)})`;
  }
  try {
    if (!(await tf.setBackend('tensorflow'))) return `${pkg}: the 'tensorflow' backend did not initialise`;
    await tf.ready();
    const backend = tf.backend() as unknown as NativeBackendLike;
    if (wantGpu && backend.isUsingGpuDevice !== true) return `${pkg}: loaded but sees no GPU`;
    return null;
  } catch (error) {
    return `${pkg}: ${firstLine(error)}`;
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}

async function trySimple(name: 'wasm' | 'cpu'): Promise<string | null> {
  try {
    if (name === 'wasm' && !wasmPathsSet) {
      setWasmPaths(wasmDirectory());
      wasmPathsSet = true;
    }
    if (!(await tf.setBackend(name))) return `${name}: did not initialise`;
    await tf.ready();
    return null;
  } catch (error) {
    return `${name}: ${firstLine(error)}`;
  }
}

function describe(name: BackendName): string {
  switch (name) {
    case 'tensorflow-gpu':
      return 'gpu (native TensorFlow, CUDA)';
    case 'tensorflow':
      return 'cpu (native TensorFlow)';
    case 'wasm': {
      const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
      const threads = tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT');
      return `cpu (WebAssembly${simd ? ', SIMD' : ''}${threads ? ', threads' : ''})`;
    }
    case 'cpu':
      return 'cpu (plain JavaScript)';
  }
}

/**
 * Activates the best backend that works, or `preferred` (an error when it cannot be used). Safe to
 * call again: switching backends keeps every tensor usable (TF.js moves data on demand).
 */
export async function selectBackend(preferred?: BackendName): Promise<BackendInfo> {
  // PROD skips debug checks and silences the "install tfjs-node" notice of the cpu backend.
  tf.env().set('PROD', true);
  const order = preferred ? [preferred] : BACKEND_NAMES;
  const skipped: string[] = [];
  for (const name of order) {
    const why =
      name === 'tensorflow-gpu'
        ? await tryNative('@tensorflow/tfjs-node-gpu', true)
        : name === 'tensorflow'
          ? await tryNative('@tensorflow/tfjs-node', false)
          : await trySimple(name);
    if (why === null) return { name, tfBackend: tf.getBackend(), device: describe(name), skipped };
    skipped.push(why);
  }
  throw new Error(`no usable TF.js backend: ${skipped.join('; ')}`);
}
