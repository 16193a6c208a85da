import { startWorker, workerResult } from '../jobs/worker-entry.ts';

/** The check worker's one answer: the problems quick_check found (none: sound), or why it could not run. */
export type DbCheckReply = { type: 'checked'; problems: string[] } | { type: 'failed'; error: string };

export interface RunningDbCheck {
  /** The problems found (empty when the file is sound); rejects when the check could not run. */
  result: Promise<string[]>;
  /** Stops the check (the app is closing): the result then never settles. */
  stop(): void;
}

/** Runs the deferred start check (quickCheckProblems) in a worker thread of its own. */
export function runQuickCheck(dataDir: string): RunningDbCheck {
  const worker = startWorker('dbCheck', { workerData: { dataDir } });
  let stopped = false;
  const result = workerResult<string[], DbCheckReply>(worker, 'database check', (reply, settle) => {
    if (reply.type === 'checked') settle.resolve(reply.problems);
    else settle.reject(new Error(reply.error));
  });
  return {
    result: new Promise((resolve, reject) => {
      result.then(
        (problems) => !stopped && resolve(problems),
        (error: Error) => !stopped && reject(error),
      );
    }),
    stop: () => {
      stopped = true;
      void worker.terminate(); // a check inside SQLite ends when its current call returns
    },
  };
}
