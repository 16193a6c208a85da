import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { wasmDirOverride } from '../core/model/backend.ts';
import { DEV_ONLY_ENV, devOverrides, windowOpenResponse } from './shell-policy.ts';

describe('shell policy', () => {
  it('a packaged app honours no development override and removes them from its environment', () => {
    const env: NodeJS.ProcessEnv = {
      ELECTRON_RENDERER_URL: 'https://evil.example/',
      CADENZA_TFJS_WASM_DIR: '/tmp/evil-wasm',
      HOME: '/home/u',
    };
    expect(devOverrides(env, true)).toEqual({});
    for (const name of DEV_ONLY_ENV) expect(env[name]).toBeUndefined();
    expect(env.HOME).toBe('/home/u');
  });

  it('a development run honours ELECTRON_RENDERER_URL', () => {
    expect(devOverrides({ ELECTRON_RENDERER_URL: 'http://localhost:5173/' }, false)).toEqual({
      rendererUrl: 'http://localhost:5173/',
    });
    expect(devOverrides({}, false)).toEqual({});
  });

  it('CADENZA_TFJS_WASM_DIR is ignored by code running from inside an app.asar', () => {
    const env = { CADENZA_TFJS_WASM_DIR: '/tmp/wasm' };
    expect(wasmDirOverride(env, 'file:///opt/Cadenza/resources/app.asar/out/main/chunks/backend-x.js')).toBeUndefined();
    expect(wasmDirOverride(env, 'file:///C:/Program%20Files/Cadenza/resources/app.asar/out/main/index.js')).toBeUndefined();
    expect(wasmDirOverride(env, 'file:///home/dev/cadenza/src-main/core/model/backend.ts')).toBe('/tmp/wasm');
    expect(wasmDirOverride({}, 'file:///home/dev/cadenza/out/main/index.js')).toBeUndefined();
  });

  it('refuses every new window and hands no URL to the operating system', () => {
    expect(windowOpenResponse()).toEqual({ action: 'deny' });
    const dir = import.meta.dirname;
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
      const text = fs.readFileSync(path.join(dir, file), 'utf8');
      expect(text, file).not.toMatch(/openExternal|openPath|showItemInFolder/);
    }
  });
});
