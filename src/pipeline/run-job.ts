/**
 * Running a training job end to end, for `train` and `distill` alike (the CLI and the library call the same code):
 * the backend, the dataset, a new or resumed run (config.json, the lock, the checks of a resumed run's options),
 * progress, the final evaluation of the best checkpoint on test, result.json. The jobs differ only in the model
 * they build and the objective they train it with. Nothing here writes to a terminal: lines go to `hooks.log`.
 *
 * result.json (format kgdistill-result, version 1, written atomically) is the headline of a run's latest finish, and
 * it never describes a best checkpoint other than the run's current one: test figures when that finish evaluated the
 * best checkpoint on test (train.ts writes it), else the summary with `testSkipped` (why, and the `eval` command that
 * gives them). An earlier finish's result.json is removed just before a new best checkpoint is saved (run-result.ts),
 * so a session that ends in any way without a new best leaves it as it was.
 */
import path from 'node:path';
import { existsSync, statSync } from 'node:fs';
import { makeDirectories } from '../kg/make-directory.js';
import { emptySplitError, hasSharedTriples, overlapLine, type KgDataset } from '../kg/dataset.js';
import { suspectHeaderLine } from '../kg/header-suspect.js';
import { FILE_ERROR_WORDS } from '../kg/errors.js';
import type { RunSummary as PublicRunSummary, SkippedLine } from './public-results.js';
import { bestValidText, dataSummary, evalCommandOf, headerTripleWarning } from './run-texts.js';
import { hasNativeGatherGradient, initBackend, type BackendRequest } from '../core/backend.js';
import { kernelWidthNote, kernelWidthObstacle } from '../core/kernel-widths.js';
import { paddingNote } from '../core/table-padding.js';
import { kgeSettingsOf, type TrainingConfig } from '../core/training-config.js';
import { checkSampledLoss } from '../core/batch.js';
import { runDataFromDataset, requireSameTriples, requireSameVocabulary, type RunData } from '../core/training-data.js';
import { ModelRuntime } from '../core/model-runtime.js';
import { CHECKPOINT_SECONDS, Trainer, type TrainingResult } from '../core/trainer.js';
import type { TrainingObjective } from '../core/training-objective.js';
import type { SampledLoss } from '../core/losses.js';
import type { KgeModel } from '../core/model.js';
import { arraysWithPrefix, loadCheckpoint } from '../core/checkpoint.js';
import { foreignFiles } from '../core/run-dir-files.js';
import { optionsFromHeader, parseSaved, recordedOneToNLoss, requireConfigOfCheckpoint } from './header-options.js';
import { beforeNewBest, bestEpochOf, EarlierResult, headlineOf, resultFile, writeResult } from './run-result.js';
import { runLockHolder } from '../core/run-lock.js';
import { entityLimitOf, requireRunMemory, runKernelBytesOf, type EntityLimits, type MemoryPlan } from './run-memory.js';
import { loadWithinMemory } from './load-within-memory.js';
import { lockOrLeaveNothing, removeUnstartedRun, ResumedFiles } from './run-rollback.js';
import { conflictingOptions, OptionsError } from './options-error.js';
import { loadedKernelBuild } from '../kernels/kernel-build.js';
import { kernelThreads } from '../kernels/kernel-worker.js';
import { mixedExecutionWarning, runExecution } from './run-execution.js';
import { evaluateSplit, filteredValidator, sampledValidator } from '../eval/evaluate-run.js';
import { evaluateSampledAsync, requireCandidates, type SampledEvaluationReport } from '../eval/sampled-evaluation.js';
import type { EvaluationReport } from '../eval/evaluate.js';
import { atOwnWidth, modelFromConfig, recordedOptionsOf } from '../registry/models.js';
import { COUNTS_BEFORE_LOADING } from './run-model.js';
import { checkLossSettings, checkResolvedLoss, checkRunSettings, sampledLossOf, trainingConfigOf } from './run-settings.js';
import { loadRun } from '../registry/load-run.js';
import { defaultedKeys, effectiveOptions, recordedRunOptions, runOwnDataset, resumedTriplesRemedy } from './effective-options.js';
import { runConfigOf, runConfigOrCheckpointCopy, resumedOptions, writeRunConfig, type ResumeChange, type RunConfig } from './run-config.js';
import { checkRunHooks, type RunHooks } from './run-hooks.js';
import { DEFAULT_EVAL_SEED, DEFAULT_LR_PATIENCE, flagOf, loadOptionsOf, optionName, unusedEvalSeedNote, type CommonSettings } from './options.js';
import { plural } from '../kg/plural.js';

