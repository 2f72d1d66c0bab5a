/**
 * The options of every run, as zod schemas: the one source of truth for the command line (`--batch-size` is the key
 * `batchSize`), config files (`--config run.json`, the same keys) and the library (`train({ … })`). A bad value
 * gives the same message everywhere, naming the flag in the shell and the key in code. No Node module (a page
 * checks its settings with these too): options.ts, which the Node side imports, re-exports them with the functions
 * that read a run's files.
 */
import { z } from 'zod';
import { BACKEND_CHOICES } from '../core/backend.js';
import { OPTIMIZER_NAMES } from '../core/optimizers.js';
import { formatIssues, nearestName } from '../core/registry.js';
import { float32, nonNegativeFloat32, positiveFloat32 } from '../core/float32-range.js';
import { ENTITY_CONSTRAINT_SCHEMA, NORM_SCHEMA } from '../registry/models.js';
import { OptionsError, type OptionProblem } from './options-error.js';
import type { LoadOptions } from '../kg/dataset.js';
import { trueOrFalse } from '../kg/load-options.js';

const int = (what: string, min: number) => z.number({ error: `must be ${what}` }).int({ error: `must be ${what}` }).min(min, { error: `must be ${what}` });
/** A count ≥ 1 (`dim`, `topK`, …). */
export const positiveInt = int('a positive integer', 1);
/** A count ≥ 0 (`neg`, `patience`, …). */
export const nonNegativeInt = int('an integer ≥ 0', 0);
/** A positive number float32 holds: every such option feeds float32 arithmetic (core/float32-range.ts). */
const positive = positiveFloat32('must be a positive number');
/** A number ≥ 0 float32 holds. */
const nonNegative = nonNegativeFloat32('must be a number ≥ 0');
const LR_DECAY_TEXT = 'must be a number in (0, 1] (1: a constant learning rate)';
/** What a seed accepts: the integers a double holds exactly (a longer one would be rounded into another seed). */
export const INTEGER_RANGE_TEXT = `an integer from ${-Number.MAX_SAFE_INTEGER} to ${Number.MAX_SAFE_INTEGER}`;
/** A seed: any integer a double holds exactly. */
export const seedInt = z.number({ error: `must be ${INTEGER_RANGE_TEXT}` }).int({ error: `must be ${INTEGER_RANGE_TEXT}` });
const oneOf = <T extends string>(values: readonly T[]) => z.enum(values as [T, ...T[]], { error: `must be one of ${values.join(', ')}` });

/** Which dataset and how its valid/test triples with entities or relations unseen in train are treated. */
export const dataOptions = {
  /** A dataset name (WN18RR, FB15k-237, …) or a directory with train/valid/test files. */
  dataset: z.string({ error: 'must name a dataset or a directory' }).min(1, { error: 'must name a dataset or a directory' }),
  /**
   * Valid/test triples whose entity or relation is not in train: `keep` them (every entity gets an embedding, as the
   * papers' code evaluates), `drop` them (counted in the report) or stop with an `error`.
   */
  unseen: oneOf(['keep', 'drop', 'error'] as const).default('keep'),
  /** Field delimiter of the triple files: detected (`auto`: tab, else comma, else spaces) or given. */
  delimiter: oneOf(['auto', 'tab', 'comma', 'whitespace'] as const).default('auto'),
  /** Head, relation and tail columns: `hrt`, `htr`, or three 0-based positions of a wider file (`0,2,1`). */
  columns: z.string().regex(/^(hrt|htr|\d+,\d+,\d+)$/, { error: 'must be hrt, htr or three positions such as 0,2,1', abort: true })
    .refine((text) => !/^\d/.test(text) || new Set(text.split(',').map(Number)).size === 3, { error: 'must name three different positions (head, relation and tail are three columns)' }).optional(),
  /** Whether the first data line is a header: recognised (`auto`), `yes` or `no`. */
  header: oneOf(['auto', 'yes', 'no'] as const).default('auto'),
  /** Text encoding of the triple files (strict UTF-8, or Latin-1). */
  encoding: oneOf(['utf8', 'latin1'] as const).default('utf8'),
};

