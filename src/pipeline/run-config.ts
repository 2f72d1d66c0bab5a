/**
 * A run's configuration file, `<run>/config.json`: the effective options of the command that made the run (every
 * key, defaults included and the model's and loss's resolved: effective-options.ts; but for those of one invocation,
 * `out` and `testEval`), so that `kgdistill train --config
 * runs/x/config.json --out runs/y` reproduces run x, and `--resume` can tell which given option differs from the
 * run's. Version 2 (2026-12-08) adds `defaults`: which of the resolved values were defaults, not the user's choice, so
 * that a replay changing what they depend on takes them anew (replayed-defaults.ts); and `resumes`: the options each
 * `--resume` changed and after which epoch, which `options` (the final values) cannot say, so that a replay says how
 * it differs from the run and how to repeat it. Written atomically, versioned, validated on read (versions 1 and 2):
 * a damaged file (cut off, not JSON) is an error naming it, or, for commands that can do without it, a note.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../core/atomic-file.js';
import { formatIssues } from '../core/registry.js';
import { datasetDirOf } from './effective-options.js';
import { readConfigFile } from './config-file.js';
import { flagOf, givenValueText, runValueText, type RunConfigSource } from './option-schemas.js';
import { conflictingOptions } from './options-error.js';

/** Format name and version of config.json. */
export const RUN_CONFIG_FORMAT = 'kgdistill-config';
export const RUN_CONFIG_VERSION = 2;

const runConfigSchema = z.object({
  format: z.literal(RUN_CONFIG_FORMAT),
  version: z.literal([1, RUN_CONFIG_VERSION]),
  command: z.enum(['train', 'distill']),
  options: z.record(z.string(), z.unknown()),
  /**
   * The keys of `options` whose value is a default the run resolved (the model's or the loss's), not one the user
   * gave; absent in version 1 files and in a run resumed from one (not known).
   */
  defaults: z.array(z.string()).optional(),
  /** Each `--resume` that changed an option: after which epoch, each changed key's value before and after. */
  resumes: z.array(z.object({
    afterEpoch: z.number().int().nonnegative(),
    changed: z.record(z.string(), z.object({ from: z.unknown(), to: z.unknown() }).strict()),
  }).strict()).optional(),
}).strict();

/** One `--resume` that changed options (config.json's `resumes`). */
export type ResumeChange = NonNullable<RunConfig['resumes']>[number];

/** A run's saved configuration. */
export type RunConfig = z.infer<typeof runConfigSchema>;

/** The options a user may change when resuming a run; every other given option must equal the run's. */
export const RESUMABLE_KEYS: readonly string[] = ['epochs', 'patience', 'validEvery', 'lrDecay', 'lrPatience', 'testEval', 'out', 'backend'];

/**
 * Options of one invocation, not of the run: config.json leaves them out, and a resumed run takes them from what is
 * given now (else their defaults), never from the run's config.json. `--no-test-eval` skips the test of the session
 * it is given to; the next `--resume` tests again unless given it again (as PyKEEN's and LibKGE's evaluation is
 * part of each call, not a setting stored with the run); a config.json of an older kgdistill that kept
 * `testEval: false` no longer turns the test off for good.
 */
export const INVOCATION_KEYS: readonly string[] = ['out', 'testEval'];

/** `options` without those of one invocation (INVOCATION_KEYS) and without undefined values. */
function runOptionsOnly(options: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(options).filter(([key, value]) => !INVOCATION_KEYS.includes(key) && value !== undefined));
}

/** Options that name files or directories: config.json keeps them absolute, so a run resumes from any directory. */
const PATH_KEYS: readonly string[] = ['dataset', 'teachers'];

/** A path option's value with each path that exists made absolute (a dataset given by name stays a name). */
function absolutePaths(value: unknown): unknown {
  const one = (v: unknown): unknown => (typeof v === 'string' && existsSync(v) ? path.resolve(v) : v);
  return Array.isArray(value) ? value.map(one) : one(value);
}

/** The first path of `paths` that names, relative or absolute, one given before it (undefined when none does). */
export function firstRepeatedPath(paths: readonly string[]): string | undefined {
  return paths.find((file, i) => paths.findIndex((other) => path.resolve(other) === path.resolve(file)) !== i);
}

/** Path of a run's config file. */
export function runConfigFile(runDir: string): string {
  return path.join(runDir, 'config.json');
}

/**
 * The configuration of a run of `command` with `options` (`defaults`: which of them are resolved defaults, undefined
 * when not known): paths made absolute, the invocation's options (`out`: the run directory is wherever it lies;
 * `testEval`) left out.
 */
