// One side of the migration race (src-main/core/db/migrate.test.ts): opens the database file and migrates
// it with a two-step list whose first step is not idempotent (it appends a row) and, for the side that
// goes first, holds its write transaction open until the other side has read user_version.
import Sqlite from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { migrate } from '../../src-main/core/db/migrate.ts';

const { file, first, flags } = workerData as { file: string; first: boolean; flags: SharedArrayBuffer };
const state = new Int32Array(flags); // [0]: the first side is inside step 1
const db = new Sqlite(file);
db.pragma('journal_mode = WAL');
db.pragma('busy_timeout = 10000');
if (!first) while (Atomics.load(state, 0) === 0) Atomics.wait(state, 0, 0, 50);
const steps = [
  {
    version: 1,
    name: 'append',
    up(d: Sqlite.Database) {
      d.exec('CREATE TABLE IF NOT EXISTS applied (step INTEGER)');
      d.exec('INSERT INTO applied VALUES (1)');
      if (first) {
        Atomics.store(state, 0, 1);
        Atomics.notify(state, 0);
        // Keep the write lock a while: the other side reads the version now and waits for the lock.
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 800);
      }
    },
  },
  { version: 2, name: 'second', up: (d: Sqlite.Database) => d.exec('INSERT INTO applied VALUES (2)') },
];
try {
  parentPort!.postMessage({ version: migrate(db, steps) });
} catch (error) {
  parentPort!.postMessage({ error: error instanceof Error ? error.message : String(error) });
} finally {
  db.close();
}