/** The dataset options after validation. */
export type DataSettings = z.output<z.ZodObject<typeof dataOptions>>;

/** The loader's options of validated dataset options (without `columns`, a header line may name the order). */
export function loadOptionsOf(s: DataSettings): LoadOptions {
  const delimiters = { auto: undefined, tab: '\t', comma: ',', whitespace: ' ' } as const;
  const options: LoadOptions = { unseen: s.unseen, encoding: s.encoding };
  const delimiter = delimiters[s.delimiter];
  if (delimiter !== undefined) options.delimiter = delimiter;
  if (s.columns !== undefined) options.columns = /^\d/.test(s.columns) ? (s.columns.split(',').map(Number) as [number, number, number]) : (s.columns as 'hrt' | 'htr');
  if (s.header !== 'auto') options.header = s.header === 'yes';
  return options;
}

/** Validations without a new best before the learning rate is lowered (`lrPatience`), by default. */
export const DEFAULT_LR_PATIENCE = 2;
/** Seed of the sampled evaluation candidates (`evalSeed`), by default. */
export const DEFAULT_EVAL_SEED = 0;

/** `evalCandidates`: an integer ≥ 0, where 0 (all entities, the full ranking) reads as no sampled candidates at all. */
const evalCandidatesOption = nonNegativeInt.transform((n) => (n === 0 ? undefined : n)).optional();

/** The note for an `evalSeed` given without sampled candidates (`name` is the option's flag or key): it changes nothing. */
export function unusedEvalSeedNote(name: string, what = 'validation and test rank'): string {
  return `${name} is not used: without sampled candidates, ${what} against all entities`;
}

/** How a model is trained: optimiser, sampling, schedule, early stopping, seed. Defaults: Chami et al. 2020's recipe. */
export const trainingOptions = {
  dim: positiveInt.default(32),
  epochs: positiveInt.default(100),
  batchSize: positiveInt.default(500),
  lr: positive.default(0.05),
  optimizer: oneOf(OPTIMIZER_NAMES).default('adagrad'),
  /** Uniform negatives per query; 0 with `oneToN`. */
  neg: nonNegativeInt.default(50),
  oneToN: trueOrFalse.default(false),
  doubleNeg: trueOrFalse.default(false),
  /** Consecutive queries sharing one draw of negatives (PyTorch-BigGraph's chunked negatives); 1: per query. */
  sharedNeg: positiveInt.default(1),
  reg: oneOf(['none', 'n3', 'l2'] as const).default('none'),
  regWeight: nonNegative.default(0),
  validEvery: positiveInt.default(5),
  patience: nonNegativeInt.default(10),
  /** The learning rate is multiplied by this after `lrPatience` validations without a new best (1: constant; core/plateau-schedule.ts). */
  lrDecay: float32(z.number({ error: 'must be a positive number' }).positive({ error: 'must be a positive number' }).max(1, { error: LR_DECAY_TEXT, abort: true }), 'positive').default(1),
  /** Validations without a new best before the learning rate is lowered (with `lrDecay` < 1). */
  lrPatience: positiveInt.default(DEFAULT_LR_PATIENCE),
  seed: seedInt.default(0),
  /** Standard deviation of a normal initialisation of embeddings (default: each model's own, see ModelOptions). */
  initScale: positive.optional(),
  /** TransE and RotatE only: the norm of their distance, 1 or 2 (default: the model's; models/distance-norm.ts). */
  norm: NORM_SCHEMA.optional(),
  /** TransE only: its entity constraint, unit L2 rows after every step (Bordes et al. 2013, Algorithm 1) or none (default unit). */
  entityConstraint: ENTITY_CONSTRAINT_SCHEMA.optional(),
  /**
   * Loss of sampled training: the model's own (`auto`), binary cross-entropy, self-adversarial, margin ranking; of
   * 1-N training (`oneToN`): softmax cross-entropy (`auto` or `softmax`) or binary cross-entropy against every entity.
   */
  loss: oneOf(['auto', 'bce', 'nssa', 'margin', 'softmax'] as const).default('auto'),
  /** Margin γ of the nssa and margin losses (default: the model's, else 9 for nssa and 1 for margin, PyKEEN's). */
  margin: nonNegative.optional(),
  /** Adversarial temperature α of the nssa loss (default: the model's, TransE 4 on unit entities and 8 without; else 1). */
  advTemperature: nonNegative.optional(),
  /** How training queries weigh in the sampled loss: alike, or by Sun et al. 2019's subsampling weights (kg/subsampling-weights.ts). */
  queryWeights: oneOf(['uniform', 'subsampling'] as const).default('uniform'),
  backend: oneOf(BACKEND_CHOICES).default('auto'),
  path: oneOf(['auto', 'fused', 'tfjs'] as const).default('auto'),
  /** Run directory (default runs/<dataset>-<model>-d<dim>-s<seed>). */
  out: z.string({ error: 'must be a directory path' }).refine((dir) => dir.trim() !== '', { error: 'is empty: give the run directory (it would be the working directory)' }).optional(),
  /** Evaluate the best checkpoint on the test split at the end. */
  testEval: trueOrFalse.default(true),
  /**
   * Validate and test against the gold answer and N fixed filtered candidates per query (OGB-style), not all
   * entities; 0 is all entities, as in `evaluate` (the same as leaving it out: validated, it is undefined).
   */
  evalCandidates: evalCandidatesOption,
  /** Seed of the sampled evaluation candidates. */
  evalSeed: seedInt.default(DEFAULT_EVAL_SEED),
};

