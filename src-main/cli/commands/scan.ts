import fs from 'node:fs';
import path from 'node:path';
import { startScanJob } from '../../core/library/scan-job.ts';
import type { Command } from '../command.ts';
import { printJson, UsageError } from '../context.ts';
import { cancelOnInterrupt } from '../interrupt.ts';
import { ProgressBar } from '../progress-bar.ts';

export const scanCommand: Command = {
  name: 'scan',
  summary: 'add folders to the library and scan them (incremental)',
  usage: 'cadenza scan DIR... [--data-dir D] [--json] [--parse-timeout MS]',
  options: { 'parse-timeout': { type: 'string' } },
  async run(ctx, dirs, options) {
    if (dirs.length === 0) throw new UsageError(`usage: ${this.usage}`);
    const timeout = options['parse-timeout'] === undefined ? undefined : Number(options['parse-timeout']);
    if (timeout !== undefined && !(timeout > 0)) throw new UsageError('--parse-timeout takes milliseconds > 0');
    for (const dir of dirs) {
      if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new UsageError(`not a folder: ${dir}`);
    }
    ctx.openDb().close(); // fail early and clearly if the database cannot be opened
    const bar = new ProgressBar();
    const job = startScanJob({
      dataDir: ctx.dataDir,
      addRoots: dirs.map((d) => path.resolve(d)),
      ...(timeout ? { parseTimeoutMs: timeout } : {}),
      onProgress: (p) => bar.update(p.phase === 'listing' ? 'Listing' : 'Scanning', p, `failed ${p.failed}`),
    });
    const result = await cancelOnInterrupt(
      () => job.cancel(),
      () => job.result,
    );
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
  },
};
