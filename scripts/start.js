#!/usr/bin/env node
// `npm start`: builds the app and opens the desktop window. The Electron binary is not fetched by
// `npm install` (package.json allowScripts denies its download script so installs work offline);
// it is fetched here, on first start, by Electron's own installer. Where it cannot be had, the UI is
// served in browser mode (`cadenza serve`) and its URL printed; extra arguments go to `cadenza serve`.
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

if (
  run(process.execPath, [
    path.join(root, 'node_modules/electron-vite/bin/electron-vite.js'),
    'build',
    '--config',
    'electron.config.ts',
  ]) !== 0
) {
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
  // No desktop window here: serve the same UI to a browser instead (`cadenza serve`, loopback only).
  console.error(
    'cadenza: the Electron binary is not available on this machine (it could not be downloaded), so the desktop\n' +
      'window cannot open. Starting browser mode instead: open the address below in a browser on this machine.',
  );
  const serve = spawn(process.execPath, [path.join(root, 'bin/cadenza.js'), 'serve', ...process.argv.slice(2)], {
    cwd: root,
    stdio: 'inherit',
  });
  process.on('SIGINT', () => {}); // Ctrl-C reaches the server too (same process group); it shuts down cleanly
  process.on('SIGTERM', () => serve.kill('SIGTERM'));
  serve.on('exit', (code) => process.exit(code ?? 0));
} else {
  const child = spawn(binary, [root], { cwd: root, stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
}
