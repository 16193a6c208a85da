// Boots a TypeScript worker when Cadenza runs from source (tests, the CLI): registers tsx in this
// thread, then loads the worker module named in workerData. The built app loads bundled .js workers instead.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.__tsEntry);
