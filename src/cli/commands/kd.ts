/**
 * `kgdistill kd <method>`: a method of the general distillation module against its baseline with the same budget
 * and seeds, printing accuracy mean ± std for both (and the paired difference). On the digits (the default
 * `--dataset`) every method runs; on a knowledge graph (`--dataset WN18RR`, …) `dml` and `dogo` run their KG port:
 * two KGE students trained together vs one, by filtered test MRR; `fedntd` runs FedNTD-KGE vs FedE over
 * relation-partitioned clients (MRR per round) and `cbd` CBD for long-tail entities (MRR by answer frequency).
 * `--list` shows methods and registered losses.
 */
import { Command, Option } from 'commander';
import { z } from 'zod';
import { initBackend, BACKEND_CHOICES, type BackendRequest } from '../../core/backend.js';
import { OPTIMIZER_NAMES, type OptimizerName } from '../../core/optimizers.js';
import { loadDataset } from '../../kg/dataset.js';
import { runDataFromDataset } from '../../core/training-data.js';
import { allMethods } from '../../general/methods/registry.js';
import { describeLosses } from '../../general/losses/registry.js';
import { runComparison } from '../../general/runner.js';
import { resolveDigitsDir } from '../../general/data/digits.js';
import { runKgComparison } from '../../general/kg/peer-run.js';
import { formatComparison, formatKgComparison, parseParamPairs, parseSeeds } from '../../general/report.js';
import { runFedKgeComparison } from '../../general/kg/fed-kge-run.js';
import { runCbdKgeComparison } from '../../general/kg/cbd-kge-run.js';
import { cbdKgeOptions, fedKgeOptions, type KgPortFlags } from '../../general/kg/port-params.js';
import { formatCbdKgeComparison, formatFedKgeComparison } from '../../general/kg/port-report.js';
import { ARCHITECTURES, type Architecture } from '../../general/nets/factory.js';
import { modelNames } from '../../registry/models.js';
import { intFlag, numberFlag } from '../run-training.js';

interface KdFlags {
  dataset: string; seeds: string; epochs?: string; batchSize?: string; lr?: string; arch?: Architecture; testFraction: string;
  splitSeed: string; param: string[]; backend: BackendRequest; json?: boolean; list?: boolean;
  model: string; dim: string; neg: string; optimizer: OptimizerName; initScale: string;
}

/** Hyper-parameters of the KG port (`--param`). */
const kgParamsSchema = z.object({ weight: z.number().nonnegative().default(1), temperature: z.number().positive().default(1) }).strict();

function listing(): string {
  const methods = allMethods().map((m) => `  ${m.name.padEnd(8)} ${m.title}\n           baseline: ${m.baseline}; measures: ${m.measures}; default --arch ${m.defaultArch}, --epochs ${m.defaultEpochs}`);
  const losses = describeLosses().map((l) => `  ${l.name.padEnd(15)} ${l.summary}\n                  ${l.equation}\n                  ${l.paper}; defaults ${JSON.stringify(l.defaults)}`);
  return `methods (on a knowledge graph, dml, dogo, fedntd and cbd run their KG port):\n${methods.join('\n')}\n\nlosses (registry):\n${losses.join('\n')}`;
}

/** True when the dataset spec names the image data (a directory holding digits.csv.gz). */
function isImageDataset(spec: string): boolean {
  try {
    resolveDigitsDir(spec);
    return true;
  } catch {
    return false;
  }
}

/** FedNTD-KGE vs FedE, or CBD-KGE against its baselines, on a knowledge graph. */
async function runFedOrCbdPort(method: 'fedntd' | 'cbd', flags: KdFlags, log: (line: string) => void): Promise<void> {
  const shared: KgPortFlags = {
    model: flags.model,
    dim: intFlag(flags.dim, '--dim'),
    initScale: numberFlag(flags.initScale, '--init-scale'),
    epochs: flags.epochs === undefined ? undefined : intFlag(flags.epochs, '--epochs'),
    batchSize: flags.batchSize === undefined ? 500 : intFlag(flags.batchSize, '--batch-size'),
    learningRate: flags.lr === undefined ? 0.1 : numberFlag(flags.lr, '--lr'),
    optimizer: flags.optimizer,
    negatives: intFlag(flags.neg, '--neg'),
  };
  const params = parseParamPairs(flags.param);
  const options = method === 'fedntd' ? fedKgeOptions(shared, params) : cbdKgeOptions(shared, params);
  const backend = await initBackend(flags.backend);
  log(`backend ${backend}`);
  const data = runDataFromDataset(await loadDataset(flags.dataset, { unseen: 'keep' }));
  const seeds = parseSeeds(flags.seeds);
  const report = method === 'fedntd'
    ? await runFedKgeComparison(data, options as ReturnType<typeof fedKgeOptions>, seeds, backend, log)
    : await runCbdKgeComparison(data, options as ReturnType<typeof cbdKgeOptions>, seeds, backend, log);
  if (flags.json) process.stdout.write(`${JSON.stringify({ method, ...report, backend })}\n`);
  else process.stdout.write(`${method === 'fedntd' ? formatFedKgeComparison(report as Awaited<ReturnType<typeof runFedKgeComparison>>) : formatCbdKgeComparison(report as Awaited<ReturnType<typeof runCbdKgeComparison>>)}\n`);
}

