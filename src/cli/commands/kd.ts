/**
 * `kgdistill kd <method>`: a method of the general distillation module against its baseline on the digits, with
 * the same budget and seeds, printing test accuracy mean ± std for both (and the paired difference).
 * `kgdistill kd --list` lists the methods and the registered losses with their papers and equations.
 */
import { Command, Option } from 'commander';
import { initBackend, BACKEND_CHOICES, type BackendRequest } from '../../core/backend.js';
import { allMethods } from '../../general/methods/registry.js';
import { describeLosses } from '../../general/losses/registry.js';
import { runComparison } from '../../general/runner.js';
import { formatComparison, parseParamPairs, parseSeeds } from '../../general/report.js';
import { ARCHITECTURES, type Architecture } from '../../general/nets/factory.js';
import { intFlag, numberFlag } from '../run-training.js';

interface KdFlags {
  dataset: string; seeds: string; epochs?: string; batchSize: string; lr: string; arch?: Architecture; testFraction: string;
  splitSeed: string; param: string[]; backend: BackendRequest; json?: boolean; list?: boolean;
}

function listing(): string {
  const methods = allMethods().map((m) => `  ${m.name.padEnd(8)} ${m.title}\n           baseline: ${m.baseline}; measures: ${m.measures}; default --arch ${m.defaultArch}, --epochs ${m.defaultEpochs}`);
  const losses = describeLosses().map((l) => `  ${l.name.padEnd(15)} ${l.summary}\n                  ${l.equation}\n                  ${l.paper}; defaults ${JSON.stringify(l.defaults)}`);
  return `methods:\n${methods.join('\n')}\n\nlosses (registry):\n${losses.join('\n')}`;
}

/** Adds `kgdistill kd`. */
export function registerKdCommand(program: Command): void {
  program
    .command('kd')
    .description('general distillation on real images: a method vs its baseline, same budget and seeds (see --list)')
    .argument('[method]', 'method: kd, dml, dcm, ffsd, dogo, lad, co-lad')
    .option('--dataset <name|dir>', 'image data set (the digits directory)', 'digits')
    .option('--seeds <n|list>', 'number of seeds (0..n-1) or a comma-separated list', '3')
    .option('--epochs <n>', "epochs of every run (default: the method's)")
    .option('--batch-size <n>', 'images per step', '64')
    .option('--lr <rate>', 'Adam learning rate', '0.003')
    .addOption(new Option('--arch <name>', "network architecture (default: the method's)").choices([...ARCHITECTURES]))
    .option('--test-fraction <f>', 'fraction of each class held out for testing', '0.25')
    .option('--split-seed <n>', 'seed of the stratified train/test split', '0')
    .option('--param <key=value>', 'method hyper-parameter (repeatable; see --list)', (value: string, previous: string[]) => [...previous, value], [] as string[])
    .addOption(new Option('--backend <name>', 'tfjs backend').choices(BACKEND_CHOICES as string[]).default('auto'))
    .option('--list', 'list the methods and the registered losses, then exit')
    .option('--json', 'print one JSON object with the report as the last stdout line')
    .action(async (method: string | undefined, flags: KdFlags) => {
      if (flags.list) {
        process.stdout.write(`${listing()}\n`);
        return;
      }
      if (!method) throw new Error(`name a method (${allMethods().map((m) => m.name).join(', ')}) or pass --list`);
      const backend = await initBackend(flags.backend);
      const log = (line: string): void => {
        if (!flags.json) process.stderr.write(`${line}\n`);
      };
      log(`backend ${backend}`);
      const report = await runComparison({
        method,
        dataset: flags.dataset,
        seeds: parseSeeds(flags.seeds),
        epochs: flags.epochs === undefined ? undefined : intFlag(flags.epochs, '--epochs'),
        batchSize: intFlag(flags.batchSize, '--batch-size'),
        learningRate: numberFlag(flags.lr, '--lr'),
        arch: flags.arch,
        testFraction: numberFlag(flags.testFraction, '--test-fraction'),
        splitSeed: intFlag(flags.splitSeed, '--split-seed'),
        params: parseParamPairs(flags.param),
      }, log);
      if (flags.json) process.stdout.write(`${JSON.stringify({ ...report, backend })}\n`);
      else process.stdout.write(`${formatComparison(report)}\n`);
    });
}
