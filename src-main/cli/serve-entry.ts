// `cadenza serve` alone, as the build bundles it (out/main/serve.js, beside the app's main bundle and its
// workers): the app's service and server without the other commands (and so without TF.js, which only
// training loads) and without the TypeScript loader, so a benchmark times what the built app pays at
// start: `node out/main/serve.js --data-dir D …` takes `cadenza serve`'s options.
import { serveCommand } from './commands/serve.ts';
import { runCli } from './run.ts';

process.exitCode = await runCli(['serve', ...process.argv.slice(2)], [serveCommand]);