/** What a command contributes to a training job. */
export interface TrainingJob<S extends CommonSettings> {
  command: RunConfig['command'];
  /** The model of a new run. */
  createModel(settings: S, data: RunData): KgeModel;
  /** The objective (default: the KGE objective of the config); `config` is the trainer's, its sampled loss resolved (a resumed run's: `recordedLoss`). */
  objective?(settings: S, runtime: ModelRuntime, data: RunData, backend: string, config: TrainingConfig): Promise<TrainingObjective> | TrainingObjective;
  /** Extra fields of the result. */
  describe?(): Record<string, unknown>;
  /** What the job warned about before training (logged already; the summary's warnings keep them). */
  warnings?(): string[];
  /** The default run directory name. */
  runName(datasetName: string): string;
  /** The model whose default loss `loss: 'auto'` means. */
  modelName(settings: S): string;
  /**
   * The sampled loss a resumed run's checkpoint arrays record where its header's `training` may not tell what trained
   * (MulDE's Junior: recordedJuniorLoss); the resumed run trains on with it.
   */
  recordedLoss?(arrays: Readonly<Record<string, Float32Array>>, source: string): SampledLoss;
  /** Refuses, naming them, settings of a new run that this command would not use (before anything is loaded). */
  checkSettings?(settings: S, name: (key: string) => string): void;
  /** Once the objective is built, before anything of the run is written: checks a resumed run, records a new one. */
  beforeTraining?(runDir: string, resumed: boolean, name: (key: string) => string): Promise<void>;
}


export type { DataSummary, SkippedLine } from './public-results.js';

/** A run's summary as the job builds it: the public RunSummary (public-results.ts) and the job's own facts (a distillation's teachers, K, λ, …). */
export type RunSummary = PublicRunSummary & { [fact: string]: unknown };

/** A finished (or interrupted) run. */
export interface RunOutcome {
  runDir: string;
  /** Everything `--json` prints besides the test metrics. */
  summary: RunSummary;
  /** The training, with the candidates each validation ranked against when they were sampled (`evalCandidates`). */
  training: TrainingResult & { validCandidates?: number };
  /** The best checkpoint's test evaluation (absent with testEval false, or when interrupted, or when sampled; `summary.testSkipped` says why when the run finished). */
  test?: EvaluationReport;
  /** The best checkpoint's sampled test evaluation (with evalCandidates). */
  sampledTest?: SampledEvaluationReport;
}

/**
 * Runs a job. `given` holds the options the user set (flags, config file or object keys), `parse` validates them
 * with the command's schema; with `resume`, the run in `given.out` is continued with its own options, and a given
 * option that differs (other than epochs, patience, validEvery) is an error naming it.
 */
