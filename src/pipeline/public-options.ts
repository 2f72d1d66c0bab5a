/**
 * The options of `train` and `distill` as the package entry exports them: written out with a doc comment (what the
 * key does, its default) per key, so editors show them on hover. The schemas of options.ts stay the one source of
 * what is accepted: each interface is checked below, key by key, against its schema's input type, so a key added,
 * removed or retyped there and not here (or the other way round) is a compile error.
 */
import type { z } from 'zod';
import type { BackendRequest } from '../core/backend.js';
import type { OptimizerName } from '../core/optimizers.js';
import type { distillOptionsSchema, trainOptionsSchema } from './options.js';

/** Which dataset, and how its files are read (the same keys as the `train` command's flags). */
export interface DatasetOptions {
  /** A dataset name (`WN18RR`, `FB15k-237`, …) or a directory with train/valid/test files. Required. */
  dataset: string;
  /**
   * Valid/test triples whose entity or relation is not in train: `keep` them (every entity gets an embedding, as the
   * papers' code evaluates), `drop` them (counted in the summary's `data`) or stop with an `error`. Default `keep`.
   */
  unseen?: 'keep' | 'drop' | 'error';
  /** Field delimiter of the triple files: detected (`auto`: tab, else comma, else spaces) or given. Default `auto`. */
  delimiter?: 'auto' | 'tab' | 'comma' | 'whitespace';
  /** Head, relation and tail columns: `hrt`, `htr`, or three different 0-based positions of a wider file (`'0,2,1'`). Default: a header line's order, else `hrt`. */
  columns?: string;
  /** Whether the first data line is a header: recognised (`auto`), `yes` or `no`. Default `auto`. */
  header?: 'auto' | 'yes' | 'no';
  /** Text encoding of the triple files: strict UTF-8 or Latin-1. Default `utf8`. */
  encoding?: 'utf8' | 'latin1';
}

/** How a model is trained: optimiser, sampling, loss, schedule, early stopping, evaluation. Defaults: Chami et al. 2020's recipe. */
export interface TrainingOptions {
  /** Embedding dimension. Default 32. */
  dim?: number;
  /** Most epochs to train (early stopping may end sooner). Default 100. */
  epochs?: number;
  /** Training queries per step. Default 500. */
  batchSize?: number;
  /** Learning rate. Default 0.05. */
  lr?: number;
  /** Optimiser. Default `adagrad`. */
  optimizer?: OptimizerName;
  /** Uniform negatives per query; 0 with `oneToN`. Default 50. */
  neg?: number;
  /** 1-N training: score every entity per query instead of sampled negatives. Default false. */
  oneToN?: boolean;
  /** Sampled negatives corrupt head and tail together (Chami et al. 2020's --double_neg). Default false. */
  doubleNeg?: boolean;
  /** Consecutive queries sharing one draw of negatives (PyTorch-BigGraph's chunked negatives); 1: per query. Default 1. */
  sharedNeg?: number;
  /** Regulariser of the embeddings. Default `none`. */
  reg?: 'none' | 'n3' | 'l2';
  /** Weight of the regulariser. Default 0. */
  regWeight?: number;
  /** Epochs between validations (and best-checkpoint saves). Default 5. */
  validEvery?: number;
  /** Validations without a new best before training stops early; 0: never stops early. Default 10. */
  patience?: number;
  /** The learning rate is multiplied by this, in (0, 1], after `lrPatience` validations without a new best; 1: constant. Default 1. */
  lrDecay?: number;
  /** Validations without a new best before the learning rate is lowered (with `lrDecay` < 1). Default 2. */
  lrPatience?: number;
  /** Seed of initialisation, sampling and shuffling (any integer a double holds exactly). Default 0. */
  seed?: number;
  /** Standard deviation of a normal initialisation of the embeddings. Default: each model's own. */
  initScale?: number;
  /** TransE and RotatE only: the norm of their distance, 1 or 2. Default: the model's. */
  norm?: 1 | 2;
  /** TransE only: its entity constraint, unit L2 rows after every step (Bordes et al. 2013) or none. Default `unit`. */
  entityConstraint?: 'unit' | 'none';
  /**
   * Loss of sampled training: the model's own (`auto`), binary cross-entropy, self-adversarial, margin ranking; of
   * 1-N training (`oneToN`): softmax cross-entropy (`auto` or `softmax`) or binary cross-entropy against every entity.
   * Default `auto`.
   */
  loss?: 'auto' | 'bce' | 'nssa' | 'margin' | 'softmax';
  /** Margin γ of the `nssa` and `margin` losses. Default: the model's, else 9 for nssa and 1 for margin (PyKEEN's). */
  margin?: number;
  /** Adversarial temperature α of the `nssa` loss. Default: the model's (TransE 4 on unit entities, 8 without), else 1. */
  advTemperature?: number;
  /** How training queries weigh in the sampled loss: alike, or by Sun et al. 2019's subsampling weights. Default `uniform`. */
  queryWeights?: 'uniform' | 'subsampling';
  /** The tfjs backend. Default `auto` (tfjs-node when installed, else wasm). */
  backend?: BackendRequest;
  /** How steps are computed: fused WebAssembly kernels where the model has them, or the tfjs reference path. Default `auto`. */
  path?: 'auto' | 'fused' | 'tfjs';
  /** Run directory. Default `runs/<dataset>-<model>-d<dim>-s<seed>` (`distill`: `runs/<dataset>-mulde-<student>-d<dim>-k<topK>-s<seed>`). */
  out?: string;
  /** Evaluate the best checkpoint on the test split at the end. Default true. */
  testEval?: boolean;
  /**
   * Validate and test against the gold answer and this many fixed filtered candidates per query (OGB-style) instead
   * of all entities; 0 is all entities, as leaving it out. Default: all entities.
   */
  evalCandidates?: number;
  /** Seed of the sampled evaluation candidates. Default 0. */
  evalSeed?: number;
}

