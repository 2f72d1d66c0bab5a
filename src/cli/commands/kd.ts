/**
 * `kgdistill kd <method>`: a method of the general distillation module against its baseline with the same budget
 * and seeds. The method comes from the registry of methods (`general/method-registry.ts`): on the digits by
 * default (test accuracy mean ± std and the paired difference), or, with `--dataset <KG>`, the method's port onto
 * the KG training core (dml and dogo: two KGE students vs one by filtered test MRR; fedntd: FedNTD-KGE vs FedE per
 * round; cbd: CBD-KGE by answer frequency). Options follow `kdOptionsSchema` (also from `--config`); `--list` shows
 * methods and registered losses.
 */
import type { Command } from 'commander';
import type { z } from 'zod';
import { InvalidParametersError, describeParameters, parameterDefaults } from '../../core/registry.js';
import { initBackend, BACKEND_CHOICES, type BackendRequest } from '../../core/backend.js';
import { OPTIMIZER_NAMES, type OptimizerName } from '../../core/optimizers.js';
import { runDataFromDataset } from '../../core/training-data.js';
import { emptySplitError, loadDataset, type KgDataset } from '../../kg/dataset.js';
import { tripleCount } from '../../kg/types.js';
import { METHODS, compareOnDigits, methodNames, methodsWithKgPort, noKgPortReason, parseMethodParams, prepareKgPort } from '../../general/method-registry.js';
import { describeLosses } from '../../general/losses/registry.js';
import { ARCHITECTURES, type Architecture } from '../../general/images/nets/factory.js';
import { modelNames } from '../../registry/models.js';
import { kdOptionsSchema, seedsOf, type KdSettings } from '../../pipeline/kd-options.js';
import { loadOptionsOf, optionName, parseOptions } from '../../pipeline/options.js';
import { conflictingOptions, refusedOption } from '../../pipeline/options-error.js';
import { formatComparison } from '../kd-tables.js';
import { formatKgPortReport } from '../kd-port-tables.js';
import { addFlags, DATA_FLAGS, givenOptionsWithSources, type FlagSpec } from '../run-options.js';

const FLAGS: readonly FlagSpec[] = [
  { key: 'dataset', kind: 'string', arg: '<name|dir>', description: `a knowledge graph: runs the method's KG port (${methodsWithKgPort().join(', ')}) instead of the digits` },
  ...DATA_FLAGS,
  { key: 'digits', kind: 'string', arg: '<name|dir>', description: 'where the digits are (a directory holding digits.csv.gz, or a name found like a dataset)' },
  { key: 'seeds', kind: 'numbers', arg: '<n|list>', description: "number of seeds (0..n-1), or a comma-separated list of distinct seeds (one seed: '5,')" },
  { key: 'epochs', kind: 'number', arg: '<n>', description: "epochs of every run, or what the method counts instead (fedntd, fedx: rounds; simclrv2, stream: see --list); default: the method's, or its KG port's" },
  { key: 'batchSize', kind: 'number', arg: '<n>', description: 'images per step (default 64), or queries per step on a KG (default 500)' },
  { key: 'lr', kind: 'number', arg: '<rate>', description: 'learning rate (default: Adam 0.003 on images, --optimizer 0.1 on a KG; fedntd and fedx on images: --param lr)' },
  { key: 'arch', kind: 'string', arg: '<name>', description: "network architecture (default: the method's)", choices: ARCHITECTURES },
  { key: 'testFraction', kind: 'number', arg: '<f>', description: 'fraction of each class of the digits held out for testing' },
  { key: 'splitSeed', kind: 'number', arg: '<n>', description: 'seed of the stratified train/test split of the digits' },
  { key: 'params', flag: '--param', kind: 'pairs', arg: '<key=value>', description: "method hyper-parameter (repeatable; the method's on the digits, its port's on a KG; see --list)" },
  { key: 'model', kind: 'string', arg: '<name>', description: `KG port: the KGE students (${modelNames().join(', ')})` },
  { key: 'dim', kind: 'number', arg: '<d>', description: 'KG port: embedding dimension' },
  { key: 'neg', kind: 'number', arg: '<n>', description: 'KG port (dml, fedntd, cbd): uniform negatives per query' },
  { key: 'optimizer', kind: 'string', arg: '<name>', description: 'KG port: optimiser of the KGE models', choices: OPTIMIZER_NAMES },
  { key: 'initScale', kind: 'number', arg: '<s>', description: 'KG port: standard deviation of the embedding initialisation' },
  { key: 'backend', kind: 'string', arg: '<name>', description: 'tfjs backend', choices: BACKEND_CHOICES },
];

