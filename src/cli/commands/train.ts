/** `kgdistill train`: train a KGE model on a dataset, validate, early-stop, checkpoint, and evaluate on test. */
import path from 'node:path';
import { existsSync } from 'node:fs';
import { Command, Option } from 'commander';
import { loadDataset } from '../../kg/dataset.js';
import { initBackend, BACKEND_CHOICES, type BackendRequest } from '../../core/backend.js';
import { parseTrainingConfig, type TrainingConfig } from '../../core/training-config.js';
import { runDataFromDataset, requireSameVocabulary } from '../../core/training-data.js';
import { ModelRuntime } from '../../core/model-runtime.js';
import { Trainer } from '../../core/trainer.js';
import { loadCheckpoint } from '../../core/checkpoint.js';
import { writeFileAtomic } from '../../core/atomic-file.js';
import { evaluateSplit } from '../../core/evaluate-run.js';
import { OPTIMIZER_NAMES } from '../../core/optimizers.js';
import { createModel, modelFromConfig, modelNames } from '../../models/registry.js';
import { loadRun } from '../../models/load-run.js';
import type { UnseenPolicy } from '../../kg/types.js';
import { progressEvents } from '../progress.js';
import { evaluationJson, formatEvaluation } from '../report-format.js';

interface TrainFlags {
  dataset: string; model: string; dim: string; epochs: string; batchSize: string; lr: string; optimizer: string;
  neg: string; oneToN?: boolean; doubleNeg?: boolean; reg: string; regWeight: string; validEvery: string; patience: string;
  seed: string; backend: BackendRequest; path: 'auto' | 'fused' | 'tfjs'; out?: string; resume?: boolean; json?: boolean;
  unseen: UnseenPolicy; initScale: string; testEval: boolean;
}

function toInt(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new Error(`${flag} must be an integer (got '${value}')`);
  return n;
}

function toNumber(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new Error(`${flag} must be a number (got '${value}')`);
  return n;
}

function configFromFlags(flags: TrainFlags): TrainingConfig {
  return parseTrainingConfig({
    epochs: toInt(flags.epochs, '--epochs'),
    batchSize: toInt(flags.batchSize, '--batch-size'),
    learningRate: toNumber(flags.lr, '--lr'),
    optimizer: flags.optimizer,
    negatives: flags.oneToN ? 0 : toInt(flags.neg, '--neg'),
    doubleNegatives: Boolean(flags.doubleNeg),
    regularizer: flags.reg,
    regularizerWeight: toNumber(flags.regWeight, '--reg-weight'),
    validEvery: toInt(flags.validEvery, '--valid-every'),
    patience: toInt(flags.patience, '--patience'),
    seed: toInt(flags.seed, '--seed'),
    path: flags.path,
  });
}

