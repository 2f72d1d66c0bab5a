/**
 * Replaying a run's config.json with some flags changed (`train --config runs/x/config.json --entity-constraint none
 * --out runs/y`). The file records the defaults the run resolved (the model's entity constraint, its loss with that
 * loss's margin and temperature: effective-options.ts) so that an unchanged replay trains the same model after a
 * default changed. A flag that changes what those defaults were chosen for (the model, its constraint or norm, the
 * loss, 1-N or double negatives) makes them wrong for the new run: TransE without its unit constraint would keep the
 * margin γ = 3 of unit entities, and DistMult given `--loss bce` would keep the margin bce refuses. So the values the
 * file lists under `defaults` are then left out and chosen anew, with a note naming them; the user's own values stay.
 * A file of version 1 does not say which values were defaults: they are kept, with a note saying how to change them.
 */
import { flagOf } from './option-schemas.js';
import { RESOLVED_KEYS } from './effective-options.js';
import { sameSetting, type OptionsFile } from './run-config.js';

/** The options the model's and the loss's defaults are chosen for (registry/models.ts defaultLossOf, run-settings.ts sampledLossOf). */
export const DEFAULTS_DEPEND_ON: readonly string[] = ['model', 'student', 'entityConstraint', 'norm', 'loss', 'oneToN', 'doubleNeg'];

/** What a replay does with the file's resolved defaults: the keys to leave out (`drop`), those kept as defaults (`kept`), and what to tell the user. */
export interface ReplayedDefaults {
  drop: string[];
  kept: string[];
  note?: string;
}

/** `--flag value` of each key (values as JSON). */
function listed(keys: readonly string[], values: Readonly<Record<string, unknown>>): string {
  return keys.map((key) => `${flagOf(key)} ${JSON.stringify(values[key])}`).join(', ');
}

/**
 * What replaying the run configuration of `file` (`run`, undefined for a plain options file; `fromFile` its options)
 * does with its resolved defaults, given the flags (`flagKeys`) and their values (`given`).
 */
export function replayedDefaultsOf(file: string, run: OptionsFile['run'], fromFile: Readonly<Record<string, unknown>>,
  given: Readonly<Record<string, unknown>>, flagKeys: readonly string[]): ReplayedDefaults {
  if (run === undefined) return { drop: [], kept: [] };
  const changed = DEFAULTS_DEPEND_ON.filter((key) => flagKeys.includes(key) && !sameSetting(key, fromFile[key], given[key]));
  const fileValues = RESOLVED_KEYS.filter((key) => !flagKeys.includes(key) && fromFile[key] !== undefined);
  if (run.defaults === undefined) {
    if (changed.length === 0 || fileValues.length === 0) return { drop: [], kept: [] };
    return { drop: [], kept: [], note: `--config ${file}: ${listed(changed, given)} changes what a run's defaults are chosen for, but this config.json (version ${run.version}, `
      + `before 2026-12-08) does not say which of its values were defaults: ${listed(fileValues, fromFile)} are kept as given; give them as flags to change them` };
  }
  const defaults = fileValues.filter((key) => run.defaults!.includes(key));
  if (changed.length === 0 || defaults.length === 0) return { drop: [], kept: defaults };
  return { drop: defaults, kept: [], note: `--config ${file}: ${listed(changed, given)} changes what the run's defaults were chosen for: `
    + `its ${listed(defaults, fromFile)} are chosen anew for the new settings (give them as flags to keep them)` };
}
