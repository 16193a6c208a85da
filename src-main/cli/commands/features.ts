import fs from 'node:fs';
import { analyseFile } from '../../core/analysis/analyse-file.ts';
import { CLIP_DESCRIPTOR_NAMES, DESCRIPTOR_LENGTH } from '../../core/analysis/dsp/descriptors.ts';
import { FEATURE_VERSION, SEGMENT_LENGTH, SEGMENTS } from '../../core/analysis/dsp/index.ts';
import type { Command } from '../command.ts';
import { printJson, UsageError } from '../context.ts';

export const featuresCommand: Command = {
  name: 'features',
  summary: 'print the raw feature matrix (20 × 378) and the descriptors of one file, without touching the library',
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
    // View 0 (the MFCC's clip), clip-level values by name; the per-segment values stay in the library.
    const clipValues = Object.fromEntries(
      CLIP_DESCRIPTOR_NAMES.map((name, i) => [name, Number((outcome.descriptors[i] ?? NaN).toPrecision(7))]),
    );
    const views = outcome.descriptors.length / DESCRIPTOR_LENGTH;
    if (ctx.json) {
      printJson(ctx, {
        shape: [SEGMENTS, SEGMENT_LENGTH],
        values,
        featureVersion: FEATURE_VERSION,
        clipStart: outcome.clipStart,
        clipSeconds: outcome.clipSeconds,
        decoder: outcome.decoder,
        descriptors: { views, viewPositions: outcome.views, clip: clipValues },
      });
      return 0;
    }
    ctx.stdout(`# ${file}: ${SEGMENTS} × ${SEGMENT_LENGTH} (feature version ${FEATURE_VERSION}, clip at ${outcome.clipStart.toFixed(2)} s, ${outcome.decoder})`);
    for (let s = 0; s < SEGMENTS; s++) ctx.stdout(values.slice(s * SEGMENT_LENGTH, (s + 1) * SEGMENT_LENGTH).join(' '));
    const starts = outcome.views.map((v) => `${v.start.toFixed(2)} s`).join(', ');
    ctx.stdout(`# descriptors of the clip (view 0 of ${views}: ${starts}), name = value`);
    for (const [name, value] of Object.entries(clipValues)) ctx.stdout(`${name} = ${value}`);
    return 0;
  },
};
