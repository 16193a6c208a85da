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

/** What φ reads: the paper's 20 × 378 MFCC matrix, or the pooled descriptors of feature version 2. */
export type InputKind = 'mfcc' | 'descriptors';

/** Weights of the extra training objectives (0 = off, as in the paper). */
export interface LossWeights {
  /**
   * Item–item triplets: for each user triplet (u, i, j), the anchor i, a training song p sharing i's
   * dominant topic and the negative j, with loss softplus(D(i, p) − D(i, j)): gives "more like this"
   * a metric learned for it.
   */
  itemItem: number;
  /** Softmax cross-entropy of a K-way dominant-topic head on φ's embedding. */
  topicHead: number;
}

export interface ModelConfig {
  /** The definition's name ('paper', 'descriptors'). */
  definition: string;
  /** What the item branch reads (absent in models saved before feature version 2: 'mfcc'). */
  input?: InputKind;
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
  /** Extra objectives (absent: none, the paper's loss alone). */
  loss?: LossWeights;
}

/** Training settings a definition prefers over the generic defaults (epochs, learning rate, …). */
export interface DefinitionTraining {
  epochs?: number;
  learningRate?: number;
  momentum?: number;
  patience?: number;
  /** Triplets per epoch once a library's full epoch is larger (SamplingOptions.budget). */
  tripletBudget?: number;
  /** Triplets over a whole run (TrainOptions.runTriplets). */
  runTriplets?: number;
}

export interface ModelDefinition {
  name: string;
  summary: string;
  input: InputKind;
  /** The configuration for the given input sizes (hidden sizes are the definition's choice). */
  config(itemInput: number, topics: number): ModelConfig;
  training?: DefinitionTraining;
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
  input: 'mfcc',
  config(itemInput, topics) {
    return {
      definition: 'paper',
      input: 'mfcc',
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

/**
 * Cadenza's default (docs/model.md#the-default-model): the same triplet structure, with φ over the
 * pooled descriptors of feature version 2 instead of the time-aligned MFCC matrix, a wider common
 * space, and two extra objectives trained together with the user–item triplets: item–item triplets
 * (a metric for "more like this") and a dominant-topic head. Every choice was kept only when the
 * held-out numbers improved beyond the seed spread (docs/benchmarks.md#quality).
 */
export const descriptorsDefinition: ModelDefinition = {
  name: 'descriptors',
  summary: 'φ over pooled audio descriptors, 32-d space, learned distance, item–item triplets and a topic head (the default)',
  input: 'descriptors',
  config(itemInput, topics) {
    return {
      definition: 'descriptors',
      input: 'descriptors',
      itemInput,
      userInput: topics,
      embedding: 32,
      user: { layers: [32, 32, 32, 32] },
      item: { layers: [128, 64, 64, 32] },
      distance: [16],
      dropout: 0.2,
      bnEpsilon: 1e-3,
      bnMomentum: 0.9,
      loss: { itemItem: 1, topicHead: 1 },
    };
  },
  // The budgets bind only above ~520 training songs (63 groups per positive): mer-dev trains on full
  // epochs; a large library gets 32,768-triplet epochs and ~1.5 M triplets in all, about what mer-dev's
  // full epochs give (docs/benchmarks.md#a-real-listeners-library-issue-12).
  training: { epochs: 60, learningRate: 0.01, patience: 10, tripletBudget: 32_768, runTriplets: 1_500_000 },
};

export const MODEL_DEFINITIONS: Readonly<Record<string, ModelDefinition>> = { paper: paperDefinition, descriptors: descriptorsDefinition };

/** `--model default` and a model-less request mean this definition. */
export const DEFAULT_MODEL = 'descriptors';

/** A definition name, with `default` resolved. */
export function resolveModelName(name: string): string {
  return name === 'default' ? DEFAULT_MODEL : name;
}

export function modelDefinition(name: string): ModelDefinition {
  const def = MODEL_DEFINITIONS[resolveModelName(name)];
  if (!def) throw new Error(`unknown model '${name}' (known: ${Object.keys(MODEL_DEFINITIONS).join(', ')})`);
  return def;
}
