/**
 * CBD for long-tail entities (the KG port of Iscen et al., ICCV 2021, §3): stage 1 trains K KGE teachers with
 * instance sampling (shuffled epochs over all training queries) and the plain KGE loss; stage 2 trains the student
 * from scratch with entity-frequency-balanced sampling of the training queries (by answer entity) and
 * (1 − α)·KGE loss + α·temperature KD from the teachers' mean scores over each query's sampled candidates (the
 * port's choice: CBD on images distils the teachers' features by cosine distance, `cbd` in losses/cbd.ts).
 * Baselines with the same budget: the instance-sampled model (teacher 1, as the digits CBD reports it) and the
 * student trained with balanced sampling and the KGE loss alone (same initialisation and sampler seed as the CBD
 * student). Everything is evaluated by filtered test MRR overall and by answer-frequency bucket.
 */
import { ModelRuntime } from '../../../core/model-runtime.js';
import { TableOptimizer, type OptimizerName } from '../../../core/optimizers.js';
import { SeededRandom } from '../../../core/random.js';
import { trainingQueries, type BatchSampling } from '../../../core/batch.js';
import { trainEpochs } from '../../../core/epoch-loop.js';
import type { RunData } from '../../../core/training-data.js';
import { createModelFor } from '../../../registry/models.js';
import { CandidateDistillObjective } from '../candidate-distill-objective.js';
import { EntityBalancedSampler, answerFrequencies } from './entity-balanced-sampler.js';
import { bucketedMrr, DEFAULT_THRESHOLDS, FREQUENCY_BUCKETS, type BucketThresholds, type BucketedMrr, type FrequencyBucket } from './frequency-buckets.js';
import { meanStd, type MeanStd } from '../../stats.js';
import { portRun, portRunName } from '../port.js';

/** Settings of one CBD-KGE experiment. */
export interface CbdKgeOptions {
  model: string;
  dim: number;
  initScale: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  optimizer: OptimizerName;
  negatives: number;
  teachers: number;
  /** α of (1 − α)·KGE + α·KD. */
  alpha: number;
  temperature: number;
  /** The balanced sampler's power q (0 = fully balanced). */
  power: number;
  seed: number;
  thresholds?: BucketThresholds;
}

/** Every model's test MRR by answer-frequency bucket, and the minutes each stage took. */
export interface CbdKgeResult {
  instance: BucketedMrr;
  balanced: BucketedMrr;
  cbd: BucketedMrr;
  teachers: BucketedMrr[];
  seconds: { teachers: number; balanced: number; cbd: number };
}

/** Trains a fresh model for `epochs` under a sampling scheme with the given objective references. */
async function trainModel(data: RunData, options: CbdKgeOptions, initSeed: number, samplerSeed: string, sampling: BatchSampling,
  teachers: readonly ModelRuntime[], backend: string): Promise<{ runtime: ModelRuntime; seconds: number }> {
  const started = performance.now();
  const runtime = await ModelRuntime.create(
    createModelFor(options.model, { dim: options.dim, numEntities: data.numEntities, numRelations: data.numRelations, initScale: options.initScale }, backend), initSeed);
  const objective = new CandidateDistillObjective(runtime, teachers,
    { negatives: options.negatives, distillation: 'temperature-kd', weight: teachers.length > 0 ? options.alpha : 0, temperature: options.temperature, mixing: 'convex' }, backend);
  const optimizer = new TableOptimizer(options.optimizer, options.learningRate, runtime.store, runtime.kernels);
  trainEpochs({ objective, optimizer, queries: trainingQueries(data.train, data.numRelations), batchSize: options.batchSize, sampling }, options.epochs, new SeededRandom(samplerSeed));
  return { runtime, seconds: (performance.now() - started) / 1000 };
}

