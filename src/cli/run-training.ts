/**
 * What `train` and `distill` share: the training flags, turning them into a validated config, and running a
 * training job end to end (backend, dataset, new or resumed run, progress, final test evaluation, result.json,
 * `--json` line). The commands differ only in the model they build and the objective they train it with.
 */
import path from 'node:path';
import { existsSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { loadDataset } from '../kg/dataset.js';
import type { UnseenPolicy } from '../kg/types.js';
import { initBackend, BACKEND_CHOICES, type BackendRequest } from '../core/backend.js';
import { parseTrainingConfig, type TrainingConfig } from '../core/training-config.js';
import { runDataFromDataset, requireSameVocabulary, type RunData } from '../core/training-data.js';
import { ModelRuntime } from '../core/model-runtime.js';
import { Trainer } from '../core/trainer.js';
import type { TrainingObjective } from '../core/training-objective.js';
import type { KgeModel } from '../core/model.js';
import { loadCheckpoint } from '../core/checkpoint.js';
import { writeFileAtomic } from '../core/atomic-file.js';
import { evaluateSplit, filteredValidator } from '../eval/evaluate-run.js';
import { OPTIMIZER_NAMES } from '../core/optimizers.js';
import { modelFromConfig } from '../registry/models.js';
import { loadRun } from '../registry/load-run.js';
import { progressEvents } from './progress.js';
import { evaluationJson, formatEvaluation } from './report-format.js';

/** The flags every training command accepts. */
export interface TrainingFlags {
  dataset: string; dim: string; epochs: string; batchSize: string; lr: string; optimizer: string; neg: string;
  oneToN?: boolean; doubleNeg?: boolean; reg: string; regWeight: string; validEvery: string; patience: string;
  seed: string; backend: BackendRequest; path: 'auto' | 'fused' | 'tfjs'; out?: string; resume?: boolean;
  json?: boolean; unseen: UnseenPolicy; initScale: string; testEval: boolean;
}

/** Defaults that differ between commands. */
export interface TrainingDefaults { epochs: string; lr: string; optimizer: string; neg: string; patience: string; unseen: UnseenPolicy }

/** Parses an integer flag or throws naming it. */
export function intFlag(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new Error(`${flag} must be an integer (got '${value}')`);
  return n;
}

/** Parses a number flag or throws naming it. */
export function numberFlag(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new Error(`${flag} must be a number (got '${value}')`);
  return n;
}

/** Adds the shared training flags, with their defaults shown in --help. */
export function addTrainingOptions(command: Command, defaults: TrainingDefaults): Command {
  return command
    .requiredOption('--dataset <name|dir>', 'dataset name (FB15k-237, WN18RR, …) or a directory with train/valid/test files')
    .option('--dim <d>', 'embedding dimension (real numbers per entity)', '32')
    .option('--epochs <n>', 'maximum number of epochs', defaults.epochs)
    .option('--batch-size <n>', 'training queries per step', '500')
    .option('--lr <rate>', 'learning rate', defaults.lr)
    .addOption(new Option('--optimizer <name>', 'optimiser').choices(OPTIMIZER_NAMES as string[]).default(defaults.optimizer))
    .option('--neg <n>', 'uniform negatives per query', defaults.neg)
    .option('--valid-every <n>', 'validate (filtered MRR) and checkpoint every n epochs', '5')
    .option('--patience <n>', 'stop after n validations without improvement (0: never)', defaults.patience)
    .option('--seed <n>', 'random seed (same seed and backend give the same numbers)', '0')
    .option('--init-scale <s>', 'standard deviation of the embedding initialisation', '0.001')
    .addOption(new Option('--backend <name>', 'tfjs backend').choices(BACKEND_CHOICES as string[]).default('auto'))
    .addOption(new Option('--path <p>', 'sampled-scoring path (auto: fused kernels unless the backend is native)').choices(['auto', 'fused', 'tfjs']).default('auto'))
    .addOption(new Option('--unseen <policy>', 'valid/test triples with entities or relations not in train').choices(['drop', 'keep', 'error']).default(defaults.unseen))
    .option('--out <dir>', 'run directory (default runs/<dataset>-<model>-d<dim>-s<seed>)')
    .option('--resume', 'continue the run in --out from its last checkpoint')
    .option('--no-test-eval', 'skip the final evaluation on the test split')
    .option('--json', 'print one JSON object with the results as the last stdout line');
}

/** The validated training config of the flags. */
export function configFromFlags(flags: TrainingFlags): TrainingConfig {
  return parseTrainingConfig({
    epochs: intFlag(flags.epochs, '--epochs'),
    batchSize: intFlag(flags.batchSize, '--batch-size'),
    learningRate: numberFlag(flags.lr, '--lr'),
    optimizer: flags.optimizer,
    negatives: flags.oneToN ? 0 : intFlag(flags.neg, '--neg'),
    doubleNegatives: Boolean(flags.doubleNeg),
    regularizer: flags.reg ?? 'none',
    regularizerWeight: numberFlag(flags.regWeight ?? '0', '--reg-weight'),
    validEvery: intFlag(flags.validEvery, '--valid-every'),
    patience: intFlag(flags.patience, '--patience'),
    seed: intFlag(flags.seed, '--seed'),
    path: flags.path,
  });
}

/** What a command contributes to a training job. */
export interface TrainingJob {
  label: string;
  /** The model of a new run (not called on --resume). */
  createModel(data: RunData): KgeModel;
  /** The objective (default: the KGE objective of the config). */
  objective?(runtime: ModelRuntime, data: RunData, backend: string): Promise<TrainingObjective> | TrainingObjective;
  /** Extra fields for the result. */
  describe?(): Record<string, unknown>;
}

/** Runs a training job from its flags: train (or resume), then evaluate the best checkpoint on test. */
export async function runTrainingJob(flags: TrainingFlags, command: Command, job: TrainingJob, runName: (datasetName: string) => string): Promise<void> {
  const backend = await initBackend(flags.backend);
  if (flags.resume && !flags.out) throw new Error('--resume needs --out <run dir> (the run to continue)');
  const saved = flags.resume ? await loadCheckpoint(path.resolve(flags.out!), 'last') : undefined;
  // A resumed run reloads its dataset the way it was loaded, unless --unseen is given explicitly.
  const unseen = saved && command.getOptionValueSource('unseen') !== 'cli' ? saved.header.dataset.unseen ?? flags.unseen : flags.unseen;
  const dataset = await loadDataset(flags.dataset, { unseen });
  const data = runDataFromDataset(dataset);
  let config = configFromFlags(flags);
  const runDir = path.resolve(flags.out ?? path.join('runs', runName(dataset.name)));
  let runtime: ModelRuntime;
  let trainer: Trainer;
  if (saved) {
    requireSameVocabulary(path.join(runDir, 'last.json'), saved.header.vocab, data);
    const epochs = command.getOptionValueSource('epochs') === 'cli' ? config.epochs : undefined;
    config = parseTrainingConfig({ ...saved.header.training, backend: undefined, ...(epochs ? { epochs } : {}) });
    runtime = await ModelRuntime.create(modelFromConfig(saved.header.model));
    const objective = await job.objective?.(runtime, data, backend);
    trainer = await Trainer.resume(runtime, data, config, runDir, backend, { validator: filteredValidator(data, config.evalBatchSize), objective });
  } else {
    if (existsSync(path.join(runDir, 'last.json'))) throw new Error(`${runDir} already holds a run: pass --resume to continue it or --out for a new one`);
    runtime = await ModelRuntime.create(job.createModel(data), config.seed);
    const objective = await job.objective?.(runtime, data, backend);
    trainer = new Trainer(runtime, data, config, runDir, backend, { validator: filteredValidator(data, config.evalBatchSize), objective });
  }
  const log = (line: string): void => {
    if (!flags.json) process.stderr.write(`${line}\n`);
  };
  const { model: modelName, dim } = runtime.model.config;
  log(`${modelName} d=${dim} on ${dataset.name} (${data.numEntities} entities, ${data.numRelations} relations, ${data.train.length / 3} train triples); backend ${backend}; run dir ${runDir}`);
  const events = progressEvents({ quiet: flags.json, totalEpochs: config.epochs, label: job.label });
  const result = await trainer.run(events);
  events.stop();
  log(`trained ${result.epochs} epochs in ${(result.seconds / 60).toFixed(1)} min (${result.scoringPath} scoring); best valid MRR ${result.bestValidMrr.toFixed(4)} at epoch ${result.bestEpoch}`);
  const summary: Record<string, unknown> = { model: modelName, dim, dataset: dataset.name, backend, seconds: result.seconds, epochs: result.epochs, bestEpoch: result.bestEpoch, bestValidMrr: result.bestValidMrr, scoringPath: result.scoringPath, runDir, seed: config.seed, ...job.describe?.() };
  if (!flags.testEval) {
    if (flags.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
    return;
  }
  const best = await loadRun(runDir);
  const report = await evaluateSplit(best.runtime, data, 'test');
  log(`test split, ${path.basename(best.file, '.json')} checkpoint:\n${formatEvaluation(report)}`);
  const json = evaluationJson(report, { split: 'test', ...summary });
  await writeFileAtomic(path.join(runDir, 'result.json'), JSON.stringify({ format: 'kgdistill-result', version: 1, ...json }, null, 2));
  if (flags.json) process.stdout.write(`${JSON.stringify(json)}\n`);
}
