/**
 * Reading a `--config` file: a JSON or YAML document (by its extension: `.yaml`/`.yml` is YAML, anything else JSON),
 * read whole but at most {@link MAX_CONFIG_BYTES} (`--config /dev/zero` is refused, not read until memory runs out),
 * a leading byte-order mark skipped (as Notepad and PowerShell 5 write one) and a key given twice refused in JSON as
 * in YAML (JSON.parse would silently keep the last). Every error names the file, and the line where there is one.
 */
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { isMap, isScalar, LineCounter, parse as parseYaml, parseDocument, type Document } from 'yaml';
import { DATASET_DIRECTORY_NOT_FOUND, looksLikePath } from '../kg/resolve-dataset.js';
import { MODELS } from '../registry/models.js';
import { refusedOption } from './options-error.js';
import { runOwnDataset } from './effective-options.js';

/** The largest config file read (a run's config.json is about 1 KiB). */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/** The text of `file`, read in chunks up to MAX_CONFIG_BYTES (a device or pipe that never ends is cut there and refused). */
function boundedText(file: string): string {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(MAX_CONFIG_BYTES + 1);
    let length = 0;
    for (;;) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
      if (length > MAX_CONFIG_BYTES) throw new Error(`--config ${file}: is larger than ${MAX_CONFIG_BYTES / 1024 / 1024} MiB; a config file holds options (a run's config.json is about 1 KiB)`);
    }
    return buffer.subarray(0, length).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** `:line:column` of a character offset of `text`. */
function placeOf(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `:${before.length}:${before[before.length - 1]!.length + 1}`;
}

/** Refuses a key a JSON object gives twice (JSON.parse keeps the last silently; YAML refuses it), naming its line. */
function refuseDuplicateKeys(file: string, text: string, syntax: Document.Parsed): void {
  const duplicate = syntax.errors.find((error) => error.code === 'DUPLICATE_KEY');
  if (!duplicate) return;
  const at = duplicate.linePos?.[0];
  const quoted = /^"(?:[^"\\]|\\.)*"/.exec(text.slice(duplicate.pos[0]))?.[0];
  const key = quoted === undefined ? undefined : JSON.parse(quoted) as string;
  throw new Error(`--config ${file}${at ? `:${at.line}:${at.col}` : ''}: ${key !== undefined ? `key '${key}'` : 'a key'} is given twice in one object; give each key once`);
}

/**
 * The line of each key of a config document's top-level object, or of its object under `within` (a run's
 * config.json keeps its options under `options`), by the YAML parser's positions (JSON is YAML); none for a key it
 * cannot place. Errors about a key's value then name the line, as they do for a key given twice.
 */
function keyLinesOf(syntax: Document.Parsed, lineCounter: LineCounter, within?: string): Record<string, number> {
  const object = within === undefined ? syntax.contents : syntax.get(within, true);
  if (!isMap(object)) return {};
  const lines: Record<string, number> = {};
  for (const pair of object.items) {
    if (isScalar(pair.key) && typeof pair.key.value === 'string' && pair.key.range) lines[pair.key.value] = lineCounter.linePos(pair.key.range[0]).line;
  }
  return lines;
}

/** A `--config` file as read: its document, and the line of each key (`keyLines`, of the object under `within` if given). */
export interface ConfigFile {
  document: unknown;
  keyLines(within?: string): Record<string, number>;
}

/**
 * A `--config` file (JSON, or YAML by its extension), its document not yet checked to be an object of options;
 * errors name the file and line. Its text is parsed once more by the YAML parser (JSON is YAML) for the positions of
 * its keys: a JSON key given twice is refused by them, and the keys' lines are read from them.
 */
