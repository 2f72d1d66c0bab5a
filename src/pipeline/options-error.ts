/**
 * A run's options refused by their schema (`train`, `distill`, `evaluate`, config files), or options that contradict
 * each other (`--one-to-n --loss margin`, refused when a run starts: `conflictingOptions`): the message names every bad
 * option and its value, the way the caller asked (`naming`: by key in code, by flag in the shell); `problems` gives
 * the same per option, for code that reacts to one key. The command line exits 2 on it (a usage error).
 */

/** One refused option: its key (camelCase, as in code), what is wrong, and the value given (undefined when missing). */
export interface OptionProblem {
  key: string;
  message: string;
  value?: unknown;
}

/** Options that do not validate; `problems` lists each bad option. */
export class OptionsError extends Error {
  /** Creates the error; `message` is the whole message (every problem, as worded for the caller). */
  constructor(message: string, readonly problems: readonly OptionProblem[]) {
    super(message);
    this.name = 'OptionsError';
  }
}

/**
 * The OptionsError of options that contradict each other: `message` as worded for the caller, one problem per key of
 * `keys` (camelCase) with the same message and its value in `values` (the run's settings).
 */
export function conflictingOptions(message: string, keys: readonly string[], values: Readonly<Record<string, unknown>>): OptionsError {
  return new OptionsError(message, keys.map((key) => ({ key, message, value: values[key] })));
}

/** An option refused alone (its value, or its absence: no `value`): an OptionsError with its one problem, a usage error (exit 2). */
export function refusedOption(message: string, key: string, value?: unknown): OptionsError {
  return new OptionsError(message, [{ key, message, ...(value === undefined ? {} : { value }) }]);
}