export async function runJob<S extends CommonSettings>(job: TrainingJob<S>, given: Record<string, unknown>, resume: boolean,
  parse: (options: Record<string, unknown>) => S, hooks: RunHooks = {}): Promise<RunOutcome & { settings: S }> {
  kernelThreads(); // KGDISTILL_THREADS is checked before anything is written (as the CLI does before any command)
  checkRunHooks(hooks);
  const log = hooks.log ?? (() => undefined);
  const sources = hooks.keySources ?? {};
  const name = (key: string): string => optionName(key, sources, hooks.naming ?? 'key');
  let saved: SavedCheckpoint | undefined;
  let settings: S;
  let changedKeys: string[] = [];
  // the resolved options that are defaults, as the replayed config file (a new run) or the run's config.json (resumed) marks them; undefined: not known
  let replayedDefaults: readonly string[] | undefined = hooks.replayedDefaults ?? [];
  let resumes: ResumeChange[] = []; // config.json's record of the options each --resume changed, this one's added
  if (!resume) {
    settings = parse(given);
  } else {
    if (typeof given.out !== 'string') throw conflictingOptions(`${name('resume')} needs ${name('out')} <run dir> (the run to continue)`, ['resume', 'out'], { resume: true });
    const runDir = path.resolve(given.out);
    const lastFile = path.join(runDir, 'last.json');
    if (!existsSync(runDir)) throw new Error(`${name('resume')}: ${runDir} does not exist (give the run directory of the run to continue)`);
    if (!existsSync(lastFile)) {
      throw new Error(`${name('resume')}: ${runDir} holds no last.json: the run ended before its first checkpoint (one is saved at each validation, ` +
        `after an epoch ${CHECKPOINT_SECONDS / 60} minutes or more since the last save, and on Ctrl-C, SIGTERM or SIGHUP), so there is nothing to continue: start it again without ${name('resume')}`);
    }
    saved = await loadCheckpoint(runDir, 'last');
    const { config: previous, note, source } = runConfigOrCheckpointCopy(runDir, saved.header, lastFile);
    if (previous && previous.command !== job.command) throw new Error(`${runDir} is a ${previous.command} run: resume it with ${hooks.naming === 'flag' ? `kgdistill ${previous.command}` : `${previous.command}()`}`);
    if (previous && source) requireConfigOfCheckpoint(previous.options, saved.header, source);
    replayedDefaults = previous ? previous.defaults : undefined;
    const { options, changed, changedKeys: keys, changes } = resumedOptions(previous?.options ?? optionsFromHeader(saved.header, given.dataset), given, name, runDir, recordedRunOptions(job.command, saved.header));
    settings = parseSaved(parse, options, previous && source ? { saved: previous.options, given, name, source } : undefined);
    settings = { ...settings, dataset: runOwnDataset(settings.dataset, saved.header.dataset.dir, (line) => log(`note: ${line}`)) };
    if (note) log(`note: ${note}; config.json is written again from it`);
    const trained = (saved.header.progress as { epoch?: number }).epoch ?? 0;
    if (settings.epochs < trained) {
      throw conflictingOptions(`${name('epochs')} ${settings.epochs}: the run in ${runDir} has trained ${trained} epochs already; give more to continue it`, ['epochs'], settings);
    }
    log(`resuming ${runDir} after epoch ${trained}${changed.length > 0 ? `; changed: ${changed.join(', ')}` : ''}`);
    changedKeys = keys;
    resumes = [...previous?.resumes ?? [], ...(Object.keys(changes).length > 0 ? [{ afterEpoch: trained, changed: changes }] : [])];
  }
  checkRunSettings(settings, name, saved ? { header: saved.header, changedKeys } : undefined);
  for (const note of unusedSettings(given, settings, name)) log(`note: ${note}`);
  if (!saved) { // a resumed run keeps the settings it was trained with
    job.checkSettings?.(settings, name);
    checkLossSettings(settings, name);
    checkResolvedLoss(settings, sampledLossOf(settings, job.modelName(settings)).loss, job.modelName(settings), name);
  }
  const backend = await initBackend(settings.backend as BackendRequest);
  // loading stops, refused, once the data names more entities than the run's kernel memory can hold (run-memory.ts,
  // applied by load-within-memory.ts;
  // train's names, and under --unseen keep those valid and test add; lower once the valid split has a triple, with
  // the validation's scoring counted)
  const plan = memoryPlanOf(job, settings, saved, backend, name);
  const dataset = await loadWithinMemory(settings.dataset, { ...loadOptionsOf(settings), onProgress: hooks.onLoadProgress, log, ...(hooks.signal ? { signal: hooks.signal } : {}) },
    plan, hooks.naming);
  const dataWarnings = requireNonEmptySplits(dataset, log);
  const data = runDataFromDataset(dataset);
  if (settings.evalCandidates !== undefined) requireCandidates(settings.evalCandidates, data, name('evalCandidates')); // before anything is written
  const config = trainingConfigOfRun(job, settings, saved);
  const headerLoss = saved?.header.training.loss;
  if (job.recordedLoss && headerLoss !== undefined && headerLoss !== config.loss) { // a MulDE run from before its Junior's loss was recorded
    log(`note: the run trained with the ${config.loss} loss, which it goes on with (its checkpoint's header says ${String(headerLoss)}, which did not train)`);
  }
  if (config.negatives > 0) checkSampledLoss(kgeSettingsOf(config)); // before anything is written
  if (config.negatives >= data.numEntities) {
    log(`note: ${name('neg')} ${config.negatives} is not below the graph's ${data.numEntities} entities: negatives are drawn uniformly with replacement (as in PyKEEN and KGEmb), so they repeat; ${name('oneToN')} scores every entity once per query instead`);
  }
  const runDir = path.resolve(settings.out ?? path.join('runs', job.runName(dataset.name)));
  if (!saved) { // a new run: refused before anything is written
    const holder = runLockHolder(runDir);
    if (holder) throw new Error(`${runDir} is in use by process ${holder.pid} on ${holder.host} (lock file ${path.join(runDir, '.lock')}): give a new ${name('out')}, or wait for that run to end`);
    if (existsSync(path.join(runDir, 'last.json'))) throw new Error(`${runDir} already holds a run: pass ${name('resume')} to continue it or ${name('out')} for a new one`);
    // a finished run (result.json) is never replaced; a best.json alone is an attempt killed at its first validation,
    // before its first last.json (nothing to resume): the new run replaces it, and says so
    if (existsSync(path.join(runDir, 'result.json'))) throw new Error(`${runDir} holds an earlier run's result.json (and no last.json to resume from): give a new ${name('out')}, or remove that run's files (nothing was written)`);
    if (existsSync(path.join(runDir, 'best.json'))) log(`note: ${runDir} holds the best.json of an attempt that ended before its first last.json (nothing to resume): this run replaces it`);
    if (existsSync(runDir) && !statSync(runDir).isDirectory()) throw new Error(`${name('out')} ${runDir}: is a file; give a directory for the run (nothing was written)`);
    const foreign = await foreignFiles(runDir);
    if (foreign.length > 0) {
      const shown = foreign.length > 3 ? `${foreign.slice(0, 3).join(', ')} and ${foreign.length - 3} more` : foreign.join(', ');
      throw new Error(`${name('out')} ${runDir} holds files that are not a run's (${shown}): choose a new or an empty directory (nothing was written)`);
    }
  }
  // the model, and the kernel memory its tables and one step need (run-memory.ts): refused before anything is written
  const model = saved ? modelFromConfig(saved.header.model, path.join(runDir, 'last.json')) : newRunModel(job, settings, data, backend);
  requireRunMemory(model, config, data, settings, backend, name);
  const createdDir = !existsSync(runDir);
  await makeDirectories(runDir).catch((error: NodeJS.ErrnoException) => {
    const why = FILE_ERROR_WORDS[error.code ?? ''];
    throw new Error(`${name('out')} ${runDir}: cannot create the run directory (${why ?? error.message})`, { cause: error });
  });
  const lock = lockOrLeaveNothing(runDir, createdDir, log); // one process per run directory: held from the first write until result.json is written
  // a run that another process finished between the checks above and the lock is not replaced either
  const finishedMeanwhile = !saved && ['last.json', 'result.json'].find((file) => existsSync(path.join(runDir, file)));
  if (finishedMeanwhile) {
    lock.release();
    throw new Error(`${runDir} holds a run that another process wrote while this one started (${finishedMeanwhile}): pass ${name('resume')} to continue it or ${name('out')} for a new one (nothing was written)`);
  }
  const resumedFiles = saved ? ResumedFiles.read(runDir) : undefined; // put back if this session fails before its first checkpoint
  // the training runtime and objective (teachers): disposed once trained, and on any error (dispose is idempotent)
  let runtime: ModelRuntime | undefined;
  let objective: TrainingObjective | undefined;
  const disposeTraining = (): void => {
    runtime?.dispose();
    objective?.dispose?.();
  };
  /** Writes the tested run's result.json while the lock is held, so no other process can replace the best checkpoint meanwhile. */
  const tested = async (outcome: RunOutcome & { settings: S }): Promise<RunOutcome & { settings: S }> => {
    await writeResult(runDir, headlineOf(outcome));
    return outcome;
  };
  try {
    const validator = data.valid.length === 0 ? null
      : settings.evalCandidates !== undefined ? sampledValidator(data, settings.evalCandidates, settings.evalSeed, backend) : filteredValidator(data, config.evalBatchSize);
    let runConfig: RunConfig | undefined; // config.json, and its copy in every checkpoint: the effective options (effective-options.ts)
    const trainerOptions = async (runtime: ModelRuntime) => {
      objective = await job.objective?.(settings, runtime, data, backend, config);
      const effective = effectiveOptions({ ...settings, resume: undefined }, runtime.model.config, config, dataset.dir);
      runConfig = runConfigOf(job.command, effective, replayedDefaults && defaultedKeys(settings, effective, replayedDefaults), resumes);
      return { validator, objective, runConfig, runKernelBytes: runKernelBytesOf(model, config, data, settings, backend), lockHeld: true, onNotice: (notice: string) => log(`note: ${notice}`), execution: { ...runExecution(saved?.header) } };
    };
    let trainer: Trainer;
    if (saved) {
      requireSameVocabulary(path.join(runDir, 'last.json'), saved.header.vocab, data);
      requireSameTriples(path.join(runDir, 'last.json'), saved.header.dataset.triples, data, dataset.report.files, resumedTriplesRemedy(saved.header, dataset.dir));
      runtime = await ModelRuntime.create(model);
      const options = await trainerOptions(runtime);
      await job.beforeTraining?.(runDir, true, name); // before Trainer.resume tidies the directory
      trainer = await Trainer.resume(runtime, data, config, runDir, backend, options);
    } else {
      runtime = await ModelRuntime.create(model, config.seed);
      trainer = new Trainer(runtime, data, config, runDir, backend, await trainerOptions(runtime));
      await job.beforeTraining?.(runDir, false, name);
    }
    await writeRunConfig(runDir, runConfig!);
    const { model: modelName, dim } = runtime.model.config;
    const kernels = loadedKernelBuild() ?? 'portable';
    log(`${modelName} d=${dim} on ${dataset.name} (${data.numEntities} entities, ${data.numRelations} relations, ${data.train.length / 3} train triples); backend ${backend}, kernels ${kernels}, ${kernelThreads()} ${plural(kernelThreads(), 'thread')}; run dir ${runDir}`);
    const widthObstacle = hasNativeGatherGradient(backend) ? null : kernelWidthObstacle(runtime.model);
    if (widthObstacle && saved && runtime.model.zeroPaddable) { // a checkpoint saved at its own width before padding existed
      log(`note: ${widthObstacle.reason}: this checkpoint was saved at its own width, so it resumes through the tfjs reference path, several times slower; a new run at --dim ${runtime.model.config.dim} stores its tables padded for the kernels`);
    } else if (widthObstacle) log(`note: ${kernelWidthNote(widthObstacle)}`);
    const padded = paddingNote(runtime.model);
    if (padded) log(`note: ${padded}`);
    if (trainer.optimizerStateIn === 'host') log(`the ${settings.optimizer} state does not fit kernel memory beside the tables, one step's scratch and the validation: it lives in host memory and the optimiser runs in plain loops (slower steps; a smaller ${name('batchSize')}, or ${name('evalCandidates')}, may keep it in kernel memory)`);
    const earlier = EarlierResult.read(runDir, saved ? bestEpochOf(saved.header) : 0);
    const mixed = saved ? [mixedExecutionWarning(saved.header, path.join(runDir, 'last.json'))].filter((w): w is string => w !== undefined) : [];
    let training: TrainingResult & { validCandidates?: number };
    try {
      training = await trainer.run(beforeNewBest(hooks.events, () => earlier.remove()), hooks.shouldStop);
      if (settings.evalCandidates !== undefined) training = { ...training, validCandidates: settings.evalCandidates };
    } catch (error) {
      await earlier.putBackAfterError(runDir).catch(() => undefined); // the error that stopped the run is the one to report
      throw error;
    }
    const keptResult = await earlier.settle(training.bestEpoch);
    const summary: RunSummary = {
      model: modelName, dim, dataset: dataset.name, backend, kernels, threads: kernelThreads(), seconds: training.seconds, epochs: training.epochs, bestEpoch: training.bestEpoch,
      bestValidMrr: training.bestValidMrr >= 0 ? training.bestValidMrr : null, stoppedEarly: training.stoppedEarly, interrupted: training.interrupted, scoringPath: training.scoringPath,
      runDir, seed: config.seed, warnings: [...dataWarnings, ...job.warnings?.() ?? [], ...training.warnings, ...mixed], data: dataSummary(dataset), ...job.describe?.(),
    };
    for (const warning of [...training.warnings, ...mixed]) log(`warning: ${warning}`);
    if (training.interrupted) {
      log(`interrupted in epoch ${training.epochs + 1}: the position is saved in ${path.join(runDir, 'last.json')}`);
      return { runDir, summary, training, settings };
    }
    log(`trained ${training.epochs} epochs in ${(training.seconds / 60).toFixed(1)} min (${training.scoringPath} scoring)${training.stoppedEarly ? `; stopped early at epoch ${training.epochs} (no better validation in ${config.patience} validations)` : ''}; ${bestValidText(training)}`);
    const evalCommand = evalCommandOf(runDir, settings);
    // why the test is skipped: a stop asked for during the last validation ends a complete run whose test can wait
    const why = data.test.length > 0 && (!settings.testEval ? (hooks.naming === 'flag' ? `--no-${flagOf('testEval').slice(2)}` : 'testEval false')
      : hooks.shouldStop?.() ? 'stop requested' : undefined);
    if (data.test.length === 0 || why) {
      const testSkipped = why ? { reason: `skipped (${why})`, evalCommand } : { reason: `the test split has no triples (${dataset.report.files.test})` };
      const untested = { ...summary, testSkipped };
      if (keptResult) log(`note: ${resultFile(runDir)} keeps the test figures of an earlier finish: they are of the best checkpoint, epoch ${training.bestEpoch}, which this session did not replace`);
      else await writeResult(runDir, untested);
      if (why) log(`test evaluation skipped (${why}); it runs with: ${evalCommand}`);
      return { runDir, summary: untested, training, settings };
    }
    hooks.onTestStart?.(runDir, evalCommand);
    disposeTraining(); // trained: its worker threads end (the test reads the best checkpoint into a runtime of its own)
    const best = await loadRun(runDir);
    try {
      const checkpoint = path.basename(best.file, '.json');
      if (settings.evalCandidates !== undefined) {
        const sampledTest = await evaluateSampledAsync(best.runtime, data.test, data.numRelations, data.known, { candidates: settings.evalCandidates, seed: settings.evalSeed, backend, onProgress: hooks.onTestProgress });
        return tested({ runDir, summary: { ...summary, checkpoint }, training, sampledTest, settings });
      }
      const test = await evaluateSplit(best.runtime, data, 'test', hooks.onTestProgress);
      return tested({ runDir, summary: { ...summary, checkpoint }, training, test, settings });
    } finally {
      best.runtime.dispose();
    }
  } catch (error) {
    // while the lock is held (run-rollback.ts): a new run that failed before its first checkpoint leaves no directory,
    // a failed resume puts back what it rewrote; the error that stopped the run is the one to report
    if (createdDir) await removeUnstartedRun(runDir);
    await resumedFiles?.putBackAfterError().catch(() => undefined);
    lock.release();
    throw error;
  } finally {
    disposeTraining();
    lock.release();
  }
}

