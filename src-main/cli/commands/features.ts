import fs from 'node:fs';
import { analyseFile } from '../../core/analysis/analyse-file.ts';
import { FEATURE_VERSION, SEGMENT_LENGTH, SEGMENTS } from '../../core/analysis/dsp/index.ts';
import type { Command } from '../command.ts';
import { printJson, UsageError } from '../context.ts';

export const featuresCommand: Command = {
  name: 'features',
  summary: 'print the raw feature matrix (20 × 378) of one file, without touching the library',
  usage: 'cadenza features FILE [--json]',
  async run(ctx, args) {
    const [file, ...rest] = args;
    if (!file || rest.length > 0) throw new UsageError(`usage: ${this.usage}`);
    if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new UsageError(`not a file: ${file}`);
    const outcome = await analyseFile(file);
    if (!outcome.ok) {
      ctx.stderr(`cadenza features: ${file}: ${outcome.reason}`);
      return 1;
    }
    const values = Array.from(outcome.features, (v) => Number(v.toPrecision(7)));
    if (ctx.json) {
      printJson(ctx, {
        shape: [SEGMENTS, SEGMENT_LENGTH],
        values,
        featureVersion: FEATURE_VERSION,
        clipStart: outcome.clipStart,
        clipSeconds: outcome.clipSeconds,
        decoder: outcome.decoder,
      });
      return 0;
    }
    ctx.stdout(`# ${file}: ${SEGMENTS} × ${SEGMENT_LENGTH} (feature version ${FEATURE_VERSION}, clip at ${outcome.clipStart.toFixed(2)} s, ${outcome.decoder})`);
    for (let s = 0; s < SEGMENTS; s++) ctx.stdout(values.slice(s * SEGMENT_LENGTH, (s + 1) * SEGMENT_LENGTH).join(' '));
    return 0;
  },
};
