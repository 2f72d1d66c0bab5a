/**
 * `serve --dataset`: where the datasets of served runs are now, if they moved since training (as `neighbors` and
 * `predict` take it): names and known triples, for the marking of known answers and `filtered` predictions. With one
 * run, a dataset name or directory; with several, `NAME=DIR` entries, comma-separated, each naming a served run.
 */
import { existsSync } from 'node:fs';
import { refusedOption, type OptionsError } from '../pipeline/options-error.js';

/** A run's served name and the dataset given with `NAME=DIR`. */
const NAMED = /^([A-Za-z0-9][A-Za-z0-9._-]{0,99})=(.+)$/;

/** A refused `--dataset` value: a usage error (exit 2). */
const refusal = (message: string, value: string): OptionsError => refusedOption(message, 'dataset', value);

/**
 * The dataset of each served run (by `names`, in order; undefined: where its checkpoint says), from `--dataset`'s
 * value; an entry naming no served run, a run named twice, or a plain entry beside several runs is an OptionsError.
 */
export function servedDatasets(value: string | undefined, names: readonly string[]): (string | undefined)[] {
  if (value === undefined) return names.map(() => undefined);
  const entries = value.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  if (entries.length === 0) throw refusal('--dataset needs a dataset (a name or directory), or NAME=DIR for each served run it is for', value);
  if (names.length === 1 && entries.length === 1 && (existsSync(entries[0]!) || !NAMED.test(entries[0]!))) return [entries[0]];
  const datasets = new Map<string, string>();
  for (const entry of entries) {
    const match = existsSync(entry) ? null : NAMED.exec(entry);
    if (!match) {
      throw refusal(`--dataset ${entry}: with ${names.length === 1 ? 'several datasets' : `${names.length} runs served`}, give each as NAME=DIR, NAME a served run (${names.join(', ')})`, value);
    }
    const [, name, dir] = match as unknown as [string, string, string];
    if (!names.includes(name)) throw refusal(`--dataset ${entry}: no run is served as '${name}' (served: ${names.join(', ')})`, value);
    if (datasets.has(name)) throw refusal(`--dataset names the run '${name}' twice: each run has one dataset`, value);
    datasets.set(name, dir);
  }
  return names.map((name) => datasets.get(name));
}