/** The model of a new run; a native backend trains through tfjs whatever the widths: columns stored for the kernels would only cost memory. */
function newRunModel<S extends CommonSettings>(job: TrainingJob<S>, settings: S, data: RunData, backend: string): KgeModel {
  const created = job.createModel(settings, data);
  return hasNativeGatherGradient(backend) ? atOwnWidth(created) : created;
}

/** A resumed run's last checkpoint, as loadCheckpoint reads it. */
type SavedCheckpoint = Awaited<ReturnType<typeof loadCheckpoint>>;

/**
 * The trainer's config of a run: a new run's from its settings; a resumed run's with its checkpoint's model options
 * and 1-N loss, and the sampled loss its arrays record where the job reads one there (`recordedLoss`).
 */
function trainingConfigOfRun<S extends CommonSettings>(job: TrainingJob<S>, settings: S, saved: SavedCheckpoint | undefined): TrainingConfig {
  if (!saved) return trainingConfigOf(settings, job.modelName(settings));
  const config = trainingConfigOf(settings, job.modelName(settings), recordedOptionsOf(saved.header.model), recordedOneToNLoss(saved.header));
  const source = path.join(path.resolve(settings.out ?? '.'), 'last.json');
  const recorded = job.recordedLoss?.(arraysWithPrefix(saved.arrays, 'aux:'), source);
  return recorded ? { ...config, loss: recorded.loss, margin: recorded.margin, adversarialTemperature: recorded.adversarialTemperature } : config;
}

