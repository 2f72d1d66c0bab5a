/**
 * One value a command takes as its positional argument or as a flag (`plot <run dir>` or `--checkpoint <run dir>`,
 * `data stats <dataset>` or `--dataset <dataset>`: the flag the other commands take).
 */
import path from 'node:path';

/** The value given as the argument or the flag; both given and different, or neither, is an error naming both forms. */
export function positionalOrFlag(positional: string | undefined, flagValue: string | undefined, flag: string, what: string): string {
  if (positional !== undefined && flagValue !== undefined && positional !== flagValue && path.resolve(positional) !== path.resolve(flagValue)) {
    throw new Error(`${flag} ${flagValue} and the argument ${positional} are two different ${what} names: give one (nothing was done)`);
  }
  const value = positional ?? flagValue;
  if (value === undefined) throw new Error(`give the ${what}: as an argument, or with ${flag} <${what}>`);
  return value;
}
