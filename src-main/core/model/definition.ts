/**
 * Model definitions: a model is chosen by name (`paper` now; a later issue adds better ones,
 * selectable with `--model`). A definition says which parameters the network has and how its two
 * branches and the learned distance are wired; training, storage and evaluation only see the
 * `Network` interface in network.ts, so a new definition needs no change there.
 */

export interface BranchShape {
  /** Width of every dense layer after the input, the last one being the embedding. */
  layers: readonly number[];
}

export interface ModelConfig {
  /** The definition's name ('paper'). */
  definition: string;
  /** Input width of the item branch φ (7560 = 20 × 378 MFCC values). */
  itemInput: number;
  /** Input width of the user branch π (K topics, 7). */
  userInput: number;
  /** Embedding width (K, 7 in the paper). */
  embedding: number;
  user: BranchShape;
  item: BranchShape;
  /** Hidden widths of the learned distance D, applied to (a − b)²; a scalar follows. */
  distance: readonly number[];
  dropout: number;
  /** Batch-norm epsilon and running-average momentum (inference uses the running statistics). */
  bnEpsilon: number;
  bnMomentum: number;
}

export interface ModelDefinition {
  name: string;
  summary: string;
  /** The configuration for the given input sizes (hidden sizes are the definition's choice). */
  config(itemInput: number, topics: number): ModelConfig;
}

/**
 * The paper's network (Liang, Zeng, Yu, Oyama): π 7 → 32 → 32 → 32 → 7 and
 * φ 7560 → 128 → 64 → 32 → 7 (four dense layers each, the fourth is the 7-d embedding), batch norm
 * after every dense layer, ReLU and dropout 0.2 after every hidden one; D = dense 7 → 16 (ReLU) → 1
 * over (a − b)². Why these widths: docs/model.md#hidden-sizes.
 */
export const paperDefinition: ModelDefinition = {
  name: 'paper',
  summary: "the paper's triplet network: dense π and φ (4 layers each, batch norm, dropout 0.2), learned distance over (a − b)²",
  config(itemInput, topics) {
    return {
      definition: 'paper',
      itemInput,
      userInput: topics,
      embedding: topics,
      user: { layers: [32, 32, 32, topics] },
      item: { layers: [128, 64, 32, topics] },
      distance: [16],
      dropout: 0.2,
      bnEpsilon: 1e-3,
      bnMomentum: 0.9,
    };
  },
};

export const MODEL_DEFINITIONS: Readonly<Record<string, ModelDefinition>> = { paper: paperDefinition };

export function modelDefinition(name: string): ModelDefinition {
  const def = MODEL_DEFINITIONS[name];
  if (!def) throw new Error(`unknown model '${name}' (known: ${Object.keys(MODEL_DEFINITIONS).join(', ')})`);
  return def;
}