/**
 * The run's model and training config before its data is loaded, and the most entities its data may name
 * (run-memory.ts entityLimitOf; a model's tables do not depend on its counts: the memory estimate takes them);
 * undefined when the model or config cannot be made yet — the same error is then thrown where they are made after
 * loading, in its usual place.
 */
function memoryPlanOf<S extends CommonSettings>(job: TrainingJob<S>, settings: S, saved: SavedCheckpoint | undefined, backend: string,
  name: (key: string) => string): (MemoryPlan & EntityLimits) | undefined {
  try {
    const model = saved ? modelFromConfig(saved.header.model, 'last.json') : newRunModel(job, settings, COUNTS_BEFORE_LOADING, backend);
    const config = trainingConfigOfRun(job, settings, saved);
    const plan: MemoryPlan = { model, config, settings, backend, name };
    return { ...plan, ...entityLimitOf(plan) };
  } catch (error) {
    // options the model refuses whatever the data (--one-to-n with an L1 distance) are said now, not after the load
    if (error instanceof OptionsError) throw error;
    return undefined;
  }
}

/** Settings the user gave that this run will not use (each said, not silently dropped). */
function unusedSettings(given: Record<string, unknown>, s: CommonSettings & { oneToN?: boolean }, name: (key: string) => string): string[] {
  const notes: string[] = [];
  if (given.neg !== undefined && s.oneToN === true) notes.push(`${name('neg')} ${s.neg} is not used: ${name('oneToN')} scores every entity`);
  // a value equal to the default is not the user's choice (a run's own config.json records every default)
  if (given.evalSeed !== undefined && given.evalSeed !== DEFAULT_EVAL_SEED && s.evalCandidates === undefined) notes.push(unusedEvalSeedNote(name('evalSeed')));
  if (given.lrPatience !== undefined && given.lrPatience !== DEFAULT_LR_PATIENCE && s.lrDecay === 1) notes.push(`${name('lrPatience')} is not used: the learning rate is constant (its decay is 1)`);
  return notes;
}