/** Adds `kgdistill train`. */
export function registerTrainCommand(program: Command): void {
  program
    .command('train')
    .description('train a knowledge-graph embedding and evaluate it (filtered MRR, Hits@1/3/10)')
    .requiredOption('--dataset <name|dir>', 'dataset name (FB15k-237, WN18RR, …) or a directory with train/valid/test files')
    .addOption(new Option('--model <name>', `model: ${modelNames().join(', ')}`).default('DistMult'))
    .option('--dim <d>', 'embedding dimension (real numbers per entity)', '32')
    .option('--epochs <n>', 'maximum number of epochs', '100')
    .option('--batch-size <n>', 'training queries per step', '500')
    .option('--lr <rate>', 'learning rate', '0.05')
    .addOption(new Option('--optimizer <name>', 'optimiser').choices(OPTIMIZER_NAMES as string[]).default('adagrad'))
    .option('--neg <n>', 'uniform negatives per query', '50')
    .option('--one-to-n', 'score every query against all entities with cross-entropy instead of sampling negatives')
    .option('--double-neg', 'negatives corrupt head and tail together (Chami et al. 2020, --double_neg)')
    .addOption(new Option('--reg <name>', 'regulariser').choices(['none', 'n3', 'l2']).default('none'))
    .option('--reg-weight <w>', 'regulariser weight', '0')
    .option('--valid-every <n>', 'validate (filtered MRR) and checkpoint every n epochs', '5')
    .option('--patience <n>', 'stop after n validations without improvement (0: never)', '10')
    .option('--seed <n>', 'random seed (same seed and backend give the same numbers)', '0')
    .option('--init-scale <s>', 'standard deviation of the embedding initialisation', '0.001')
    .addOption(new Option('--backend <name>', 'tfjs backend').choices(BACKEND_CHOICES as string[]).default('auto'))
    .addOption(new Option('--path <p>', 'sampled-scoring path (auto: fused kernels unless the backend is native)').choices(['auto', 'fused', 'tfjs']).default('auto'))
    .addOption(new Option('--unseen <policy>', 'valid/test triples with entities or relations not in train').choices(['drop', 'keep', 'error']).default('drop'))
    .option('--out <dir>', 'run directory (default runs/<dataset>-<model>-d<dim>-s<seed>)')
    .option('--resume', 'continue the run in --out from its last checkpoint')
    .option('--no-test-eval', 'skip the final evaluation on the test split')
    .option('--json', 'print one JSON object with the results as the last stdout line')
    .action(async (flags: TrainFlags, command: Command) => {
      const backend = await initBackend(flags.backend);
      const dataset = await loadDataset(flags.dataset, { unseen: flags.unseen });
      const data = runDataFromDataset(dataset);
      let config = configFromFlags(flags);
      const runDir = path.resolve(flags.out ?? path.join('runs', `${dataset.name}-${flags.model}-d${flags.dim}-s${flags.seed}`));
      let runtime: ModelRuntime;
      let trainer: Trainer;
      if (flags.resume) {
        const saved = await loadCheckpoint(runDir, 'last');
        requireSameVocabulary(path.join(runDir, 'last.json'), saved.header.vocab, data);
        const epochs = command.getOptionValueSource('epochs') === 'cli' ? config.epochs : undefined;
        config = parseTrainingConfig({ ...saved.header.training, backend: undefined, ...(epochs ? { epochs } : {}) });
        runtime = await ModelRuntime.create(modelFromConfig(saved.header.model));
        trainer = await Trainer.resume(runtime, data, config, runDir, backend);
      } else {
        if (existsSync(path.join(runDir, 'last.json'))) throw new Error(`${runDir} already holds a run: pass --resume to continue it or --out for a new one`);
        const model = createModel(flags.model, { dim: toInt(flags.dim, '--dim'), numEntities: data.numEntities, numRelations: data.numRelations, initScale: toNumber(flags.initScale, '--init-scale') });
        runtime = await ModelRuntime.create(model, config.seed);
        trainer = new Trainer(runtime, data, config, runDir, backend);
      }
      const log = (line: string): void => {
        if (!flags.json) process.stderr.write(`${line}\n`);
      };
      log(`${runtime.model.config.model} d=${runtime.model.config.dim} on ${dataset.name} (${data.numEntities} entities, ${data.numRelations} relations, ${data.train.length / 3} train triples); backend ${backend}; run dir ${runDir}`);
      const events = progressEvents({ quiet: flags.json, totalEpochs: config.epochs, label: 'train' });
      const result = await trainer.run(events);
      events.stop();
      log(`trained ${result.epochs} epochs in ${(result.seconds / 60).toFixed(1)} min (${result.scoringPath} scoring); best valid MRR ${result.bestValidMrr.toFixed(4)} at epoch ${result.bestEpoch}`);
      const summary: Record<string, unknown> = { model: runtime.model.config.model, dim: runtime.model.config.dim, dataset: dataset.name, backend, seconds: result.seconds, epochs: result.epochs, bestEpoch: result.bestEpoch, bestValidMrr: result.bestValidMrr, scoringPath: result.scoringPath, runDir, seed: config.seed };
      if (flags.testEval) {
        const best = await loadRun(runDir);
        const report = await evaluateSplit(best.runtime, data, 'test');
        log(`test split, ${path.basename(best.file, '.json')} checkpoint:\n${formatEvaluation(report)}`);
        const json = evaluationJson(report, { split: 'test', ...summary });
        await writeFileAtomic(path.join(runDir, 'result.json'), JSON.stringify({ format: 'kgdistill-result', version: 1, ...json }, null, 2));
        if (flags.json) process.stdout.write(`${JSON.stringify(json)}\n`);
      } else if (flags.json) {
        process.stdout.write(`${JSON.stringify(summary)}\n`);
      }
    });
}
