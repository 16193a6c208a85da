import { isBackendName, selectBackend, type BackendName } from '../../core/model/backend.ts';
import { SAMPLING_MODES, type SamplingMode } from '../../core/model/data.ts';
import { MODEL_DEFINITIONS, resolveModelName } from '../../core/model/definition.ts';
import { activateModel, activeModel, embedMissing, isModelCurrent, listModels, rollbackModel } from '../../core/model/store.ts';
import type { Command } from '../command.ts';
import { printJson, UsageError } from '../context.ts';

/** Options shared by `cadenza train`, `cadenza eval` and `cadenza model`. */
export type Options = Record<string, string | boolean | string[] | boolean[] | undefined>;

export const MODEL_OPTION_SPECS = {
  epochs: { type: 'string' },
  backend: { type: 'string' },
  seed: { type: 'string' },
  'batch-size': { type: 'string' },
  lr: { type: 'string' },
  patience: { type: 'string' },
  negatives: { type: 'string' },
  'max-triplets': { type: 'string' },
  budget: { type: 'string' },
  model: { type: 'string' },
} as const;

export function intOption(options: Options, name: string, min: number, max: number): number | undefined {
  const raw = options[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} takes a whole number from ${min} to ${max}, got ${String(raw)}`);
  }
  return n;
}

export function positiveOption(options: Options, name: string): number | undefined {
  const raw = options[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !(Number.isFinite(n) && n > 0)) throw new UsageError(`--${name} takes a number > 0, got ${String(raw)}`);
  return n;
}

export function backendOption(options: Options): BackendName | undefined {
  const raw = options.backend;
  if (raw === undefined) return undefined;
  const name = String(raw) === 'tfjs-node' ? 'tensorflow' : String(raw) === 'tfjs-node-gpu' ? 'tensorflow-gpu' : String(raw);
  if (!isBackendName(name)) throw new UsageError(`--backend takes tensorflow-gpu, tensorflow, wasm or cpu, got ${String(raw)}`);
  return name;
}

export function samplingOption(options: Options): SamplingMode | undefined {
  const raw = options.sampling;
  if (raw === undefined) return undefined;
  if (!(SAMPLING_MODES as readonly string[]).includes(String(raw))) throw new UsageError(`--sampling takes ${SAMPLING_MODES.join(', ')}, got ${String(raw)}`);
  return String(raw) as SamplingMode;
}

export function modelOption(options: Options): string | undefined {
  const raw = options.model;
  if (raw === undefined) return undefined;
  const name = resolveModelName(String(raw));
  if (!(name in MODEL_DEFINITIONS)) throw new UsageError(`--model takes default, ${Object.keys(MODEL_DEFINITIONS).join(', ')}, got ${String(raw)}`);
  return name;
}

export const modelCommand: Command = {
  name: 'model',
  summary: 'trained models: list them (active, out of date), activate one, roll back to the previous one, or embed songs that lack an embedding',
  usage: 'cadenza model [list | activate ID | rollback | embed] [--data-dir D] [--backend B] [--json]',
  options: { backend: { type: 'string' } },
  async run(ctx, args, options) {
    const [action = 'list', ...rest] = args;
    const db = ctx.openDb();
    try {
      if (action === 'list' && rest.length === 0) {
        const models = listModels(db).map((m) => {
          const embedded = (db.prepare('SELECT COUNT(*) AS n FROM track_embeddings WHERE model_id = ?').get(m.id) as { n: number }).n;
          return { ...m, current: isModelCurrent(db, m), embedded };
        });
        if (ctx.json) printJson(ctx, { models });
        else if (models.length === 0) ctx.stdout('No trained model yet: run `cadenza train`.');
        else
          for (const m of models)
            ctx.stdout(
              `${m.active ? '*' : ' '} ${m.id}  ${m.objective}/${m.definition}  val ${m.valAccuracy === null ? '—' : m.valAccuracy.toFixed(3)}  ` +
                `${m.backend} (${m.device})  seed ${m.seed}  ${new Date(m.createdAt).toISOString()}  ${m.embedded} embedded${m.current ? '' : '  OUT OF DATE (topics or features changed)'}`,
            );
        return 0;
      }
      if (action === 'activate' && rest.length === 1) {
        const id = Number(rest[0]);
        const model = listModels(db).find((m) => m.id === id);
        if (!model) throw new UsageError(`no model ${rest[0]}`);
        if (model.objective !== 'triplet') throw new UsageError(`model ${id} is a ${model.objective} baseline; only triplet models can be active`);
        activateModel(db, id);
        if (ctx.json) printJson(ctx, { active: id });
        else ctx.stdout(`Model ${id} is now the active model.`);
        return 0;
      }
      if (action === 'rollback' && rest.length === 0) {
        const back = rollbackModel(db);
        if (!back) throw new UsageError('nothing to roll back to: no model was active before the current one');
        if (ctx.json) printJson(ctx, { active: back.to, previous: back.from });
        else ctx.stdout(`Rolled back: model ${back.to} is active again (model ${back.from} is kept; \`cadenza model activate ${back.from}\` restores it).`);
        return 0;
      }
      if (action === 'embed' && rest.length === 0) {
        if (!activeModel(db)) throw new UsageError('no trained model yet: run `cadenza train`');
        const backend = await selectBackend(backendOption(options));
        const result = await embedMissing(db, ctx.dataDir);
        if (ctx.json) printJson(ctx, { ...result, backend: backend.name });
        else ctx.stdout(`Embedded ${result.embedded} song(s) with model ${result.modelId} (${backend.name}).`);
        return 0;
      }
      throw new UsageError(`usage: ${this.usage}`);
    } finally {
      db.close();
    }
  },
};