/** The KG ports that draw `--neg` uniform negatives (dogo's contrast is in-batch). */
const PORTS_WITH_NEGATIVES = ['dml', 'fedntd', 'cbd'];

/** Options only the digits use, and options only a KG port uses: given on the other side, they would be ignored. */
const DIGITS_ONLY = ['digits', 'arch', 'testFraction', 'splitSeed'] as const;
const KG_ONLY = ['model', 'dim', 'neg', 'optimizer', 'initScale', ...DATA_FLAGS.map((f) => f.key)] as const;

/**
 * Refuses options (flags or --config keys) that the chosen side (digits, or a KG with --dataset) would ignore; a key
 * from the --config file is named as `--config <file>:<line>: key '<key>'` (`keySources`), a flag by its flag. The
 * refusal is an OptionsError (`conflictingOptions`: a usage error, exit 2), as is refuseOptionsUnusedByMethod's.
 */
export function refuseOtherSideOptions(given: Record<string, unknown>, keySources: Record<string, string> = {}): void {
  const onGraph = given.dataset !== undefined;
  const nameOf = (key: string): string => optionName(key, keySources, 'flag');
  const unused = (onGraph ? DIGITS_ONLY : KG_ONLY).filter((key) => given[key] !== undefined).map(nameOf);
  if (unused.length === 0) return;
  const verb = unused.length === 1 ? 'applies' : 'apply';
  const keys = [...(onGraph ? DIGITS_ONLY : KG_ONLY).filter((key) => given[key] !== undefined), ...(onGraph ? ['dataset'] : [])];
  throw conflictingOptions(onGraph
    ? `${unused.join(', ')} ${verb} to the digits only: with --dataset the method's KG port runs on the graph; drop ${unused.join(', ')}, or drop --dataset to run on the digits`
    : `${unused.join(', ')} ${verb} to a KG port only: give --dataset <KG> to run the method's port on a graph, or drop ${unused.join(', ')}`, keys, given);
}

/**
 * Refuses options the chosen method would ignore: `--lr` for a method whose parameters set its optimiser (FedNTD and
 * FedX train their clients with momentum SGD at `--param lr`), `--neg` for a KG port without uniform negatives (dogo's
 * contrast is in-batch); named as `refuseOtherSideOptions` names them.
 */
export function refuseOptionsUnusedByMethod(method: string, given: Record<string, unknown>, keySources: Record<string, string> = {}): void {
  const nameOf = (key: string): string => optionName(key, keySources, 'flag');
  const entry = METHODS.get(method);
  const values = { ...given, method };
  if (given.dataset === undefined && given.lr !== undefined && entry.images.optimizerOf) {
    throw conflictingOptions(`${nameOf('lr')}: ${entry.name} trains with its own optimiser on the digits, ${entry.images.optimizerOf(parameterDefaults(entry.schema) as never)} by default; set its rate with --param lr=<rate>`,
      ['lr', 'method'], values);
  }
  if (given.dataset !== undefined && given.neg !== undefined && !PORTS_WITH_NEGATIVES.includes(entry.name)) {
    throw conflictingOptions(`${nameOf('neg')}: ${entry.name}'s KG port draws no uniform negatives (its contrast is in-batch); drop ${nameOf('neg')} (it applies to ${PORTS_WITH_NEGATIVES.join(', ')})`,
      ['neg', 'method'], values);
  }
}

/** Refuses a graph whose train or test split is empty: the port would train nothing, or measure an MRR of no queries. */
function requireKgSplits(dataset: KgDataset): void {
  if (dataset.train.length === 0) throw emptySplitError(dataset, 'train', 'there is nothing to train on');
  if (dataset.test.length === 0) throw emptySplitError(dataset, 'test', 'there is nothing to measure the comparison on');
}

