/**
 * The command line of every benchmark: each declares its flags once (type, default, range, choices), and an unknown
 * flag, a flag without its value or a value it does not take exits 2 with a message naming the flag, before any run
 * starts (node:util parseArgs in strict mode underneath).
 */
import { parseArgs } from 'node:util';
import { errorMessage } from '../src/cli/error-message.js';

/** One flag of a benchmark (`--name value`; `strings` and `integers` take comma-separated lists). */
export type BenchFlag =
  | { type: 'string'; default?: string; choices?: readonly string[] }
  | { type: 'strings'; default?: string; choices?: readonly string[] }
  | { type: 'integer'; default?: number; min?: number }
  | { type: 'integers'; default?: string; min?: number }
  | { type: 'number'; default?: number; min?: number }
  | { type: 'boolean' };

/** The words a string flag takes: its choices when it has them. */
type Word<F> = F extends { choices: readonly (infer C extends string)[] } ? C : string;
/** The value a flag's declaration gives: lists as arrays, a flag without default as possibly undefined. */
export type BenchValue<F extends BenchFlag> =
  F extends { type: 'boolean' } ? boolean
    : F extends { type: 'strings' } ? Word<F>[]
      : F extends { type: 'integers' } ? number[]
        : F extends { type: 'integer' | 'number' } ? (F extends { default: number } ? number : number | undefined)
          : F extends { default: string } ? Word<F> : Word<F> | undefined;

/** A whole number as written on a command line (no exponent, no hexadecimal, no spaces). */
const INTEGER = /^-?\d+$/;
/** A decimal number as written on a command line (an exponent allowed). */
const DECIMAL = /^-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

/** A command line the benchmark does not take (the message names the flag). */
export class BenchArgsError extends Error {}

/** What a benchmark takes: its flags by name (without the dashes) and how many words it takes without a flag. */
export interface BenchArgsSpec<T extends Record<string, BenchFlag>> {
  flags: T;
  /** Words without a flag (e.g. a run directory); none unless given. `min`: each is a whole number ≥ min. */
  positionals?: { usage: string; max: number; min?: number };
}

/** Parses `argv` against `spec`; throws BenchArgsError naming the flag or word it does not take. */
export function parseBenchArgs<const T extends Record<string, BenchFlag>>(argv: readonly string[], spec: BenchArgsSpec<T>):
  { values: { [K in keyof T]: BenchValue<T[K]> }; positionals: string[] } {
  const names = Object.keys(spec.flags);
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv], strict: true, allowPositionals: true,
      options: Object.fromEntries(names.map((name) => [name, { type: spec.flags[name]!.type === 'boolean' ? 'boolean' : 'string' }] as const)),
    });
  } catch (error) {
    throw new BenchArgsError(parseErrorMessage(error as Error & { code?: string }, names));
  }
  const max = spec.positionals?.max ?? 0;
  if (parsed.positionals.length > max) {
    const extra = parsed.positionals[max]!;
    throw new BenchArgsError(max === 0 ? `takes no word without a flag (got '${extra}')` : `takes ${spec.positionals!.usage} (got the extra word '${extra}')`);
  }
  const min = spec.positionals?.min;
  const notWhole = min === undefined ? undefined : parsed.positionals.find((word) => !INTEGER.test(word) || Number(word) < min);
  if (notWhole !== undefined) throw new BenchArgsError(`takes ${spec.positionals!.usage}, whole numbers ≥ ${min} (got '${notWhole}')`);
  const values: Record<string, unknown> = {};
  for (const name of names) values[name] = valueOf(name, spec.flags[name]!, parsed.values[name] as string | boolean | undefined);
  return { values: values as { [K in keyof T]: BenchValue<T[K]> }, positionals: parsed.positionals };
}

/**
 * Ends the benchmark on an error nothing caught with one line `bench:<bench>: <message>` and exit 1, as the command
 * line does (a bad model name, dataset or run directory printed a stack trace); an error of the code itself
 * (TypeError, ReferenceError, a non-Error) keeps its stack.
 */
