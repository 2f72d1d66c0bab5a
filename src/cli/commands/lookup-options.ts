/** Options shared by `neighbors`, `predict` and `serve`: backend and checkpoint choice, notices. */
import { Option, type Command } from 'commander';
import { BACKEND_CHOICES } from '../../core/backend.js';
import { refusedOption } from '../../pipeline/options-error.js';

/** Adds --last, --backend and --json to a lookup command. */
export function addLookupOptions(command: Command): Command {
  return command
    .option('--last', 'use the last checkpoint of the run instead of the best one')
    .addOption(new Option('--backend <name>', 'tfjs backend (model queries)').choices(BACKEND_CHOICES as string[]).default('auto'))
    .option('--json', 'print one JSON object with the result as the last stdout line');
}

/** Adds --dataset to a lookup command of one run (neighbors, predict): where the run's dataset is now, if it moved. */
export function addDatasetOption(command: Command): Command {
  return command.option('--dataset <name|dir>', "the run's dataset where it is now, if it moved since training (default: where it was; read as it was): names and known triples");
}

/** Refuses (exit 2, before the run is read) each of `names` given empty (`--entity ""`): no entity or relation has an empty name. */
export function requireNonEmptyNames(names: Readonly<Record<string, string | undefined>>): void {
  for (const [flag, value] of Object.entries(names)) {
    if (value !== undefined && value.trim() === '') throw refusedOption(`${flag} is empty: give a name, a key or id:<n>`, flag.replace(/^--/, ''), value);
  }
}

/** Writes index notices to stderr (stdout stays the result). */
export function noticeToStderr(message: string): void {
  process.stderr.write(`kgdistill: ${message}\n`);
}

/**
 * A lookup's error about k, in the words of the flag that gave it (`--k must be at most 599, got 600`): an
 * OptionsError under the key `k`, a usage error (exit 2; the command line is to change).
 */
export async function withKFlag<T>(ask: () => Promise<T>, k?: number): Promise<T> {
  try {
    return await ask();
  } catch (error) {
    if (error instanceof Error && /^k must /.test(error.message)) {
      const message = `--${error.message}`;
      throw Object.assign(refusedOption(message, 'k', k), { cause: error });
    }
    throw error;
  }
}

/**
 * A lookup's answer as `--json` prints it: the answer (whose `checkpoint` is the run's name, as the service answers
 * it) and `runDir`, the run directory's absolute path, which tells apart runs of the same name in other directories.
 */
export function lookupJsonLine(result: object, lookup: { readonly runDir: string }): string {
  return `${JSON.stringify({ ...result, runDir: lookup.runDir })}\n`;
}