export function runConfigOf(command: RunConfig['command'], options: Record<string, unknown>, defaults?: readonly string[], resumes: readonly ResumeChange[] = []): RunConfig {
  const absolute = Object.fromEntries(PATH_KEYS.filter((key) => options[key] !== undefined).map((key) => [key, absolutePaths(options[key])]));
  return { format: RUN_CONFIG_FORMAT, version: RUN_CONFIG_VERSION, command, options: runOptionsOnly({ ...options, ...absolute }),
    ...(defaults !== undefined ? { defaults: [...defaults] } : {}), ...(resumes.length > 0 ? { resumes: [...resumes] } : {}) };
}

/**
 * What replaying a run's configuration (`--config`) cannot repeat: the options a `--resume` of the run changed
 * mid-way, other than `epochs` (training on is what an uninterrupted run does). A replay trains with their final
 * values from the first epoch; the note says so and gives the commands that repeat the run. Undefined when none.
 */
export function resumedChangesNote(file: string, resumes: readonly ResumeChange[] | undefined): string | undefined {
  const mid = (resumes ?? []).map((r) => ({ ...r, keys: Object.keys(r.changed).filter((key) => key !== 'epochs') })).filter((r) => r.keys.length > 0);
  if (mid.length === 0) return undefined;
  const value = (v: unknown): string => JSON.stringify(v);
  const said = mid.map((r) => `after epoch ${r.afterEpoch}, ${r.keys.map((key) => `${flagOf(key)} ${value(r.changed[key]!.from)} → ${value(r.changed[key]!.to)}`).join(', ')}`);
  const first = mid[0]!;
  return `--config ${file}: the run changed options when resumed (${said.join('; ')}): this replay trains with the final values from epoch 1, `
    + `so its numbers differ from the run's; to repeat the run, train with ${first.keys.map((key) => `${flagOf(key)} ${value(first.changed[key]!.from)}`).join(' ')} `
    + `--epochs ${first.afterEpoch}, then --resume with the new values`;
}

/** Writes `<run>/config.json` atomically. */
export async function writeRunConfig(runDir: string, config: RunConfig): Promise<void> {
  await writeFileAtomic(runConfigFile(runDir), `${JSON.stringify(config, null, 2)}\n`);
}

/** A checkpoint header's copy of the run's configuration (checkpoints written since 2026-12-05): valid (`config`), or present but not valid (`problem`). */
interface CheckpointCopy {
  file: string;
  config?: RunConfig;
  problem?: string;
}

/** The copy of the run's configuration in a checkpoint header read from `file`; undefined when the header has none. */
function copyInHeader(header: { runConfig?: unknown }, file: string): CheckpointCopy | undefined {
  if (header.runConfig === undefined) return undefined;
  const result = runConfigSchema.safeParse(header.runConfig);
  return result.success ? { file, config: result.data } : { file, problem: formatIssues(result.error) };
}

/** The configuration copy in a run directory's checkpoint headers (best, else last; a valid one first), read without verifying the checkpoint. */
function copyInCheckpointFiles(runDir: string): CheckpointCopy | undefined {
  let bad: CheckpointCopy | undefined;
  for (const stem of ['best', 'last']) {
    const file = path.join(runDir, `${stem}.json`);
    try {
      const copy = copyInHeader(JSON.parse(readFileSync(file, 'utf8')) as { runConfig?: unknown }, file);
      if (copy?.config) return copy;
      bad ??= copy;
    } catch {
      // no such header, or not JSON: the checkpoint's own reader reports it when the command loads it
    }
  }
  return bad;
}

/** What a command finds of its run's configuration (see {@link findRunConfig}). */
export interface FoundRunConfig {
  config?: RunConfig;
  /** What to tell the user: the copy in a checkpoint was used, or neither config.json nor the copy could be. */
  note?: string;
  source?: RunConfigSource;
  /** config.json as read when it is damaged and no valid copy stands in for it. */
  damaged?: RunConfigRead;
}

/**
 * A run's configuration: config.json, or, when that file is missing or damaged, the copy its checkpoint keeps
 * (`header` read from `headerFile`, or the run's best/last header read from disk), with a note saying so. A damaged
 * file without a valid copy is returned in `damaged`; a run with neither (made before config files existed) has none.
 */