export function readConfigFile(file: string): ConfigFile {
  if (!existsSync(file)) throw new Error(`--config ${file}: no such file`);
  if (statSync(file).isDirectory()) throw new Error(`--config ${file}: is a directory; give a JSON or YAML file (a run's config.json)`);
  const text = boundedText(file).replace(/^\uFEFF/, '');
  const yaml = /\.ya?ml$/i.test(file);
  let parsed: unknown;
  try {
    parsed = yaml ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    // JSON.parse names a character offset: the line and column say where to look
    const at = /at position (\d+)/.exec((error as Error).message);
    const hint = yaml ? '' : ' (read as JSON: a YAML file needs a .yaml or .yml extension)';
    throw new Error(`--config ${file}${at ? placeOf(text, Number(at[1])) : ''}: cannot be parsed (${(error as Error).message})${hint}`);
  }
  const lineCounter = new LineCounter();
  const syntax = parseDocument(text, { uniqueKeys: true, lineCounter });
  if (!yaml) refuseDuplicateKeys(file, text, syntax);
  return { document: parsed, keyLines: (within) => keyLinesOf(syntax, lineCounter, within) };
}

/**
 * Refuses a path a config file gave (`keySources`: key → `--config <file>`) that does not exist: a `dataset` written
 * as a path (a bare name is looked up as a dataset's) and each of `teachers`. The error names the file and key, and
 * says the rule: a relative path in a config file is taken from the working directory, as a flag's is.
 */
export function requireConfigPaths(given: Readonly<Record<string, unknown>>, keySources: Readonly<Record<string, string>>): void {
  const missing = (key: string, value: string, what: string): Error => new Error(`${keySources[key]}: key '${key}': ${path.resolve(value)}: ${what}`
    + `${path.isAbsolute(value) ? '' : ` (a relative path in a config file is taken from the working directory, ${process.cwd()}, as a flag's is)`}; nothing was written`);
  const dataset = given.dataset;
  if (keySources.dataset && typeof dataset === 'string' && looksLikePath(dataset) && !existsSync(dataset)) throw missing('dataset', dataset, DATASET_DIRECTORY_NOT_FOUND);
  const teachers = given.teachers;
  if (keySources.teachers && Array.isArray(teachers)) {
    const absent = teachers.find((dir): dir is string => typeof dir === 'string' && !existsSync(dir));
    if (absent !== undefined) throw missing('teachers', absent, 'no such teacher run directory');
  }
}

/** Refuses a model name a config file gave (`model`, `student`) that no model has, naming the file and key (the registry's words and hint after): an OptionsError. */
export function requireConfigModels(given: Readonly<Record<string, unknown>>, keySources: Readonly<Record<string, string>>): void {
  for (const key of ['model', 'student']) {
    const name = given[key];
    if (!keySources[key] || typeof name !== 'string' || MODELS.has(name)) continue;
    throw refusedOption(`${keySources[key]}: key '${key}': ${MODELS.unknownNameMessage(name)}`, key, name); // a usage error, as on the command line
  }
}

/** The dataset directory a run directory's checkpoint header records (best, else last), or undefined when none says. */
function recordedDatasetDir(runDir: string): string | undefined {
  for (const stem of ['best', 'last']) {
    try {
      const header = JSON.parse(readFileSync(path.join(runDir, `${stem}.json`), 'utf8')) as { dataset?: { dir?: unknown } };
      if (typeof header.dataset?.dir === 'string') return header.dataset.dir;
    } catch {
      // no such checkpoint, or not readable: the next one, else nothing to go by
    }
  }
  return undefined;
}

/**
 * A run's config.json given as `--config` (`configFile`, beside the run's checkpoints) whose `dataset` is a bare name
 * that now finds another directory than the run trained on (config.json files before 2026-12-07 saved names): the
 * run's own directory, as `--resume` does, with a note; else `given` unchanged. Replaying an old run's file from
 * another working directory used to train on another graph without a word.
 */
export function replayedRunDataset(given: Record<string, unknown>, keySources: Readonly<Record<string, string>>, configFile: string, note: (line: string) => void): void {
  const dataset = given.dataset;
  if (!keySources.dataset || typeof dataset !== 'string' || looksLikePath(dataset)) return;
  const recorded = recordedDatasetDir(path.dirname(path.resolve(configFile)));
  given.dataset = runOwnDataset(dataset, recorded, (line) => note(`${keySources.dataset}: key 'dataset': ${line}`), 'replaying');
}