/** Runs stage 1, both baselines and the CBD student for one seed; a divergence names the method, seed and run. */
export async function runCbdKge(data: RunData, options: CbdKgeOptions, backend: string, log: (line: string) => void = () => undefined): Promise<CbdKgeResult> {
  const queries = trainingQueries(data.train, data.numRelations);
  const frequency = answerFrequencies(queries.answers, data.numEntities);
  const evaluate = (runtime: ModelRuntime): Promise<BucketedMrr> => bucketedMrr(runtime, data.test, data.numRelations, data.known, frequency, options.thresholds ?? DEFAULT_THRESHOLDS);
  const balanced: BatchSampling = { kind: 'sampler', sampler: new EntityBalancedSampler(queries.answers, data.numEntities, options.power) };
  const seed = options.seed;
  const train = (which: string, initSeed: number, samplerSeed: string, sampling: BatchSampling, references: readonly ModelRuntime[]): ReturnType<typeof trainModel> =>
    portRun(portRunName('cbd', seed, which), options.learningRate, () => trainModel(data, options, initSeed, samplerSeed, sampling, references, backend));
  const teachers: ModelRuntime[] = [];
  const teacherScores: BucketedMrr[] = [];
  let teacherSeconds = 0;
  for (let k = 0; k < options.teachers; k++) {
    const t = await train(`teacher ${k + 1} run`, 1000 * (k + 1) + seed, `cbd-kge-teacher${k}:${seed}`, { kind: 'shuffled' }, []);
    teachers.push(t.runtime);
    teacherSeconds += t.seconds;
    teacherScores.push(await evaluate(t.runtime));
    log(`cbd seed ${seed}: teacher ${k + 1} (instance sampling) test MRR ${teacherScores[k]!.all.toFixed(4)} (${(t.seconds / 60).toFixed(1)} min)`);
  }
  const base = await train('balanced-sampled student run', seed, `cbd-kge-student:${seed}`, balanced, []);
  const balancedScores = await evaluate(base.runtime);
  log(`cbd seed ${seed}: balanced-sampled student ${balancedScores.all.toFixed(4)} (${(base.seconds / 60).toFixed(1)} min)`);
  const student = await train('CBD student run', seed, `cbd-kge-student:${seed}`, balanced, teachers);
  const cbdScores = await evaluate(student.runtime);
  log(`cbd seed ${seed}: CBD student ${cbdScores.all.toFixed(4)} (${(student.seconds / 60).toFixed(1)} min)`);
  for (const runtime of [...teachers, base.runtime, student.runtime]) runtime.dispose(); // their kernel worker threads
  return {
    instance: teacherScores[0]!,
    balanced: balancedScores,
    cbd: cbdScores,
    teachers: teacherScores,
    seconds: { teachers: teacherSeconds, balanced: base.seconds, cbd: student.seconds },
  };
}

/** The models compared by CBD-KGE. */
export const CBD_KGE_MODELS = ['instance', 'balanced', 'cbd'] as const;

/** CBD-KGE over seeds, with mean ± std of every model's MRR overall and per bucket. */
export interface CbdKgeComparison {
  kind: 'long-tail';
  dataset: string;
  options: Omit<CbdKgeOptions, 'seed'>;
  seeds: (CbdKgeResult & { seed: number })[];
  /** Bucket sizes (test queries), the same for every seed. */
  counts: Record<FrequencyBucket, number>;
  summary: Record<(typeof CBD_KGE_MODELS)[number], { all: MeanStd } & Record<FrequencyBucket, MeanStd>>;
  seconds: number;
}

/** Runs the CBD-KGE experiment for each seed. */
export async function runCbdKgeComparison(data: RunData, options: Omit<CbdKgeOptions, 'seed'>, seeds: readonly number[], backend: string,
  log: (line: string) => void = () => undefined): Promise<CbdKgeComparison> {
  const started = performance.now();
  const results: CbdKgeComparison['seeds'] = [];
  for (const seed of seeds) results.push({ ...(await runCbdKge(data, { ...options, seed }, backend, log)), seed });
  const summarise = (pick: (r: CbdKgeResult) => BucketedMrr): CbdKgeComparison['summary']['cbd'] => ({
    all: meanStd(results.map((r) => pick(r).all)),
    // an empty bucket (no test answer of that frequency) has no MRR: its summary is n 0, not a NaN mean of n seeds
    ...Object.fromEntries(FREQUENCY_BUCKETS.map((b) => [b, meanStd(results.map((r) => pick(r).buckets[b].mrr).filter(Number.isFinite))])) as Record<FrequencyBucket, MeanStd>,
  });
  const first = results[0]!.cbd.buckets;
  return {
    kind: 'long-tail',
    dataset: data.datasetName,
    options,
    seeds: results,
    counts: Object.fromEntries(FREQUENCY_BUCKETS.map((b) => [b, first[b].count])) as Record<FrequencyBucket, number>,
    summary: { instance: summarise((r) => r.instance), balanced: summarise((r) => r.balanced), cbd: summarise((r) => r.cbd) },
    seconds: (performance.now() - started) / 1000,
  };
}