export function findRunConfig(runDir: string, header?: { runConfig?: unknown }, headerFile?: string): FoundRunConfig {
  const read = inspectRunConfig(runDir);
  if (read.config) return { config: read.config, source: { file: read.file, copy: false } };
  const copy = header ? copyInHeader(header, headerFile ?? runDir) : copyInCheckpointFiles(runDir);
  if (copy?.config) {
    return { config: copy.config, source: { file: copy.file, copy: true },
      note: `${read.file} ${read.damage !== undefined ? `is damaged (${read.damage})` : 'is missing'}: using the copy of the run's configuration kept in ${copy.file}` };
  }
  if (read.damage !== undefined) return { damaged: read };
  if (copy?.problem !== undefined) {
    return { note: `${read.file} is missing and the copy of the run's configuration kept in ${copy.file} (its runConfig) is not valid (${copy.problem}): going on from the checkpoint's own record of the run's settings` };
  }
  return {};
}

/** {@link findRunConfig} for commands that cannot do without the configuration a damaged config.json held: that is an error naming it. */
export function runConfigOrCheckpointCopy(runDir: string, header?: { runConfig?: unknown }, headerFile?: string): FoundRunConfig {
  const found = findRunConfig(runDir, header, headerFile);
  if (found.damaged) throw new Error(damagedRunConfigMessage(found.damaged));
  return found;
}

/** `<run>/config.json` as read: its configuration (none for runs made before config files existed), or what damaged it. */
export interface RunConfigRead {
  file: string;
  config?: RunConfig;
  /** What is wrong with a file that exists but cannot be used: cut off, empty, not JSON, not a run configuration. */
  damage?: string;
}

/** Reads `<run>/config.json` without throwing: a damaged file is reported in `damage` (for commands that can do without it). */
export function inspectRunConfig(runDir: string): RunConfigRead {
  const file = runConfigFile(runDir);
  if (!existsSync(file)) return { file };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return { file, damage: `it cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const kept = text.replace(/[\s\0]+$/, ''); // a write cut short may leave NUL bytes at its end
    if (kept.length === 0) return { file, damage: 'it is empty' };
    if (!kept.endsWith('}')) return { file, damage: `it is cut off: its JSON ends mid-way, after ${Buffer.byteLength(kept)} bytes` };
    return { file, damage: `it is not valid JSON: ${(error as Error).message}` };
  }
  const result = runConfigSchema.safeParse(parsed);
  if (!result.success) return { file, damage: `it is not a kgdistill run configuration: ${formatIssues(result.error)}` };
  return { file, config: result.data };
}

/** The error of a damaged config.json: it names the file, what is wrong with it and how to go on. */
export function damagedRunConfigMessage(read: RunConfigRead): string {
  return `${read.file} is damaged (${read.damage}), so the settings the run was made with cannot be read from it: restore it from a copy, or delete it to use the checkpoint's own record of them (as for a run made before config.json existed; that record lacks --delimiter, --columns, --header and --encoding, so a run that read its files otherwise needs config.json)`;
}

/**
 * The options of a config file given with `--config`: a run's config.json (its `options`), or a plain JSON or YAML
 * object of options (keys as in code: `batchSize`, not `batch-size`). Unknown keys are reported by the schema.
 */
export function readOptionsFile(file: string): Record<string, unknown> {
  return readOptionsFileWithLines(file).options;
}

/** A `--config` file as read: its options, the line of each key, and, for a run's config.json, its `command` and `defaults`. */
export interface OptionsFile {
  options: Record<string, unknown>;
  keyLines: Record<string, number>;
  /** Set when the file is a run's config.json. */
  run?: Pick<RunConfig, 'command' | 'defaults' | 'version' | 'resumes'>;
}

/** `readOptionsFile`'s options, with the line each option's key is on (for errors: `--config <file>:<line>`). */
export function readOptionsFileWithLines(file: string): OptionsFile {
  const { document: parsed, keyLines } = readConfigFile(file);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`--config ${file}: expected an object of options`);
  const record = parsed as Record<string, unknown>;
  if (record.format === RUN_CONFIG_FORMAT) {
    const result = runConfigSchema.safeParse(record);
    if (!result.success) throw new Error(`--config ${file}: not a valid run configuration (${formatIssues(result.error)})`);
    // an older file's testEval held for its run's invocation only
    const { command, defaults, version, resumes } = result.data;
    return { options: runOptionsOnly(result.data.options), keyLines: keyLines('options'),
      run: { command, version, ...(defaults !== undefined ? { defaults } : {}), ...(resumes !== undefined ? { resumes } : {}) } };
  }
  return { options: record, keyLines: keyLines() };
}

