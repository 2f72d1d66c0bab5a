/**
 * Turning a command's flags (and `--config` file) into the options object the pipeline validates with its zod
 * schema: only options the user gave are passed (the schema holds every default, which `--help` shows), a flag
 * overrides the config file, and every error names the flag (or the file and key).
 */
import { Option, type Command } from 'commander';
import type { z } from 'zod';
import { flagOf, parseOptions, trainOptionsSchema } from '../pipeline/options.js';
import { readOptionsFileWithLines, resumedChangesNote } from '../pipeline/run-config.js';
import { replayedRunDataset, requireConfigModels, requireConfigPaths } from '../pipeline/config-file.js';
import { replayedDefaultsOf } from '../pipeline/replayed-defaults.js';
import { parseParamPairs } from './kd-flags.js';
import { exactInteger, numberText } from './integer-flag.js';

/** How a flag's text becomes a value. */
type Kind = 'string' | 'number' | 'boolean' | 'list' | 'negated' | 'pairs' | 'numbers';

/** One flag of a command: its key in the schema, how it is written, what it means. */
export interface FlagSpec {
  key: string;
  kind: Kind;
  /** `<n>`-style argument name (not for booleans). */
  arg?: string;
  description: string;
  /** Allowed values (listed in --help). */
  choices?: readonly string[];
  /** What --help says of the default, when the schema has none to show (e.g. "hrt, or the order a header line names"). */
  defaultText?: string;
  /** The flag when it is not the key's (`--param` for `params`). */
  flag?: string;
}

/** The flag of a spec, and commander's name for its value. */
function flagAndAttribute(spec: FlagSpec): { flag: string; attribute: string } {
  const flag = spec.flag ?? flagOf(spec.key);
  return { flag, attribute: flag.slice(2).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()) };
}

/** The flags of the dataset options, on every command that reads a dataset. */
export const DATA_FLAGS: readonly FlagSpec[] = [
  { key: 'unseen', kind: 'string', arg: '<policy>', description: "valid/test triples with an entity or relation not in train: keep (the papers' protocol), drop, or error", choices: ['drop', 'keep', 'error'] },
  { key: 'delimiter', kind: 'string', arg: '<d>', description: 'field delimiter of the triple files (auto: tab, else comma, else spaces)', choices: ['auto', 'tab', 'comma', 'whitespace'] },
  { key: 'columns', kind: 'string', arg: '<cols>', description: 'head, relation and tail columns: hrt, htr, or three 0-based positions of a wider file (e.g. 0,2,1)', defaultText: 'hrt, or the order a header line names' },
  { key: 'header', kind: 'string', arg: '<h>', description: 'is the first data line a header', choices: ['auto', 'yes', 'no'] },
  { key: 'encoding', kind: 'string', arg: '<e>', description: 'text encoding of the triple files (UTF-8 is strict: other bytes are an error)', choices: ['utf8', 'latin1'] },
];

/** The help of `--eval-candidates`, the same in train, distill and eval (each adds its default). */
export const EVAL_CANDIDATES_HELP = 'rank each validation or test query against its gold answer and n fixed filtered candidates instead of all entities (OGB-style sampled evaluation, for large graphs; reported as such); 0: all entities';

/** `--eval-candidates` of a command that reads it itself (eval): checked as train's is, same message; 0 stays 0 (all entities). */
export function evalCandidatesFlag(text: string): number {
  const value = numberText(text) ?? text;
  parseOptions(trainOptionsSchema.pick({ evalCandidates: true }), { evalCandidates: value }, 'flag');
  return value as number;
}

/** The default of every key of a schema (parsing a minimal object), for --help. */
function defaultsOf(schema: z.ZodType, minimal: Record<string, unknown>): Record<string, unknown> {
  const result = schema.safeParse(minimal);
  return result.success ? (result.data as Record<string, unknown>) : {};
}

/** The help of `--config` for the commands that write a run directory (its config.json). */
const RUN_CONFIG_HELP = 'read options from a JSON or YAML file (keys as in code, e.g. batchSize; a run\'s config.json reproduces it); flags override it';

/**
 * Adds the flags to a command, with the schema's defaults in their help, and `--config` with the help `configHelp`
 * (a run's config.json reproduces a run; false: no --config).
 */
export function addFlags(command: Command, flags: readonly FlagSpec[], schema: z.ZodType, minimal: Record<string, unknown>, configHelp: string | false = RUN_CONFIG_HELP): Command {
  const defaults = defaultsOf(schema, minimal);
  for (const spec of flags) {
    const { flag } = flagAndAttribute(spec);
    const shown = spec.key in minimal ? undefined : defaults[spec.key];
    const name = spec.kind === 'negated' ? `--no-${flag.slice(2)}` : spec.kind === 'boolean' ? flag : `${flag} ${spec.arg ?? '<value>'}`;
    const option = new Option(name, spec.description);
    if (spec.choices) option.choices(spec.choices as string[]);
    if (spec.kind === 'pairs') option.argParser((value: string, previous: unknown) => [...(Array.isArray(previous) ? previous as string[] : []), value]);
    // Shown in --help only: the values that reach the pipeline are the ones given on the command line (source 'cli').
    if (spec.defaultText) option.default(shown ?? spec.defaultText, spec.defaultText);
    else if (shown !== undefined && spec.kind !== 'negated' && spec.kind !== 'boolean' && spec.kind !== 'pairs') option.default(Array.isArray(shown) ? shown.join(',') : shown);
    command.addOption(option);
  }
  if (configHelp === false) return command;
  return command.option('--config <file>', configHelp);
}

