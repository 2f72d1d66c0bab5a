/**
 * One value a command takes as its positional argument or as a flag (`plot <run dir>` or `--checkpoint <run dir>`,
 * `data stats <dataset>` or `--dataset <dataset>`: the flag the other commands take).
 */
import path from 'node:path';
import { refusedOption } from '../pipeline/options-error.js';

/**
 * The value given as the argument or the flag; both given and different, or neither, is an OptionsError (a usage
 * error, exit 2) naming both forms, its problem under the flag's key (`--checkpoint`: `checkpoint`).
 */
export function positionalOrFlag(positional: string | undefined, flagValue: string | undefined, flag: string, what: string): string {
  const key = flag.replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  if (positional !== undefined && flagValue !== undefined && positional !== flagValue && path.resolve(positional) !== path.resolve(flagValue)) {
    const message = `${flag} ${flagValue} and the argument ${positional} are two different ${what} names: give one (nothing was done)`;
    throw refusedOption(message, key, flagValue);
  }
  const value = positional ?? flagValue;
  if (value === undefined) {
    const message = `give the ${what}: as an argument, or with ${flag} <${what}>`;
    throw refusedOption(message, key);
  }
  return value;
}