/** Every method (baseline, measure, defaults, KG port) and every loss (equation, paper, defaults). */
function listing(): string {
  const params = (schema: z.ZodType): string => describeParameters(schema) || 'none';
  const methods = METHODS.entries().map((m) => `  ${m.name.padEnd(8)} ${m.summary}\n           baseline: ${m.images.baseline}; measures: ${m.images.measures}; ` +
    `default --arch ${m.images.defaultArch}, --epochs ${m.images.defaultEpochs}${m.images.epochsAre ? ` (${m.images.epochsAre})` : ''}` +
    `${m.images.optimizerOf ? `; ${m.images.optimizerOf(parameterDefaults(m.schema) as never)}, not --lr` : ''}\n           --param (digits): ${params(m.schema)}` +
    `${m.kg ? `\n           KG port (--dataset <KG>, --epochs ${m.kg.defaultEpochs}): ${m.kg.summary}\n           --param (KG port): ${params(m.kg.schema)}` : ''}`);
  const losses = describeLosses().map((l) => `  ${l.name.padEnd(15)} ${l.summary}\n                  ${l.equation}\n                  ${l.paper}; defaults ${JSON.stringify(l.defaults)}`);
  return `methods (on a knowledge graph, ${methodsWithKgPort().join(', ')} run their KG port):\n${methods.join('\n')}\n\nlosses (registry):\n${losses.join('\n')}`;
}

/** A schema's parameters and defaults for JSON: a parameter without a default is null (JSON would drop an undefined). */
const jsonDefaults = (schema: z.ZodType): Record<string, unknown> =>
  Object.fromEntries(Object.entries(parameterDefaults(schema)).map(([key, value]) => [key, value ?? null]));

/** The listing as one JSON object: each method with its parameters' defaults on the digits and on a KG, and the losses. */
function listingJson(): object {
  const methods = METHODS.entries().map((m) => ({
    name: m.name, summary: m.summary, baseline: m.images.baseline, measures: m.images.measures, defaultArch: m.images.defaultArch,
    defaultEpochs: m.images.defaultEpochs, ...(m.images.epochsAre ? { epochsAre: m.images.epochsAre } : {}), params: jsonDefaults(m.schema),
    ...(m.kg ? { kgPort: { summary: m.kg.summary, defaultEpochs: m.kg.defaultEpochs, params: jsonDefaults(m.kg.schema) } } : {}),
  }));
  return { methods, losses: describeLosses() };
}

/**
 * The graph a KG port ran on as `kd --json` gives it: an object with `name` and `dir` as on the digits, and the
 * graph's split sizes (triples) and vocabulary sizes.
 */
export function kgDatasetJson(dataset: KgDataset): { name: string; dir: string; train: number; valid: number; test: number; entities: number; relations: number } {
  return { name: dataset.name, dir: dataset.dir, train: tripleCount(dataset.train), valid: tripleCount(dataset.valid), test: tripleCount(dataset.test),
    entities: dataset.entities.size, relations: dataset.relations.size };
}

/** The port's settings in `kd --json` under the keys its flags and config files use (`lr`, `neg`), not the core's names. */
function optionsAsFlagKeys(options: object): Record<string, unknown> {
  const renamed: Record<string, string> = { learningRate: 'lr', negatives: 'neg' };
  return Object.fromEntries(Object.entries(options).map(([key, value]) => [renamed[key] ?? key, value]));
}

/**
 * `check` run with its error put after where the parameters came from (`--param`, or `--config <file>:<line>: key
 * 'params'`): parameters the method's schema refuses are a usage error (an OptionsError on `params`, exit 2).
 */
function paramsFrom<T>(paramsSource: string, check: () => T): T {
  try {
    return check();
  } catch (error) {
    throw error instanceof InvalidParametersError ? refusedOption(`${paramsSource}: ${error.message}`, 'params') : error;
  }
}

/** The method's KG port on the graph `s.dataset`, printed as its table, or as JSON with `jsonWarnings` (the notes said, filled as they are). */
async function runOnGraph(method: string, s: KdSettings, jsonWarnings: readonly string[] | undefined, log: (line: string) => void, paramsSource: string): Promise<void> {
  const name = METHODS.get(method).name;
  const run = paramsFrom(paramsSource, () => prepareKgPort(name, s.params)); // no port or bad parameters: fails before the graph loads
  const settings = { model: s.model, dim: s.dim, initScale: s.initScale, epochs: s.epochs, batchSize: s.batchSize ?? 500, learningRate: s.lr ?? 0.1, optimizer: s.optimizer as OptimizerName, negatives: s.neg };
  const backend = await initBackend(s.backend as BackendRequest);
  log(`backend ${backend}`);
  const dataset = await loadDataset(s.dataset!, loadOptionsOf({ ...s, dataset: s.dataset! }));
  const data = runDataFromDataset(dataset);
  requireKgSplits(dataset);
  if (PORTS_WITH_NEGATIVES.includes(name) && s.neg >= data.numEntities) { // as train says it
    log(`note: --neg ${s.neg} is not below the graph's ${data.numEntities} entities: negatives are drawn uniformly with replacement, so they repeat`);
  }
  const report = await run(data, settings, seedsOf(s.seeds), backend, log);
  process.stdout.write(jsonWarnings ? `${JSON.stringify({ method: name, ...report, options: optionsAsFlagKeys(report.options), dataset: kgDatasetJson(dataset), backend, warnings: jsonWarnings })}\n` : `${formatKgPortReport(report)}\n`);
}