/** What every training command takes (the shared part of train and distill). */
const commonOptionsSchema = z.object({ ...dataOptions, ...trainingOptions });
/** The shared settings after validation and defaults. */
export type CommonSettings = z.output<typeof commonOptionsSchema>;

/** `train`: one model. */
export const trainOptionsSchema = z.object({
  ...dataOptions,
  ...trainingOptions,
  model: z.string().min(1).default('DistMult'),
}).strict();

/** `distill`: MulDE's teachers → a student (Junior) trained with the same settings as a plain run unless changed. */
export const distillOptionsSchema = z.object({
  ...dataOptions,
  ...trainingOptions,
  teachers: z.array(z.string().min(1), { error: 'must list run directories' }).min(1, { error: 'must list at least one teacher run directory' }),
  student: z.string().min(1).default('RotH'),
  /** Candidates per query the Junior asks the teachers about (the paper: 500; clamped to the number of entities). */
  topK: positiveInt.default(500),
  /** λ, the weight of L_KD (the authors: 0.01 on WN18RR, 0.5 on FB15k-237). */
  kdWeight: nonNegative.default(0.5),
  temperature: positive.default(1),
  /** The Senior's learning rate (default: lr). */
  seniorLr: positive.optional(),
  /** Re-pick the candidates of all queries every R epochs (0: every iteration, as the paper). */
  refreshEvery: nonNegativeInt.default(0),
  scaling: trueOrFalse.default(true),
  attention: trueOrFalse.default(true),
}).strict();

/** What a user passes to `train`: every key optional except the dataset. */
export type TrainOptions = z.input<typeof trainOptionsSchema>;
/** `train`'s options after validation and defaults. */
export type TrainSettings = z.output<typeof trainOptionsSchema>;
/** What a user passes to `distill`. */
export type DistillOptions = z.input<typeof distillOptionsSchema>;
/** `distill`'s options after validation and defaults. */
export type DistillSettings = z.output<typeof distillOptionsSchema>;

/** The reading options a command that re-reads a run's dataset may override (none required, no defaults). */
export const readingOptionsSchema = z.object({
  unseen: dataOptions.unseen.unwrap().optional(),
  delimiter: dataOptions.delimiter.unwrap().optional(),
  columns: dataOptions.columns,
  header: dataOptions.header.unwrap().optional(),
  encoding: dataOptions.encoding.unwrap().optional(),
}).strict();

/** How a run's triple files are read, in `train`'s words (`delimiter: 'tab'`, `header: 'yes'`, …): `evaluate`'s `reading`. */
export type ReadingOptions = z.input<typeof readingOptionsSchema>;

/** The options that say how a run's triple files are read, as its config.json names them. */
const READING_SCHEMAS = { delimiter: dataOptions.delimiter, columns: dataOptions.columns, header: dataOptions.header, encoding: dataOptions.encoding } as const;

