/**
 * The effective options a run's config.json records (LibKGE's expanded config): the defaults that depend on the
 * model or the loss (`initScale`, `norm`, `entityConstraint`, `loss`, `margin`, `advTemperature`) resolved to the
 * values the run trained with, as its checkpoint header records them, so that `--config <run>/config.json` replays
 * that run even after a default changed; and the dataset as a directory, unless it is a fetchable benchmark named as
 * such (the same checksummed files everywhere). `backend` and `path` stay as given: `auto` picks what the machine
 * offers, and a run's config.json must still run on a machine without the backend this one picked (the checkpoint
 * header records the backend that ran).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { CheckpointHeader } from '../core/checkpoint.js';
import type { ModelConfig } from '../core/model.js';
import { recipeFor } from '../kg/dataset-recipes.js';
import { looksLikePath, resolveDatasetDir } from '../kg/resolve-dataset.js';
import { recordedOptionsOf } from '../registry/models.js';

/** The model options whose default is the model's own: config.json records their resolved values. */
const MODEL_KEYS = ['initScale', 'norm', 'entityConstraint'] as const;

/** The loss a run trained with, as its trainer's config and its checkpoint header's `training` record it. */
export interface TrainedLoss {
  negatives?: number;
  oneToNLoss?: string;
  loss?: string;
  margin?: number;
  adversarialTemperature?: number;
}

/** The model-dependent options of a model's config (an option a checkpoint does not record takes its value from before it was recorded). */
export function resolvedModelOptions(model: ModelConfig): Record<string, unknown> {
  const recorded = recordedOptionsOf(model);
  return Object.fromEntries(MODEL_KEYS.filter((key) => recorded[key] !== undefined).map((key) => [key, recorded[key]]));
}

/**
 * The loss options that name a trained loss explicitly: 1-N training its 1-N loss (`softmax` or `bce`), sampled
 * training its loss with the margin of nssa and margin and the temperature of nssa (the keys the other losses refuse
 * left out); none for a checkpoint from before the loss was recorded.
 */
export function resolvedLossOptions(t: TrainedLoss): Record<string, unknown> {
  if (t.negatives === 0) return { loss: t.oneToNLoss === 'bce' ? 'bce' : 'softmax' };
  if (t.loss === undefined) return {};
  return {
    loss: t.loss, ...(t.loss !== 'bce' && t.margin !== undefined ? { margin: t.margin } : {}),
    ...(t.loss === 'nssa' && t.adversarialTemperature !== undefined ? { advTemperature: t.adversarialTemperature } : {}),
  };
}

/**
 * How config.json records the dataset `spec` that was read from `dir`: a fetchable benchmark found by its name keeps
 * its (canonical) name, as its files are the same wherever they are found (checked against the package's SHA256SUMS);
 * any other dataset its absolute directory, so that the file names the same data from any working directory (a bare
 * name is looked up in the working directory's `data/<name>` first).
 */
export function datasetRecord(spec: string, dir: string): string {
  const recipe = looksLikePath(spec) ? undefined : recipeFor(spec);
  const here = path.resolve(spec);
  return recipe !== undefined && path.resolve(dir) !== here ? recipe.name : path.resolve(dir);
}

/**
 * The options config.json records for a run: `settings` with the model's and the loss's defaults resolved from what
 * trained (`model`, `training`: for `distill`, the Junior's hard loss), and the dataset as {@link datasetRecord} says.
 */
export function effectiveOptions(settings: Record<string, unknown>, model: ModelConfig, training: TrainedLoss, datasetDir: string): Record<string, unknown> {
  const options: Record<string, unknown> = { ...settings, ...resolvedModelOptions(model) };
  delete options.margin;
  delete options.advTemperature;
  Object.assign(options, resolvedLossOptions(training));
  if (typeof settings.dataset === 'string') options.dataset = datasetRecord(settings.dataset, datasetDir);
  return options;
}

/** The options config.json records resolved: each may be a default of the model or the loss rather than the user's. */
export const RESOLVED_KEYS: readonly string[] = [...MODEL_KEYS, 'loss', 'margin', 'advTemperature'];

/**
 * Which resolved keys of a run's recorded `options` hold a default, not a value the user gave: those `settings` left
 * unset (`loss` `auto`), and those a replayed or resumed run's config.json marked as defaults (`replayed`: the keys
 * whose value still came from that file). config.json lists them under `defaults` (replayed-defaults.ts).
 */
export function defaultedKeys(settings: Readonly<Record<string, unknown>>, options: Readonly<Record<string, unknown>>, replayed: readonly string[] = []): string[] {
  return RESOLVED_KEYS.filter((key) => options[key] !== undefined
    && (settings[key] === undefined || (key === 'loss' && settings.loss === 'auto') || replayed.includes(key)));
}

/**
 * The values a run's checkpoint records for the options an older config.json left unresolved (absent, or `loss`
 * `auto`): what `--resume` compares a given option with when the run's config.json does not have it. Not a `distill`
 * run's loss: the header of one from before 2026-12-07 names the student's own loss, while its Junior trained with BCE.
 */
export function recordedRunOptions(command: 'train' | 'distill', header: CheckpointHeader): Record<string, unknown> {
  return { ...resolvedModelOptions(header.model), ...(command === 'train' ? resolvedLossOptions(header.training as TrainedLoss) : {}) };
}

/** The directory a dataset name finds from the working directory, or undefined when it finds none. */
export function datasetDirOf(spec: string): string | undefined {
  try {
    return resolveDatasetDir(spec).dir;
  } catch {
    return undefined;
  }
}

/**
 * The dataset a resumed or replayed run reads: the run's own directory (`recorded`, its checkpoint header's) when its
 * config.json names the dataset by a name that now finds another directory (another working directory's
 * `data/<name>`; config.json files before 2026-12-07 saved names) and that directory is still there (`note` says so,
 * with `doing`: "resuming", "replaying"); else `spec` (a resumed run's triples' fingerprints are checked either way).
 */
export function runOwnDataset(spec: string, recorded: string | undefined, note: (line: string) => void, doing = 'resuming'): string {
  if (looksLikePath(spec) || recorded === undefined) return spec;
  const found = datasetDirOf(spec);
  if (found !== undefined && path.resolve(found) === path.resolve(recorded)) return spec;
  if (!existsSync(recorded)) return spec;
  note(`the dataset name '${spec}' ${found === undefined ? 'finds no directory' : `finds ${found}`} from here, but the run was trained on ${recorded}: ${doing} with that directory`);
  return recorded;
}

/** The end of the error for a resumed run's changed triples: which directory the run trained on, when another was read. */
export function resumedTriplesRemedy(header: CheckpointHeader, dir: string): string {
  const recorded = header.dataset.dir;
  const elsewhere = recorded !== undefined && path.resolve(recorded) !== path.resolve(dir)
    ? `the run was trained on the files in ${recorded}${existsSync(recorded) ? '' : ' (no longer there)'}, not ${dir}: give that directory as the dataset, ` : '';
  return `a resumed run goes on with the triples it started with: ${elsewhere}restore the files, or start a new run`;
}