/** What `train` takes: the dataset (required), the model and how to train it; every other key has a default. */
export interface TrainOptions extends DatasetOptions, TrainingOptions {
  /** The model (`modelNames()` lists them; matched case-insensitively). Default `DistMult`. */
  model?: string;
}

/** What `distill` takes: the dataset, the teacher runs, the student and MulDE's settings, besides `train`'s training keys. */
export interface DistillOptions extends DatasetOptions, TrainingOptions {
  /** The teachers: trained run directories (at least one, each once). Required. */
  teachers: readonly string[];
  /** The student (Junior) model. Default `RotH`. */
  student?: string;
  /** Candidates per query the Junior asks the teachers about (the paper: 500; clamped to the number of entities). Default 500. */
  topK?: number;
  /** λ, the weight of the distillation loss (the authors: 0.01 on WN18RR, 0.5 on FB15k-237). Default 0.5. */
  kdWeight?: number;
  /** Temperature of the teachers' soft labels. Default 1. */
  temperature?: number;
  /** The Senior's learning rate. Default: `lr`. */
  seniorLr?: number;
  /** Re-pick the candidates of all queries every this many epochs (0: every iteration, as the paper). Default 0. */
  refreshEvery?: number;
  /** The Senior's relation-specific scaling of the teachers' scores. Default true. */
  scaling?: boolean;
  /** The Senior's contrast attention over the teachers. Default true. */
  attention?: boolean;
}

// --- the check against the schemas (types only: nothing of it is emitted) ---
type Checked<T extends true> = T;
/** True when A and B are assignable both ways (optional keys and value types alike). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** True when A and B have the same keys, each the same value type and the same optionality. */
type SameKeys<A, B> = Same<keyof A, keyof B> extends true
  ? false extends { [K in keyof A & keyof B]-?: Same<A[K], B[K]> }[keyof A & keyof B] ? false : Same<A, B>
  : false;
type SchemaTrainOptions = z.input<typeof trainOptionsSchema>;
type SchemaDistillOptions = z.input<typeof distillOptionsSchema>;
type _TrainOptionsMatchSchema = Checked<SameKeys<TrainOptions, SchemaTrainOptions>>;
type _DistillOptionsMatchSchema = Checked<SameKeys<Omit<DistillOptions, 'teachers'>, Omit<SchemaDistillOptions, 'teachers'>>>;
// `teachers` is readonly here (the schema copies the array; nothing mutates it): the same elements, required alike
type _TeachersMatchSchema = Checked<Same<DistillOptions['teachers'], Readonly<SchemaDistillOptions['teachers']>>>;
