/**
 * What a checkpoint header records of its run's options, for a resumed run: the options of a run made before
 * config.json existed (from its header alone), and the check that a run's config.json agrees with its checkpoint.
 */
import path from 'node:path';
import type { CheckpointHeader } from '../core/checkpoint.js';
import type { OneToNLoss } from '../core/one-to-n-step.js';
import { OptionsError } from './options-error.js';
import { RESUMABLE_KEYS } from './run-config.js';
import { resolvedModelOptions } from './effective-options.js';

/** The 1-N loss a checkpoint recorded (one saved before the choice existed trained with the softmax). */
export function recordedOneToNLoss(header: CheckpointHeader): OneToNLoss {
  return (header.training as { oneToNLoss?: unknown }).oneToNLoss === 'bce' ? 'bce' : 'softmax';
}

/**
 * The options of a run made before config.json existed, from its checkpoint header. The header keeps both the
 * dataset's name and its directory: the one the user gives now (`WN18RR` or its path) is the run's.
 */
export function optionsFromHeader(header: CheckpointHeader, givenDataset: unknown): Record<string, unknown> {
  const t = header.training as Record<string, unknown>;
  const { name, dir } = header.dataset;
  const sameDataset = givenDataset !== undefined && (givenDataset === name || (dir !== undefined && path.resolve(String(givenDataset)) === path.resolve(dir)));
  return {
    dataset: sameDataset ? givenDataset : dir ?? name, unseen: header.dataset.unseen ?? 'drop', model: header.model.model,
    dim: header.model.dim, initScale: header.model.options.initScale, epochs: t.epochs, batchSize: t.batchSize, lr: t.learningRate,
    optimizer: t.optimizer, neg: t.negatives === 0 ? 50 : t.negatives, oneToN: t.negatives === 0, doubleNeg: t.doubleNegatives, sharedNeg: t.sharedNegatives,
    reg: t.regularizer, regWeight: t.regularizerWeight, validEvery: t.validEvery, patience: t.patience, seed: t.seed, path: t.path,
    queryWeights: t.queryWeights, lrDecay: t.lrDecay, lrPatience: t.lrPatience, ...lossOptionsOfHeader(header),
  };
}

/**
 * The loss options that reproduce a checkpoint's recorded loss (header.training records the sampled loss even for
 * 1-N training, where it is unused): 1-N runs their recorded 1-N loss, double-negative runs `auto` (BCE), sampled runs
 * their loss with the margin of nssa and margin and the temperature of nssa; none for a checkpoint from before.
 */
function lossOptionsOfHeader(header: CheckpointHeader): Record<string, unknown> {
  const t = header.training as { negatives?: number; doubleNegatives?: boolean; loss?: string; margin?: number; adversarialTemperature?: number };
  if (t.negatives === 0) return { loss: recordedOneToNLoss(header) === 'bce' ? 'bce' : 'auto' };
  if (t.doubleNegatives || t.loss === undefined) return {};
  return { loss: t.loss, ...(t.loss === 'bce' ? {} : { margin: t.margin }), ...(t.loss === 'nssa' ? { advTemperature: t.adversarialTemperature } : {}) };
}

/** The options a run keeps for its whole life, as config.json names them; the checkpoint records each too. */
const FIXED_KEYS = ['model', 'dim', 'initScale', 'norm', 'entityConstraint', 'batchSize', 'lr', 'optimizer', 'neg', 'oneToN', 'doubleNeg', 'sharedNeg', 'reg', 'regWeight', 'seed'] as const;

/**
 * A resumed run's config.json must agree with its checkpoint on the options a run keeps (the checkpoint is what
 * trained): an edited file is an error naming it, the key and both values, before anything is loaded or written.
 */
export function requireConfigOfCheckpoint(options: Record<string, unknown>, header: CheckpointHeader, source: { file: string; copy: boolean }): void {
  const { file } = source;
  const recorded: Record<string, unknown> = { ...optionsFromHeader(header, undefined), ...resolvedModelOptions(header.model) };
  for (const key of FIXED_KEYS) {
    if (options[key] === undefined || recorded[key] === undefined) continue; // a default the model chose, or a key this command has not
    if (key === 'neg' && recorded.oneToN === true) continue; // 1-N runs record no negatives
    if (key === 'oneToN' && options.neg === 0) continue; // `--neg 0` meant 1-N before it was refused (2026-12-05)
    if (key === 'model' && options.student !== undefined) continue; // distill names its model `student`
    const same = typeof options[key] === 'string' && typeof recorded[key] === 'string'
      ? (options[key] as string).toLowerCase() === (recorded[key] as string).toLowerCase() // names are chosen without case
      : options[key] === recorded[key];
    if (!same) {
      const last = path.join(path.dirname(file), 'last.json');
      throw new Error(source.copy
        ? `${file}: its copy of the run's configuration (runConfig) has ${key} ${JSON.stringify(options[key])}, but the checkpoint's model has ${JSON.stringify(recorded[key])}; the copy was edited: restore the run's config.json, or remove runConfig from ${file} to resume from the checkpoint's own record`
        : `${file}: ${key} ${JSON.stringify(options[key])} differs from the checkpoint's ${JSON.stringify(recorded[key])} (${last}); the file was edited: restore it, or delete it to resume from the checkpoint's own record`);
    }
  }
}

/**
 * A resumed run's settings through `parse`; an option the run's configuration holds (not given now) that `parse`
 * refuses, a bad value or a key it does not know, names where it came from: the run's config.json or the
 * checkpoint's copy of it, and the key.
 */
export function parseSaved<S>(parse: (options: Record<string, unknown>) => S, options: Record<string, unknown>,
  from?: { saved: Record<string, unknown>; given: Record<string, unknown>; name: (key: string) => string; source: { file: string; copy: boolean } }): S {
  try {
    return parse(options);
  } catch (error) {
    if (!from || !(error instanceof OptionsError)) throw error;
    const saved = error.problems.filter((p) => p.key !== '' && Object.hasOwn(from.saved, p.key) && from.given[p.key] === undefined);
    if (saved.length === 0) throw error;
    const { file, copy } = from.source;
    const prefix = copy ? 'runConfig.options' : 'options'; // where the key is in the file
    const problems = saved.map((p) => (p.message.startsWith('unknown key')
      ? `${prefix}.${p.key} is an unknown key${p.message.slice('unknown key'.length)}`
      : `${prefix}.${p.key} ${p.message} (got ${JSON.stringify(p.value)})`));
    const resumable = saved.map((p) => p.key).filter((key) => RESUMABLE_KEYS.includes(key));
    const float32 = saved.every((p) => p.message.includes('a 32-bit float holds'));
    const what = float32
      ? 'versions before 2026-12-07 accepted this value, which a 32-bit float cannot hold (the run trained with Infinity or 0 in its place): it cannot be resumed; start a new run'
      : copy ? "its copy of the run's configuration was edited: restore the run's config.json" : 'the run\'s configuration was edited: restore it';
    throw new Error(`${file}: ${problems.join('; ')}; ${what}${resumable.length > 0 ? `, or give ${resumable.map(from.name).join(' and ')} to resume` : ''}`, { cause: error });
  }
}
