#!/usr/bin/env node
// `npm start`: builds the app and opens the desktop window. The Electron binary is not fetched by
// `npm install` (package.json allowScripts denies its download script so installs work offline);
// it is fetched here, on first start, by Electron's own installer.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const require = createRequire(import.meta.url);
const electronDir = path.dirname(require.resolve('electron/package.json'));

function electronBinary() {
  try {
    const rel = fs.readFileSync(path.join(electronDir, 'path.txt'), 'utf8');
    const bin = path.join(electronDir, 'dist', rel);
    return fs.existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

function run(cmd, args) {
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  return result.status ?? 1;
}

if (run(process.execPath, [path.join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build', '--config', 'electron.config.ts']) !== 0) {
  console.error('cadenza: the build failed; see above.');
  process.exit(1);
}

let binary = electronBinary();
if (!binary) {
  console.log('Fetching the Electron binary (first start)…');
  run(process.execPath, [path.join(electronDir, 'install.js')]);
  binary = electronBinary();
}
if (!binary) {
  console.error(
    'cadenza: the Electron binary could not be downloaded on this machine, so the desktop window cannot open.\n' +
      'Everything else works from the command line: `npx cadenza --help` (scan, library, …).',
  );
  process.exit(1);
}
const child = spawn(binary, [root], { cwd: root, stdio: 'inherit' });
child.on('exit', (code) => process.exit(code ?? 0));