/**
 * How a run's triple files were read (delimiter, columns, header, encoding), from the options in its config.json,
 * so that evaluating or querying the run reads them the same way; the defaults for a run without one. A bad value
 * is an error naming `source` (the file the options were read from) and the key: never a silent fallback to the
 * defaults, which would read the files another way than the run did.
 */
export function readingOptionsOfRun(config: { options: Record<string, unknown> } | undefined, source?: RunConfigSource): Omit<LoadOptions, 'unseen'> {
  const options = config?.options ?? {};
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  const prefix = source?.copy ? 'runConfig.options' : 'options';
  for (const [key, schema] of Object.entries(READING_SCHEMAS)) {
    const parsed = (schema as z.ZodType).safeParse(options[key]);
    if (parsed.success) values[key] = parsed.data;
    else problems.push(`${prefix}.${key} ${parsed.error.issues[0]?.message ?? 'is not valid'} (got ${shownValue(options[key])})`);
  }
  if (problems.length > 0) {
    const where = source === undefined ? "the run's configuration (its config.json, or the copy in its checkpoint)" : source.file;
    const what = source?.copy ? "the copy of the run's configuration was edited: restore the run's config.json" : 'the file was edited: restore it';
    throw new Error(`${where}: ${problems.join('; ')}, so how the run read its triple files is not known; ${what}`);
  }
  const { unseen: _unseen, ...reading } = loadOptionsOf({ ...(values as Omit<DataSettings, 'dataset' | 'unseen'>), dataset: '-', unseen: 'keep' });
  return reading;
}

/**
 * An error of the dataset reader (kg/), whose hints name the reading flags (`--columns`, `--encoding latin1`, `--unseen
 * error`), as the caller names options: unchanged for the command line (`flag`), with keys instead (`columns`,
 * `encoding latin1`) for a caller in code; the same error object.
 */
export function readerErrorNamed(error: unknown, naming: OptionNaming = 'key'): unknown {
  if (naming === 'flag' || !(error instanceof Error)) return error;
  // only a hint's flag: after a space or '(' and before a space, ')', ';' or ','; never inside a name or a path
  const keyed = (text: string): string => text.replace(/(?<=[\s(])--([a-z]+)(?=[\s);,])/g, (flag: string, key: string) => (Object.hasOwn(dataOptions, key) ? key : flag));
  error.message = keyed(error.message);
  // a KgInputError's `reason` (the message without its file and line) says the same hint
  const withReason = error as Error & { reason?: unknown };
  if (typeof withReason.reason === 'string') withReason.reason = keyed(withReason.reason);
  return error;
}

/** Where a run's configuration was read: its config.json, or the copy a checkpoint header keeps (`copy`). */
export interface RunConfigSource {
  file: string;
  copy: boolean;
}

/** Options whose only flag switches them off (`distill --no-attention`): there is no `--attention`. */
const OFF_SWITCHES: ReadonlySet<string> = new Set(['attention', 'scaling']);