/** Values that mean the same as another of their option: `evalCandidates` 0 is all entities, as leaving it out (undefined) is. */
const EQUIVALENT_VALUES: Readonly<Record<string, (value: unknown) => unknown>> = { evalCandidates: (value) => (value === 0 ? undefined : value) };

/** Options whose default is another option's value, which config.json does not save resolved: a resume compares a given value with it. */
const DEFAULT_FROM_OTHER: Readonly<Record<string, (saved: Record<string, unknown>) => unknown>> = { seniorLr: (saved) => saved.lr }; // the Senior's rate is the Junior's (train.ts)

/** Options naming a registered model, whose names are taken in any case. */
const NAME_KEYS: readonly string[] = ['model', 'student'];

/**
 * Whether two values of option `key` are the same setting of a run: a path, relative or absolute, or a dataset's name
 * and the directory it finds; a model's name in any case (as a new run takes it: --model roth is RotH); values that
 * mean the same (EQUIVALENT_VALUES).
 */
export function sameSetting(key: string, a: unknown, b: unknown): boolean {
  const comparable = (v: unknown): string => JSON.stringify(key === 'dataset' && typeof v === 'string' ? datasetDirOf(v) ?? absolutePaths(v)
    : PATH_KEYS.includes(key) ? absolutePaths(v) : NAME_KEYS.includes(key) && typeof v === 'string' ? v.toLowerCase() : (EQUIVALENT_VALUES[key] ?? ((x) => x))(v));
  return comparable(a) === comparable(b);
}

/**
 * The options of a resumed run: the run's saved options (but those of one invocation, INVOCATION_KEYS) with the
 * resumable ones the user gave. A given option that cannot change mid-run and differs from the run's is an error
 * naming each (by `name`: flag or key); `changed` lists the run's settings the user changed (`changedKeys` their keys).
 * `recorded`: the checkpoint's values of the keys an older config.json left out (or `loss` `auto`), compared instead.
 */
export function resumedOptions(saved: Record<string, unknown>, given: Record<string, unknown>, name: (key: string) => string, runDir: string,
  recorded: Readonly<Record<string, unknown>> = {}): { options: Record<string, unknown>; changed: string[]; changedKeys: string[]; changes: ResumeChange['changed'] } {
  const differing: string[] = [];
  const differingKeys: string[] = [];
  const changed: string[] = [];
  const changedKeys: string[] = [];
  const changes: ResumeChange['changed'] = {};
  const options = runOptionsOnly(saved);
  for (const [key, value] of Object.entries(given)) {
    if (value === undefined || key === 'resume') continue;
    // a key an older config.json left unresolved (absent, or loss `auto`) compares with what the checkpoint records
    const before = ((saved[key] === undefined || (key === 'loss' && saved[key] === 'auto')) && recorded[key] !== undefined ? recorded[key] : saved[key])
      ?? DEFAULT_FROM_OTHER[key]?.(saved);
    const same = sameSetting(key, before, value);
    if (RESUMABLE_KEYS.includes(key)) {
      if (!same && !INVOCATION_KEYS.includes(key)) {
        changed.push(`${givenValueText(name(key), key, value)} (${before === undefined ? "not set in the run's config.json" : `was ${runValueText(key, before)}`})`);
        changedKeys.push(key);
        if (key !== 'backend') changes[key] = { from: before, to: value }; // a backend is the machine's, not the run's
      }
      options[key] = value;
    } else if (!same) {
      const finds = key === 'dataset' && typeof value === 'string' && !path.isAbsolute(value) ? datasetDirOf(value) : undefined; // a name: where it leads from here
      differing.push(`${givenValueText(name(key), key, value)}${finds !== undefined ? ` (found in ${finds})` : ''} (${before === undefined ? "not set in the run's config.json" : `the run has ${runValueText(key, before)}`})`);
      differingKeys.push(key);
    }
  }
  if (differing.length > 0) {
    // the options that may change by their plain names: `name` says where a value came from (`--config f.yaml: key
    // 'epochs'`), which is no name for an option in general; `resume` is never a config file's, so its name tells
    // whether the caller names flags or keys
    const plain = name('resume').startsWith('--') ? flagOf : (key: string): string => key;
    // options that contradict the run's: a usage error (exit 2), as --epochs below the epochs trained is
    throw conflictingOptions(`${name('resume')} ${runDir}: ${differing.join('; ')}; only ${RESUMABLE_KEYS.filter((k) => k !== 'out').map(plain).join(', ')} may change when resuming (start a new run with ${plain('out')} for other settings)`, differingKeys, given);
  }
  return { options, changed, changedKeys, changes };
}