/**
 * An empty train split is an error naming its file; an empty valid or test split a warning (no validation and early
 * stopping; no test figures), as are triples shared by two splits, a first line that looks like a header and a
 * valid/test first line `--header yes` skipped that looks like a triple. The
 * warnings are logged and returned (the run's summary keeps them).
 */
function requireNonEmptySplits(dataset: KgDataset, log: (line: string) => void): string[] {
  if (dataset.train.length === 0) throw emptySplitError(dataset, 'train');
  const warnings: string[] = [];
  if (dataset.valid.length === 0) warnings.push(`${dataset.report.files.valid}: the valid split has no triples — no validation, no early stopping and no --lr-decay; best.json holds the parameters of the last validation epoch`);
  if (dataset.test.length === 0) warnings.push(`${dataset.report.files.test}: the test split has no triples — no test evaluation`);
  const o = dataset.report.overlap;
  if (hasSharedTriples(o)) warnings.push(`${path.dirname(dataset.report.files.train)}: ${overlapLine(o)}`);
  if (dataset.report.suspectHeader) warnings.push(suspectHeaderLine(dataset.report.files.train, dataset.report.suspectHeader));
  for (const [split, skipped] of Object.entries(dataset.report.headerTriples ?? {}) as ['valid' | 'test', SkippedLine][]) warnings.push(headerTripleWarning(dataset.report.files[split], skipped));
  for (const warning of warnings) log(`warning: ${warning}`);
  return warnings;
}