/** The flag of a key: `batchSize` → `--batch-size` (run-config.ts and options.ts export it too; an off switch's flag is `--no-` that). */
export function flagOf(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/**
 * How a message says that option `key`, named `name`, is `value`: `--dim 16`; an option whose only flag switches it
 * off, named as a flag, by that flag alone when off (`--no-attention`) and as on without it when on, not by a flag
 * that does not exist (`--attention false`).
 */
export function givenValueText(name: string, key: string, value: unknown): string {
  if (!OFF_SWITCHES.has(key) || typeof value !== 'boolean' || name !== flagOf(key)) return `${name} ${JSON.stringify(value)}`;
  const off = `--no-${name.slice(2)}`;
  return value ? `${key} on (without ${off})` : off;
}

/** What a run has of option `key` in a message: its value as JSON, an off switch as "it on" or "it off". */
export function runValueText(key: string, value: unknown): string {
  return OFF_SWITCHES.has(key) && typeof value === 'boolean' ? (value ? 'it on' : 'it off') : JSON.stringify(value);
}

/** The longest value an error shows whole (a dataset of triples given in memory would paste a megabyte). */
const MAX_SHOWN_VALUE = 120;

/**
 * A value as an error shows it: JSON, except what JSON cannot hold (NaN and ±Infinity, a BigInt as `8n`, a symbol or
 * function by its kind, a cyclic object as such), cut to {@link MAX_SHOWN_VALUE} characters.
 */
function shownValue(value: unknown): string {
  let text: string | undefined;
  if (typeof value === 'number' && !Number.isFinite(value)) text = String(value);
  else if (typeof value === 'bigint') text = `${value}n`;
  else if (typeof value === 'symbol' || typeof value === 'function') text = `a ${typeof value}`;
  else {
    try {
      text = JSON.stringify(value);
    } catch {
      text = 'an object that cannot be shown (cyclic, or holding a BigInt)';
    }
  }
  text ??= String(value);
  return text.length > MAX_SHOWN_VALUE ? `${text.slice(0, MAX_SHOWN_VALUE)}… (${text.length} characters)` : text;
}

/** How option errors name an option: by flag (the shell) or by key (code and config files). */
export type OptionNaming = 'flag' | 'key';

/**
 * How a message names option `key`: `<source>: key '<key>'` when a config file gave it (`keySources`, e.g.
 * `--config run.yaml`), else its flag (`naming` 'flag') or the key itself.
 */
export function optionName(key: string, keySources: Readonly<Record<string, string>>, naming: OptionNaming): string {
  const source = keySources[key];
  return source ? `${source}: key '${key}'` : naming === 'flag' ? flagOf(key) : key;
}

/**
 * Validates options against a schema; errors name each bad option (and give the value) the way `naming` says (a
 * flag, a key, or a function's name for each key), after `source` (where the options were read, e.g. `--config
 * run.json`), or each key after its own source when `source` maps keys to theirs (`--config run.json:3`, a config
 * file's key by its line: then `key 'dim'`, as optionName says).
 */
export function parseOptions<S extends z.ZodType>(schema: S, input: unknown, naming: OptionNaming | ((key: string) => string) = 'key', source: string | Readonly<Record<string, string>> = ''): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const values = (input ?? {}) as Record<string, unknown>;
  const keySources = typeof source === 'string' ? {} : source;
  // a function names each key itself (the explorer's form: by its fields' labels); an unknown key stays a key
  const nameOf = (key: string): string => (typeof naming === 'function' ? naming(key) : optionName(key, keySources, naming));
  const problems: OptionProblem[] = [];
  const messages = result.error.issues.map((issue) => {
    const key = String(issue.path[0] ?? '');
    if (issue.code === 'unrecognized_keys') {
      for (const k of issue.keys) problems.push({ key: k, message: `unknown key${hint(k, schema)}`, value: values[k] });
      return issue.keys.map((k) => `${keySources[k] ? `${keySources[k]}: ` : ''}unknown ${naming === 'flag' ? 'option' : 'key'} '${naming === 'flag' ? flagOf(k) : k}'${hint(k, schema)}`).join('; ');
    }
    if (!key) {
      problems.push({ key: '', message: formatIssues(new z.ZodError([issue])) });
      return problems.at(-1)!.message;
    }
    if (values[key] === undefined && issue.path.length === 1) {
      problems.push({ key, message: 'is required' });
      return `${nameOf(key)} is required`;
    }
    problems.push({ key, message: issue.message, value: values[key] });
    return `${nameOf(key)} ${issue.message} (got ${shownValue(values[key])})`;
  });
  throw new OptionsError(`${typeof source === 'string' && source ? `${source}: ` : ''}${messages.join('; ')}`, problems);
}

/**
 * " (did you mean 'batchSize'?)" for a key given in kebab, snake (PyKEEN's batch_size) or other case, or a typo of
 * one (core/registry.ts's `nearestName`, the registries' rule: an edit away, two for keys of 8 letters or more).
 */
function hint(key: string, schema: z.ZodType): string {
  const keys = schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
  const plain = key.replace(/^-+/, '').replace(/[-_]([a-z])/g, (_, c: string) => c.toUpperCase()).toLowerCase();
  const match = keys.find((k) => k.toLowerCase() === plain) ?? nearestName(plain, keys);
  return match ? ` (did you mean '${match}'?)` : '';
}