/** A flag's text as the value the schema expects: numbers when numeric (else the text, which the schema rejects). */
function valueOf(spec: FlagSpec, raw: unknown): unknown {
  if (spec.kind === 'number') {
    // An integer a double would round (beyond 2⁵³) stays text, so the schema refuses what was typed, not a rounded copy.
    return typeof raw === 'string' ? numberText(raw) ?? raw : raw;
  }
  if (spec.kind === 'list') return String(raw).split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (spec.kind === 'pairs') return parseParamPairs(raw as string[]);
  if (spec.kind === 'numbers') { // a count, or a comma-separated list of numbers ('5,': a list of one)
    const text = String(raw).trim();
    const numeric = (t: string): unknown => exactInteger(t) ?? t; // as 'number': an integer a double would round stays text
    if (!text.includes(',')) return numeric(text);
    const parts = text.split(',').map((t) => t.trim());
    if (parts.at(-1) === '') parts.pop();
    return parts.map(numeric);
  }
  return raw;
}

/** Whether `value` is a plain object of keys (not an array, not null). */
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `over` merged into `base`: nested objects key by key, any other value of `over` replacing `base`'s. */
function mergeRecords(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) merged[key] = isRecord(merged[key]) && isRecord(value) ? mergeRecords(merged[key], value) : value;
  return merged;
}

/**
 * The options the user gave: the `--config` file's (validated against the schema's keys, errors naming file and
 * key) overridden by the flags given on the command line (errors naming the flag); a flag of key=value pairs
 * (`--param`) is merged into the file's pairs key by key.
 */
export function givenOptions(command: Command, flags: readonly FlagSpec[], schema: z.ZodObject): Record<string, unknown> {
  return givenOptionsWithSources(command, flags, schema).given;
}

/** The options the user gave, where those of a config file came from, and which of them are a replayed run's defaults (RunHooks). */
export interface GivenOptions {
  given: Record<string, unknown>;
  keySources: Record<string, string>;
  replayedDefaults: string[];
}

/**
 * `givenOptions`, with the keys whose value comes from the `--config` file (not overridden by a flag), each to
 * `--config <file>:<line>` (the line of its key): how a run's later errors name them (RunHooks.keySources).
 */
export function givenOptionsWithSources(command: Command, flags: readonly FlagSpec[], schema: z.ZodObject): GivenOptions {
  const values = command.opts();
  const { options: fromFile, keyLines, run } = typeof values.config === 'string' ? readOptionsFileWithLines(values.config) : { options: {}, keyLines: {}, run: undefined };
  // each key of the file named by the file and the key's line (`--config run.yaml:3: key 'dim'`), here and in the run's later errors
  const keySources: Record<string, string> = Object.fromEntries(Object.keys(fromFile)
    .map((key) => [key, `--config ${String(values.config)}${keyLines[key] === undefined ? '' : `:${keyLines[key]}`}`]));
  if (typeof values.config === 'string') parseOptions(schema.partial().strict(), fromFile, 'key', keySources);
  const given: Record<string, unknown> = { ...fromFile };
  const flagKeys: string[] = [];
  for (const spec of flags) {
    const { attribute } = flagAndAttribute(spec);
    if (command.getOptionValueSource(attribute) !== 'cli') continue;
    flagKeys.push(spec.key);
    const value = valueOf(spec, values[attribute]);
    const fromConfig = given[spec.key];
    // a flag of key=value pairs (`--param`, `--param augment.noise=0`) adds to the file's pairs, key by key at every depth
    given[spec.key] = isRecord(fromConfig) && isRecord(value) ? mergeRecords(fromConfig, value) : value;
    delete keySources[spec.key];
  }
  parseOptions(schema.partial().strict(), given, 'flag');
  const note = (line: string): boolean => process.stderr.write(`kgdistill: note: ${line}\n`);
  if (typeof values.config === 'string') replayedRunDataset(given, keySources, values.config, note);
  // a replayed run's resolved defaults, chosen anew when a flag changed what they were chosen for
  const defaults = replayedDefaultsOf(String(values.config), run, fromFile, given, flagKeys);
  for (const key of defaults.drop) {
    delete given[key];
    delete keySources[key];
  }
  if (defaults.note !== undefined) note(defaults.note);
  const resumed = resumedChangesNote(String(values.config), run?.resumes);
  if (resumed !== undefined) note(resumed);
  requireConfigPaths(given, keySources);
  requireConfigModels(given, keySources);
  return { given, keySources, replayedDefaults: defaults.kept };
}
