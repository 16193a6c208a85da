#!/usr/bin/env node
// The `cadenza` command runs the TypeScript sources through tsx (a dependency), in plain Node: no Electron.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src-main/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
