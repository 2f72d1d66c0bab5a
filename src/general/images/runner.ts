/**
 * The runner of the general module on the digits: for each seed, train a method's baseline and the method itself
 * on the same seeded stratified split with the same budget, and summarise test accuracy as mean ± std over seeds,
 * with the paired per-seed difference. The method comes from the registry of methods, which also validates its
 * parameters (`compareOnDigits` in `general/method-registry.ts`); backs `kgdistill kd <method>` and
 * `npm run bench:general`.
 */
import { z } from 'zod';
import { positiveFloat32 } from '../../core/float32-range.js';
import { formatIssues } from '../../core/registry.js';
import { loadDigits } from './data/digits.js';
import { stratifiedSplit } from './data/split.js';
import { architectureSchema, type Architecture } from './nets/factory.js';
import type { ImageMethod, RunOutcome } from './methods/image-method.js';
import type { Budget } from './training/supervised.js';
import { TrainingDivergedError } from './training/divergence.js';
import { meanStd, type MeanStd } from '../stats.js';

/** Options of a comparison run (validated; defaults filled in). */
export const comparisonOptionsSchema = z.object({
  /** The digits: a directory holding digits.csv.gz, or a name found like a dataset's. */
  digits: z.string().default('digits'),
  seeds: z.array(z.number().int().nonnegative()).min(1).default([0, 1, 2]),
  epochs: z.number().int().positive().optional(),
  batchSize: z.number().int().min(2).default(64),
  learningRate: positiveFloat32().default(0.003),
  arch: architectureSchema.optional(),
  testFraction: z.number().gt(0).lt(1).default(0.25),
  splitSeed: z.number().int().default(0),
}).strict();

/** Comparison options before validation. */
export type ComparisonInput = z.input<typeof comparisonOptionsSchema>;

/** One timed run. */
export interface TimedOutcome extends RunOutcome {
  seconds: number;
}

/** Both runs of one seed. */
export interface SeedResult {
  seed: number;
  baseline: TimedOutcome;
  method: TimedOutcome;
}

/** Everything a comparison produced. */
export interface ComparisonReport {
  method: string;
  title: string;
  baseline: string;
  measures: string;
  dataset: { name: string; dir: string; verified: boolean; train: number; test: number; testFraction: number; splitSeed: number };
  arch: Architecture;
  /** The budget; no learningRate when the method's parameters set its optimiser (`optimizer` says which). */
  budget: Omit<Budget, 'learningRate'> & { learningRate?: number };
  /** What `--epochs` counted: 'epochs', or the method's own unit (e.g. 'communication rounds'). */
  epochsAre: string;
  /** The optimiser that ran: 'Adam <lr>', or the method's own. */
  optimizer: string;
  params: unknown;
  seeds: SeedResult[];
  summary: { baseline: MeanStd; method: MeanStd; difference: MeanStd; extra: Record<string, MeanStd> };
  seconds: number;
}

/** Refuses a split that leaves no training or no test images (the accuracy would be 0/0, printed as NaN). */
function requireImages(trainImages: number, testImages: number, testFraction: number): void {
  if (trainImages > 0 && testImages > 0) return;
  const empty = testImages === 0 ? 'test' : 'training';
  throw new Error(`--test-fraction ${testFraction} leaves no ${empty} images in these digits (${trainImages} train / ${testImages} test, stratified by class): give more images or another --test-fraction`);
}

/** Validates comparison options; throws one error naming every bad field. */
export function parseComparisonOptions(input: ComparisonInput): z.infer<typeof comparisonOptionsSchema> {
  const result = comparisonOptionsSchema.safeParse(input);
  if (!result.success) throw new Error(`invalid kd options: ${formatIssues(result.error)}`);
  return result.data;
}

/** Runs a method with validated parameters and its baseline over the seeds (the tfjs backend must be initialised). */
export async function runComparison<P>(method: ImageMethod<P>, params: P, input: ComparisonInput, log: (line: string) => void = () => undefined): Promise<ComparisonReport> {
  const options = parseComparisonOptions(input);
  const arch = options.arch ?? method.defaultArch;
  method.requireRunnable?.(arch, params);
  const data = await loadDigits(options.digits);
  const { train, test } = stratifiedSplit(data, options.testFraction, options.splitSeed);
  requireImages(train.n, test.n, options.testFraction);
  const budget: Budget = { epochs: options.epochs ?? method.defaultEpochs, batchSize: options.batchSize, learningRate: options.learningRate };
  const started = performance.now();
  const seeds: SeedResult[] = [];
  for (const seed of options.seeds) {
    const ctx = { train, test, seed, budget, arch, params, log };
    const timed = (which: 'baseline' | 'method', run: () => RunOutcome): TimedOutcome => {
      const t0 = performance.now();
      let outcome: RunOutcome;
      try {
        outcome = run();
      } catch (error) {
        // The divergence guard's stop (training/divergence.ts), told which method, seed and run, and the rate's value.
        if (error instanceof TrainingDivergedError) {
          throw error.inRun(`kd ${method.name}, seed ${seed}, ${which} run`, (named) => {
            // A method whose optimiser its parameters set (federated SGD) trains at --param lr, not --lr.
            const rateParam = named ?? (method.optimizerOf ? 'lr' : undefined);
            return { rateParam, rate: rateParam === undefined ? budget.learningRate : (params as Record<string, unknown> | undefined)?.[rateParam] };
          });
        }
        throw error;
      }
      return { ...outcome, seconds: (performance.now() - t0) / 1000 };
    };
    const baseline = timed('baseline', () => method.runBaseline(ctx));
    log(`seed ${seed}: baseline ${baseline.accuracy.toFixed(4)} (${baseline.seconds.toFixed(1)} s)`);
    const result = timed('method', () => method.runMethod(ctx));
    const extras = Object.entries(result.extra ?? {}).map(([k, v]) => `, ${k} ${v.toFixed(4)}`).join('');
    log(`seed ${seed}: ${method.name} ${result.accuracy.toFixed(4)}${extras} (${result.seconds.toFixed(1)} s)`);
    seeds.push({ seed, baseline, method: result });
  }
  const extraNames = [...new Set(seeds.flatMap((s) => Object.keys(s.method.extra ?? {})))];
  const extra: Record<string, MeanStd> = {};
  for (const name of extraNames) extra[name] = meanStd(seeds.map((s) => s.method.extra?.[name]).filter((v): v is number => v !== undefined));
  return {
    method: method.name,
    title: method.title,
    baseline: method.baseline,
    measures: method.measures,
    dataset: { name: 'digits', dir: data.dir, verified: data.verified, train: train.n, test: test.n, testFraction: options.testFraction, splitSeed: options.splitSeed },
    arch,
    budget: method.optimizerOf ? { epochs: budget.epochs, batchSize: budget.batchSize } : budget,
    epochsAre: method.epochsAre ?? 'epochs',
    optimizer: method.optimizerOf?.(params) ?? `Adam ${budget.learningRate}`,
    params,
    seeds,
    summary: {
      baseline: meanStd(seeds.map((s) => s.baseline.accuracy)),
      method: meanStd(seeds.map((s) => s.method.accuracy)),
      difference: meanStd(seeds.map((s) => s.method.accuracy - s.baseline.accuracy)),
      extra,
    },
    seconds: (performance.now() - started) / 1000,
  };
}
