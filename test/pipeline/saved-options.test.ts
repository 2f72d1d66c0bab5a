// A run's config.json edited by hand: an unknown key or a bad reading option is an error naming the file and the
// key, never an "unknown option '--bogus'" the user did not type, nor a silent fall back to the default reading.
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseSaved } from '../../src/pipeline/header-options.js';
import { flagOf, parseOptions, readingOptionsOfRun, runReadingOptions, trainOptionsSchema } from '../../src/pipeline/options.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'kgdistill-saved-options-'));
const saved = { dataset: 'data', model: 'DistMult', dim: 4, epochs: 2, delimiter: 'auto', columns: 'htr' };
const parse = (options: Record<string, unknown>) => parseOptions(trainOptionsSchema, options, 'flag');
const configFile = path.join(tmp, 'run', 'config.json');
const from = (options: Record<string, unknown>, copy = false) => ({ saved: options, given: { epochs: 3 }, name: flagOf, source: { file: configFile, copy } });

/** A run directory holding only a config.json with `options`. */
function runWith(name: string, options: Record<string, unknown>): string {
  const dir = path.join(tmp, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ format: 'kgdistill-config', version: 1, command: 'train', options }));
  return dir;
}

describe('a resumed run whose config.json was edited', () => {
  it('names config.json and an unknown key in it, not a command-line option', () => {
    const options = { ...saved, bogus: 1 };
    expect(() => parseSaved(parse, { ...options, epochs: 3 }, from(options)))
      .toThrow(`${configFile}: options.bogus is an unknown key; the run's configuration was edited: restore it`);
    // an option given now that is refused keeps its own message
    expect(() => parseSaved(parse, { ...saved, epochs: 0 }, { ...from(saved), given: { epochs: 0 } }))
      .toThrow(/^--epochs must be a positive integer \(got 0\)$/);
  });

  it('names the key of a bad value with its value, and the runConfig copy when that was read', () => {
    const options = { ...saved, batchSize: 'big' };
    expect(() => parseSaved(parse, { ...options, epochs: 3 }, from(options)))
      .toThrow(`${configFile}: options.batchSize must be a positive integer (got "big"); the run's configuration was edited: restore it`);
    expect(() => parseSaved(parse, { ...options, epochs: 3 }, from(options, true)))
      .toThrow(/config\.json: runConfig\.options\.batchSize must be a positive integer \(got "big"\); its copy of the run's configuration was edited/);
  });
});

describe('the reading options of a run', () => {
  it('are read from config.json; a bad one is an error naming config.json and the key, not a silent fall back to hrt', () => {
    expect(runReadingOptions(runWith('good', { ...saved, delimiter: 'tab', header: 'no' }))).toEqual({ delimiter: '\t', columns: 'htr', header: false, encoding: 'utf8' });
    const dir = runWith('bad', { ...saved, delimiter: 'semicolon' });
    expect(() => runReadingOptions(dir)).toThrow(
      `${path.join(dir, 'config.json')}: options.delimiter must be one of auto, tab, comma, whitespace (got "semicolon"), so how the run read its triple files is not known; the file was edited: restore it`);
    expect(() => readingOptionsOfRun({ options: { columns: 'rht', encoding: 7 } })).toThrow(
      /^the run's configuration \(its config\.json, or the copy in its checkpoint\): options\.columns must be hrt, htr or three positions such as 0,2,1 \(got "rht"\); options\.encoding must be one of utf8, latin1 \(got 7\)/);
  });
});