/** The method against its baseline on the digits, printed as a table or JSON. */
async function runOnDigits(method: string, s: KdSettings, jsonWarnings: readonly string[] | undefined, log: (line: string) => void, paramsSource: string): Promise<void> {
  paramsFrom(paramsSource, () => parseMethodParams(method, s.params)); // an unknown method or a bad --param fails before the backend starts
  const options = { digits: s.digits, seeds: seedsOf(s.seeds), epochs: s.epochs, batchSize: s.batchSize ?? 64, learningRate: s.lr ?? 0.003,
    arch: s.arch as Architecture | undefined, testFraction: s.testFraction, splitSeed: s.splitSeed, params: s.params };
  const backend = await initBackend(s.backend as BackendRequest);
  log(`backend ${backend}`);
  const report = await compareOnDigits(method, options, log);
  process.stdout.write(jsonWarnings ? `${JSON.stringify({ ...report, backend, warnings: jsonWarnings })}\n` : `${formatComparison(report)}\n`);
}

/** Adds `kgdistill kd`. */
export function registerKdCommand(program: Command): void {
  const ported = methodsWithKgPort().join(', ');
  const command = program
    .command('kd')
    .description(`general distillation: a method vs its baseline, same budget and seeds, on the digits or (${ported}) a KG; see --list`)
    .argument('[method]', `method: ${methodNames().join(', ')}`);
  addFlags(command, FLAGS, kdOptionsSchema, {}, 'read options from a JSON or YAML file (keys as in code, e.g. batchSize, seeds, params); flags override it')
    .option('--list', 'list the methods and the registered losses, then exit')
    .option('--json', 'print one JSON object with the report (with --list: the listing) as the last stdout line')
    .addHelpText('after', `\nMethods (--list for their baselines, parameters and losses):\n${METHODS.describe()}\nWith a KG port (--dataset <KG>): ${ported}.`)
    .action(async (methodArgument: string | undefined, flags: { list?: boolean; json?: boolean }, cmd: Command) => {
      if (flags.list) {
        process.stdout.write(flags.json ? `${JSON.stringify(listingJson())}\n` : `${listing()}\n`);
        return;
      }
      const { given, keySources } = givenOptionsWithSources(cmd, FLAGS, kdOptionsSchema);
      refuseOtherSideOptions(given, keySources);
      const settings = parseOptions(kdOptionsSchema, { ...given, ...(methodArgument ? { method: methodArgument } : {}) }, 'flag');
      const method = settings.method;
      if (!method) {
        const message = `name a method (${methodNames().join(', ')}) or pass --list`;
        throw refusedOption(message, 'method'); // a usage error, as a missing argument is
      }
      if (!METHODS.has(method)) throw refusedOption(METHODS.unknownNameMessage(method), 'method', method); // a usage error, as an unknown --model
      const noPort = settings.dataset === undefined ? undefined : noKgPortReason(method);
      if (noPort !== undefined) throw conflictingOptions(noPort, ['method', 'dataset'], { method, dataset: settings.dataset });
      refuseOptionsUnusedByMethod(method, given, keySources);
      const warnings: string[] = []; // the notes said on stderr, also in --json (as train's and eval's `warnings`)
      const log = (line: string): void => {
        const note = /^(?:note|warning): (.*)$/s.exec(line);
        if (note) warnings.push(note[1]!);
        // progress is for the terminal; a note is said with --json too (it went unsaid there)
        if (!flags.json || note) process.stderr.write(`${line}\n`);
      };
      const paramsSource = keySources.params !== undefined ? `${keySources.params}: key 'params'` : '--param';
      const jsonWarnings = flags.json ? warnings : undefined;
      if (settings.dataset !== undefined) await runOnGraph(method, settings, jsonWarnings, log, paramsSource);
      else await runOnDigits(method, settings, jsonWarnings, log, paramsSource);
    });
}