async function runKgPortCommand(method: string, flags: KdFlags, log: (line: string) => void): Promise<void> {
  if (method === 'fedntd' || method === 'cbd') return runFedOrCbdPort(method, flags, log);
  if (method !== 'dml' && method !== 'dogo') throw new Error(`on a knowledge graph only dml and dogo have a port (got '${method}') besides the federated and long-tail ports fedntd and cbd; use --dataset digits for the others`);
  const parsed = kgParamsSchema.safeParse(parseParamPairs(flags.param));
  if (!parsed.success) throw new Error(`invalid parameters for the KG port of '${method}': ${parsed.error.issues.map((i) => `${i.path.length > 0 ? `${i.path.join('.')}: ` : ''}${i.message}`).join('; ')}`);
  const backend = await initBackend(flags.backend);
  log(`backend ${backend}`);
  const data = runDataFromDataset(await loadDataset(flags.dataset, { unseen: 'keep' }));
  const report = await runKgComparison(data, method, {
    model: flags.model,
    dim: intFlag(flags.dim, '--dim'),
    epochs: flags.epochs === undefined ? 10 : intFlag(flags.epochs, '--epochs'),
    batchSize: flags.batchSize === undefined ? 500 : intFlag(flags.batchSize, '--batch-size'),
    learningRate: flags.lr === undefined ? 0.1 : numberFlag(flags.lr, '--lr'),
    optimizer: flags.optimizer,
    negatives: intFlag(flags.neg, '--neg'),
    initScale: numberFlag(flags.initScale, '--init-scale'),
    ...parsed.data,
  }, parseSeeds(flags.seeds), backend, log);
  if (flags.json) process.stdout.write(`${JSON.stringify({ ...report, backend })}\n`);
  else process.stdout.write(`${formatKgComparison(report)}\n`);
}

/** Adds `kgdistill kd`. */
export function registerKdCommand(program: Command): void {
  program
    .command('kd')
    .description('general distillation: a method vs its baseline, same budget and seeds, on the digits or (dml, dogo, fedntd, cbd) a KG; see --list')
    .argument('[method]', `method: ${allMethods().map((m) => m.name).join(', ')}`)
    .option('--dataset <name|dir>', 'the digits (default), or a knowledge graph for the KG port of dml, dogo, fedntd and cbd', 'digits')
    .option('--seeds <n|list>', 'number of seeds (0..n-1) or a comma-separated list', '3')
    .option('--epochs <n>', "epochs of every run (default: the method's; KG port 10, fedntd 16 rounds, cbd 20)")
    .option('--batch-size <n>', 'images per step (default 64), or queries per step on a KG (default 500)')
    .option('--lr <rate>', 'learning rate (default: Adam 0.003 on images, --optimizer 0.1 on a KG)')
    .addOption(new Option('--arch <name>', "network architecture (default: the method's)").choices([...ARCHITECTURES]))
    .option('--test-fraction <f>', 'fraction of each class held out for testing', '0.25')
    .option('--split-seed <n>', 'seed of the stratified train/test split', '0')
    .option('--param <key=value>', 'method hyper-parameter (repeatable; see --list; KG port: weight, temperature; fedntd: clients, localEpochs, beta, temperature; cbd: teachers, alpha, temperature, power, rareMax, frequentMin)', (value: string, previous: string[]) => [...previous, value], [] as string[])
    .addOption(new Option('--model <name>', `KG port: the KGE students (${modelNames().join(', ')})`).default('DistMult'))
    .option('--dim <d>', 'KG port: embedding dimension', '32')
    .option('--neg <n>', 'KG port (dml, fedntd, cbd): uniform negatives per query', '50')
    .addOption(new Option('--optimizer <name>', 'KG port: optimiser of both students').choices(OPTIMIZER_NAMES as string[]).default('adagrad'))
    .option('--init-scale <s>', 'KG port: standard deviation of the embedding initialisation', '0.1')
    .addOption(new Option('--backend <name>', 'tfjs backend').choices(BACKEND_CHOICES as string[]).default('auto'))
    .option('--list', 'list the methods and the registered losses, then exit')
    .option('--json', 'print one JSON object with the report as the last stdout line')
    .action(async (method: string | undefined, flags: KdFlags) => {
      if (flags.list) {
        process.stdout.write(`${listing()}\n`);
        return;
      }
      if (!method) throw new Error(`name a method (${allMethods().map((m) => m.name).join(', ')}) or pass --list`);
      const log = (line: string): void => {
        if (!flags.json) process.stderr.write(`${line}\n`);
      };
      if (!isImageDataset(flags.dataset)) {
        await runKgPortCommand(method.toLowerCase(), flags, log);
        return;
      }
      const backend = await initBackend(flags.backend);
      log(`backend ${backend}`);
      const report = await runComparison({
        method,
        dataset: flags.dataset,
        seeds: parseSeeds(flags.seeds),
        epochs: flags.epochs === undefined ? undefined : intFlag(flags.epochs, '--epochs'),
        batchSize: flags.batchSize === undefined ? 64 : intFlag(flags.batchSize, '--batch-size'),
        learningRate: flags.lr === undefined ? 0.003 : numberFlag(flags.lr, '--lr'),
        arch: flags.arch,
        testFraction: numberFlag(flags.testFraction, '--test-fraction'),
        splitSeed: intFlag(flags.splitSeed, '--split-seed'),
        params: parseParamPairs(flags.param),
      }, log);
      if (flags.json) process.stdout.write(`${JSON.stringify({ ...report, backend })}\n`);
      else process.stdout.write(`${formatComparison(report)}\n`);
    });
}
