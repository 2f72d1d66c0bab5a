/**
 * `kgdistill kd <method>`: a method of the general distillation module against its baseline with the same budget
 * and seeds. The method comes from the registry of methods (`general/method-registry.ts`): on the digits by
 * default (test accuracy mean ± std and the paired difference), or, with `--dataset <KG>`, the method's port onto
 * the KG training core (dml and dogo: two KGE students vs one by filtered test MRR; fedntd: FedNTD-KGE vs FedE per
 * round; cbd: CBD-KGE by answer frequency). `--list` shows methods and registered losses.
 */
import { Command, Option } from 'commander';
import { initBackend, BACKEND_CHOICES, type BackendRequest } from '../../core/backend.js';
import { OPTIMIZER_NAMES, type OptimizerName } from '../../core/optimizers.js';
import { runDataFromDataset } from '../../core/training-data.js';
import { loadDataset } from '../../kg/dataset.js';
import { METHODS, compareOnDigits, methodNames, methodsWithKgPort, prepareKgPort } from '../../general/method-registry.js';
import { describeLosses } from '../../general/losses/registry.js';
import type { KgPortSettings } from '../../general/kg/port.js';
import { ARCHITECTURES, type Architecture } from '../../general/images/nets/factory.js';
import { modelNames } from '../../registry/models.js';
import { formatComparison } from '../kd-tables.js';
import { formatKgPortReport } from '../kd-port-tables.js';
import { parseParamPairs, parseSeeds } from '../kd-flags.js';
import { intFlag, numberFlag } from '../run-training.js';

interface KdFlags {
  dataset?: string; digits: string; seeds: string; epochs?: string; batchSize?: string; lr?: string; arch?: Architecture; testFraction: string;
  splitSeed: string; param: string[]; backend: BackendRequest; json?: boolean; list?: boolean;
  model: string; dim: string; neg: string; optimizer: OptimizerName; initScale: string;
}

/** Every method (baseline, measure, defaults, KG port) and every loss (equation, paper, defaults). */
function listing(): string {
  const methods = METHODS.entries().map((m) => `  ${m.name.padEnd(8)} ${m.summary}\n           baseline: ${m.images.baseline}; measures: ${m.images.measures}; ` +
    `default --arch ${m.images.defaultArch}, --epochs ${m.images.defaultEpochs}${m.kg ? `\n           KG port (--dataset <KG>, --epochs ${m.kg.defaultEpochs}): ${m.kg.summary}` : ''}`);
  const losses = describeLosses().map((l) => `  ${l.name.padEnd(15)} ${l.summary}\n                  ${l.equation}\n                  ${l.paper}; defaults ${JSON.stringify(l.defaults)}`);
  return `methods (on a knowledge graph, ${methodsWithKgPort().join(', ')} run their KG port):\n${methods.join('\n')}\n\nlosses (registry):\n${losses.join('\n')}`;
}

/** The KGE settings of a port from the flags (KG defaults: batch 500, learning rate 0.1). */
function kgPortSettings(flags: KdFlags): KgPortSettings {
  return {
    model: flags.model,
    dim: intFlag(flags.dim, '--dim'),
    initScale: numberFlag(flags.initScale, '--init-scale'),
    epochs: flags.epochs === undefined ? undefined : intFlag(flags.epochs, '--epochs'),
    batchSize: flags.batchSize === undefined ? 500 : intFlag(flags.batchSize, '--batch-size'),
    learningRate: flags.lr === undefined ? 0.1 : numberFlag(flags.lr, '--lr'),
    optimizer: flags.optimizer,
    negatives: intFlag(flags.neg, '--neg'),
  };
}

/** The method's KG port on the graph `flags.dataset`, printed as its table or JSON. */
async function runOnGraph(method: string, dataset: string, flags: KdFlags, log: (line: string) => void): Promise<void> {
  const name = METHODS.get(method).name;
  const run = prepareKgPort(name, parseParamPairs(flags.param)); // no port or bad parameters: fails before the graph loads
  const settings = kgPortSettings(flags);
  const seeds = parseSeeds(flags.seeds);
  const backend = await initBackend(flags.backend);
  log(`backend ${backend}`);
  const data = runDataFromDataset(await loadDataset(dataset, { unseen: 'keep' }));
  const report = await run(data, settings, seeds, backend, log);
  if (flags.json) process.stdout.write(`${JSON.stringify({ method: name, ...report, backend })}\n`);
  else process.stdout.write(`${formatKgPortReport(report)}\n`);
}