function reportFailuresAsOneLine(bench: string): void {
  process.on('uncaughtException', (error: unknown) => {
    const internal = !(error instanceof Error) || error instanceof TypeError || error instanceof ReferenceError;
    process.stderr.write(`bench:${bench}: ${internal ? (error instanceof Error ? error.stack : String(error)) : errorMessage(error)}\n`);
    process.exit(1);
  });
}

/**
 * parseBenchArgs on this process's arguments; a command line it does not take exits 2 with `bench:<bench>: …`, and a
 * later error exits 1 with one such line.
 */
export function benchArgs<const T extends Record<string, BenchFlag>>(bench: string, spec: BenchArgsSpec<T>):
  { values: { [K in keyof T]: BenchValue<T[K]> }; positionals: string[] } {
  if (process.listenerCount('uncaughtException') === 0) reportFailuresAsOneLine(bench);
  try {
    return parseBenchArgs(process.argv.slice(2), spec);
  } catch (error) {
    if (!(error instanceof BenchArgsError)) throw error;
    process.stderr.write(`bench:${bench}: ${error.message}\n`);
    process.exit(2);
  }
}

/** parseArgs' own errors, said with the flag and what the benchmark takes. */
function parseErrorMessage(error: Error & { code?: string }, names: readonly string[]): string {
  const flag = /'(-[^' ]+)/.exec(error.message)?.[1] ?? '';
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown flag ${flag} (it takes ${names.map((n) => `--${n}`).join(', ') || 'none'}, --help)`;
  if (error.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    if (/ambiguous/.test(error.message)) return `${flag} needs a value (a value that starts with '-' is written ${flag}=<value>)`;
    return `${flag} ${/argument missing/.test(error.message) ? 'needs a value' : 'takes no value'}`;
  }
  return error.message;
}

/** The typed value of one flag, checked against its declaration. */
function valueOf(name: string, flag: BenchFlag, raw: string | boolean | undefined): unknown {
  if (flag.type === 'boolean') return raw === true;
  const text = raw as string | undefined;
  const bad = (takes: string): never => {
    const got = text !== undefined ? `'${text}'` : `'${String('default' in flag ? flag.default : '')}', the benchmark's default`;
    throw new BenchArgsError(`--${name} takes ${takes} (got ${got})`);
  };
  switch (flag.type) {
    case 'string':
    case 'strings': {
      const value = text ?? flag.default;
      if (value === undefined) return flag.type === 'strings' ? [] : undefined;
      if (text === undefined && value === '') return flag.type === 'strings' ? [] : ''; // an empty default: nothing
      const items = flag.type === 'strings' ? value.split(',') : [value];
      if (items.some((item) => item === '')) bad(flag.type === 'strings' ? 'a comma-separated list without empty items' : 'a value');
      const wrong = flag.choices && items.find((item) => !flag.choices!.includes(item));
      if (wrong) throw new BenchArgsError(`--${name} takes ${flag.choices!.join(', ')} (got '${wrong}')`);
      return flag.type === 'strings' ? items : value;
    }
    case 'integer':
    case 'number': {
      if (text === undefined) return flag.default;
      const value = Number(text);
      const min = flag.min ?? -Infinity;
      const ok = (flag.type === 'integer' ? INTEGER : DECIMAL).test(text) && Number.isFinite(value) && value >= min;
      return ok ? value : bad(`${flag.type === 'integer' ? 'a whole number' : 'a number'}${Number.isFinite(min) ? ` ≥ ${min}` : ''}`);
    }
    case 'integers': {
      const value = text ?? flag.default;
      if (value === undefined) return [];
      const min = flag.min ?? -Infinity;
      const numbers = value.split(',').map((item) => (INTEGER.test(item) ? Number(item) : NaN));
      return numbers.every((n) => Number.isInteger(n) && n >= min) ? numbers
        : bad(`comma-separated whole numbers${Number.isFinite(min) ? ` ≥ ${min}` : ''}`);
    }
  }
}
