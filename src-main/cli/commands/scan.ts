import fs from 'node:fs';
import path from 'node:path';
import { startScanJob } from '../../core/library/scan-job.ts';
import { type CommandContext, printJson, UsageError } from '../context.ts';
import { ProgressBar } from '../progress-bar.ts';

export async function scanCommand(ctx: CommandContext, dirs: string[], options: { timeoutMs?: number }): Promise<number> {
  for (const dir of dirs) {
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new UsageError(`not a folder: ${dir}`);
  }
  ctx.openDb().close(); // fail early and clearly if the database cannot be opened
  const bar = new ProgressBar();
  const job = startScanJob({
    dataDir: ctx.dataDir,
    addRoots: dirs.map((d) => path.resolve(d)),
    ...(options.timeoutMs ? { parseTimeoutMs: options.timeoutMs } : {}),
    onProgress: (p) => bar.update(p.phase === 'listing' ? 'Listing' : 'Scanning', p, `failed ${p.failed}`),
  });
  const onSigint = () => job.cancel();
  process.once('SIGINT', onSigint);
  try {
    const result = await job.result;
    bar.done();
    if (ctx.json) {
      printJson(ctx, result);
    } else {
      ctx.stdout(
        `${result.cancelled ? 'Scan cancelled' : 'Scan complete'}: ${result.indexed} indexed, ${result.unchanged} unchanged, ` +
          `${result.moved} moved, ${result.removed} removed, ${result.failed.length} failed ` +
          `(${result.filesPerSecond.toFixed(0)} files/s)`,
      );
      for (const f of result.failed.slice(0, 20)) ctx.stdout(`  failed: ${f.path}: ${f.reason}`);
      if (result.failed.length > 20) ctx.stdout(`  … and ${result.failed.length - 20} more (cadenza library --json)`);
      for (const r of result.unavailableRoots) ctx.stdout(`  unavailable: ${r} (its tracks are kept, marked unavailable)`);
    }
    return result.cancelled ? 130 : 0;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