/** The method against its baseline on the digits, printed as a table or JSON. */
async function runOnDigits(method: string, flags: KdFlags, log: (line: string) => void): Promise<void> {
  const options = {
    digits: flags.digits,
    seeds: parseSeeds(flags.seeds),
    epochs: flags.epochs === undefined ? undefined : intFlag(flags.epochs, '--epochs'),
    batchSize: flags.batchSize === undefined ? 64 : intFlag(flags.batchSize, '--batch-size'),
    learningRate: flags.lr === undefined ? 0.003 : numberFlag(flags.lr, '--lr'),
    arch: flags.arch,
    testFraction: numberFlag(flags.testFraction, '--test-fraction'),
    splitSeed: intFlag(flags.splitSeed, '--split-seed'),
    params: parseParamPairs(flags.param),
  };
  METHODS.get(method); // an unknown method fails before the backend starts
  const backend = await initBackend(flags.backend);
  log(`backend ${backend}`);
  const report = await compareOnDigits(method, options, log);
  if (flags.json) process.stdout.write(`${JSON.stringify({ ...report, backend })}\n`);
  else process.stdout.write(`${formatComparison(report)}\n`);
}

/** Adds `kgdistill kd`. */
export function registerKdCommand(program: Command): void {
  const ported = methodsWithKgPort().join(', ');
  program
    .command('kd')
    .description(`general distillation: a method vs its baseline, same budget and seeds, on the digits or (${ported}) a KG; see --list`)
    .argument('[method]', `method: ${methodNames().join(', ')}`)
    .option('--dataset <name|dir>', `a knowledge graph: runs the method's KG port (${ported}) instead of the digits`)
    .option('--digits <name|dir>', 'where the digits are (a directory holding digits.csv.gz, or a name found like a dataset)', 'digits')
    .option('--seeds <n|list>', 'number of seeds (0..n-1) or a comma-separated list', '3')
    .option('--epochs <n>', "epochs of every run (default: the method's, or its KG port's: see --list)")
    .option('--batch-size <n>', 'images per step (default 64), or queries per step on a KG (default 500)')
    .option('--lr <rate>', 'learning rate (default: Adam 0.003 on images, --optimizer 0.1 on a KG)')
    .addOption(new Option('--arch <name>', "network architecture (default: the method's)").choices([...ARCHITECTURES]))
    .option('--test-fraction <f>', 'fraction of each class of the digits held out for testing', '0.25')
    .option('--split-seed <n>', 'seed of the stratified train/test split of the digits', '0')
    .option('--param <key=value>', "method hyper-parameter (repeatable; the method's on the digits, its port's on a KG; see --list)", (value: string, previous: string[]) => [...previous, value], [] as string[])
    .addOption(new Option('--model <name>', `KG port: the KGE students (${modelNames().join(', ')})`).default('DistMult'))
    .option('--dim <d>', 'KG port: embedding dimension', '32')
    .option('--neg <n>', 'KG port (dml, fedntd, cbd): uniform negatives per query', '50')
    .addOption(new Option('--optimizer <name>', 'KG port: optimiser of the KGE models').choices(OPTIMIZER_NAMES as string[]).default('adagrad'))
    .option('--init-scale <s>', 'KG port: standard deviation of the embedding initialisation', '0.1')
    .addOption(new Option('--backend <name>', 'tfjs backend').choices(BACKEND_CHOICES as string[]).default('auto'))
    .option('--list', 'list the methods and the registered losses, then exit')
    .option('--json', 'print one JSON object with the report as the last stdout line')
    .addHelpText('after', `\nMethods (--list for their baselines, parameters and losses):\n${METHODS.describe()}\nWith a KG port (--dataset <KG>): ${ported}.`)
    .action(async (method: string | undefined, flags: KdFlags) => {
      if (flags.list) {
        process.stdout.write(`${listing()}\n`);
        return;
      }
      if (!method) throw new Error(`name a method (${methodNames().join(', ')}) or pass --list`);
      const log = (line: string): void => {
        if (!flags.json) process.stderr.write(`${line}\n`);
      };
      if (flags.dataset !== undefined) await runOnGraph(method, flags.dataset, flags, log);
      else await runOnDigits(method, flags, log);
    });
}
