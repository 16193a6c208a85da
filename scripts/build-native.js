#!/usr/bin/env node
// Builds the native audio decoders (native/decoders) with node-gyp against the system's libmpg123,
// libvorbis, libFLAC and FAAD2. Runs after `npm install`; where the libraries' development files are
// missing it says so and exits 0 (the WASM decoders then do the work). `--required` makes that an error.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const dir = path.join(root, 'native', 'decoders');
const required = process.argv.includes('--required');
const LIBS = ['libmpg123', 'vorbis', 'ogg', 'flac', 'faad2'];
const DEBIAN = 'libmpg123-dev libvorbis-dev libflac-dev libfaad-dev pkg-config';

function giveUp(why) {
  const msg = `native decoders not built: ${why}. The WASM decoders are used instead (slower: docs/benchmarks.md, bench:decode). To build them: apt-get install ${DEBIAN} (or your system's equivalents), then npm run build:native.`;
  if (required) {
    console.error(`build-native: ${msg}`);
    process.exit(1);
  }
  console.warn(`build-native: ${msg}`);
  process.exit(0);
}

const probe = spawnSync('pkg-config', ['--exists', '--print-errors', ...LIBS], { encoding: 'utf8' });
if (probe.error) giveUp('pkg-config is not installed');
if (probe.status !== 0) giveUp(`missing development files (${probe.stderr.trim().split('\n')[0] ?? ''})`);

// npm hands its own node-gyp to lifecycle scripts; otherwise the one better-sqlite3 brought.
let gyp = process.env.npm_config_node_gyp;
if (!gyp || !fs.existsSync(gyp)) {
  try {
    gyp = createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js');
  } catch {
    giveUp('node-gyp not found');
  }
}
// Headers: npm's nodedir setting when run by npm, else the ones installed beside this Node (no download).
const args = [gyp, 'rebuild'];
const prefix = path.dirname(path.dirname(process.execPath));
if (!process.env.npm_config_nodedir && fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h')))
  args.push(`--nodedir=${prefix}`);
const build = spawnSync(process.execPath, args, { cwd: dir, stdio: 'inherit' });
if (build.status !== 0) giveUp(`node-gyp failed (exit ${build.status})`);
const addon = path.join(dir, 'build', 'Release', 'cadenza_decoders.node');
try {
  const versions = createRequire(import.meta.url)(addon).versions();
  console.log(
    `build-native: ${path.relative(root, addon)} (${Object.entries(versions)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')})`,
  );
} catch (e) {
  giveUp(`the built addon does not load: ${e instanceof Error ? e.message : String(e)}`);
}
