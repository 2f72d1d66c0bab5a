/**
 * Usage errors of the command line, one rule for every command: a flag whose value is missing does not take the next
 * flag as its value (`--out --json` would create a directory `--json`), and a usage error exits 2, a failure of the
 * work itself 1 (a signal 128 + its number, set where the signal is handled): 2 says "fix the command line, do not
 * retry", as the benchmark scripts' own flags do.
 */
import { CommanderError, InvalidArgumentError, type Command, type Option } from 'commander';
import { OptionsError } from '../pipeline/options-error.js';
import { LookupError } from '../lookup/errors.js';

/** Exit code of a usage error: an unknown option, a missing or bad value (commander's checks, the options' schemas), options that contradict each other (an OptionsError when a run starts). */
export const USAGE_EXIT_CODE = 2;
/** Exit code of any other failure. */
export const FAILURE_EXIT_CODE = 1;

/** A commander exit (an error it has printed already, or help and version with code 0), thrown by exitOverride. */
export class CommanderExit extends Error {
  /** Wraps commander's own exit (`error` holds its code and message). */
  constructor(readonly error: CommanderError) {
    super(error.message);
    this.name = 'CommanderExit';
  }
}

/** The exitOverride callback of the program: commander's exits become a thrown CommanderExit (printed already). */
export function throwCommanderExit(error: CommanderError): never {
  throw new CommanderExit(error);
}

/** The process's exit code for an error that ended a command, and whether its message is still to be printed. */
export function exitOf(error: unknown): { code: number; print: boolean } {
  if (error instanceof CommanderExit) return { code: error.error.exitCode === 0 ? 0 : USAGE_EXIT_CODE, print: false };
  if (error instanceof OptionsError || error instanceof InvalidArgumentError) return { code: USAGE_EXIT_CODE, print: true };
  // a name or id given to predict or neighbors that no entity or relation has, or several have: the command line is to change
  if (error instanceof LookupError && error.kind !== 'unavailable') return { code: USAGE_EXIT_CODE, print: true };
  return { code: FAILURE_EXIT_CODE, print: true };
}

/** Argument names of options whose value is a path or a name chosen by the user (`<dir>`, `<run dir>`, `<file>`, …). */
const PATH_ARGUMENT = /\b(dir|dirs|file|root|path)\b/;
/** A value that reads as a long flag. */
const FLAG_LIKE = /^--[a-z]/i;

/** The long flags `command` (and its ancestors, whose options it also takes) understands, with --help. */
function longFlagsOf(command: Command): Set<string> {
  const flags = new Set(['--help', '--version']);
  for (let c: Command | null = command; c; c = c.parent) for (const option of c.options) if (option.long) flags.add(option.long);
  return flags;
}

/** The raw arguments the program was given (commander keeps them on the root command, untyped), else process.argv. */
function rawArgsOf(command: Command): readonly string[] {
  let root = command;
  while (root.parent) root = root.parent;
  const raw = (root as unknown as { rawArgs?: unknown }).rawArgs;
  return Array.isArray(raw) ? (raw as string[]) : process.argv;
}

/** The refusal of one value of `option`, or undefined when the value is not a flag taken for a value. */
function refusalOf(option: Option, value: string, flags: Set<string>, raw: readonly string[]): string | undefined {
  if (!FLAG_LIKE.test(value) || option.long === undefined) return undefined;
  if (raw.includes(`${option.long}=${value}`)) return undefined; // `--out=--json`: the value was meant
  const flag = value.split('=')[0]!;
  if (flags.has(flag)) return `${option.long} needs a value, got the flag ${flag} (a value that starts with -- is written ${option.long}=${value})`;
  if (PATH_ARGUMENT.test(option.flags)) return `${option.long} needs a value, got '${value}', which reads as a flag (a path that starts with -- is written ./${value} or ${option.long}=${value})`;
  return undefined;
}

/**
 * commander preAction hook: refuses (as an OptionsError, exit 2, before the command writes anything) an option given
 * on the command line whose value is one of the command's long flags (`--out --json`: `--out` had no value), or, for an
 * option naming a path, any value that reads as a long flag. Negative numbers (`--lr -1`) and other values that start
 * with a single `-` are left to their own checks; `--out=--x` and `./--x` give a value that starts with -- knowingly.
 */
export function refuseFlagAsValue(_program: Command, actionCommand: Command): void {
  const flags = longFlagsOf(actionCommand);
  const raw = rawArgsOf(actionCommand);
  const problems: string[] = [];
  for (const option of actionCommand.options) {
    if (option.isBoolean() || option.negate) continue;
    const key = option.attributeName();
    if (actionCommand.getOptionValueSource(key) !== 'cli') continue;
    const value: unknown = actionCommand.getOptionValue(key);
    for (const text of Array.isArray(value) ? value : [value]) {
      const refusal = typeof text === 'string' ? refusalOf(option, text, flags, raw) : undefined;
      if (refusal) problems.push(refusal);
    }
  }
  if (problems.length > 0) throw new OptionsError(problems.join('; '), []);
}
