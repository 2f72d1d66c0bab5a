// Integer flags (seeds above all): text a double would round is refused by name with what was typed, never turned
// into another seed (12345678901234567890 and 12345678901234567891 are the same double).
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { exactInteger, integerFlag, nonNegativeInteger, numberText, positiveInteger } from '../../src/cli/integer-flag.js';
import { registerDataCommands } from '../../src/cli/commands/data.js';
import { registerTrainCommand } from '../../src/cli/commands/train.js';
import { registerEvalCommand } from '../../src/cli/commands/eval.js';
import { registerKdCommand } from '../../src/cli/commands/kd.js';
import { runCli } from '../helpers/run-cli.js';
import { kdOptionsSchema, seedsOf } from '../../src/pipeline/kd-options.js';
import { parseOptions } from '../../src/pipeline/options.js';
import { tempDir } from '../kg/helpers.js';

const RANGE = 'an integer from -9007199254740991 to 9007199254740991';
const TOO_LONG = '12345678901234567890';

describe('integer flags', () => {
  it('reads integers a double holds exactly and nothing else', () => {
    expect(exactInteger('42')).toBe(42);
    expect(exactInteger(' -7 ')).toBe(-7);
    expect(exactInteger('+3')).toBe(3);
    expect(exactInteger('9007199254740991')).toBe(Number.MAX_SAFE_INTEGER);
    expect(exactInteger('9007199254740992')).toBeUndefined(); // 2⁵³: 2⁵³ + 1 would read as the same double
    expect(exactInteger('-9007199254740992')).toBeUndefined();
    expect(exactInteger('1e3')).toBe(1000); // exponent notation, as train's --epochs 1e3
    expect(exactInteger('2.0')).toBe(2);
    expect(exactInteger('2.50e1')).toBe(25);
    expect(exactInteger('100e-2')).toBe(1);
    // a fraction is refused even where a double would round it to an integer
    for (const text of ['1.5', '1e-3', '1e20', '1.0000000000000001', '9007199254740990.6', '150e-2', 'x', '', '0x10', '1 2', 'Infinity', 'NaN']) expect(exactInteger(text)).toBeUndefined();
    expect(numberText('2.5e-1')).toBe(0.25);
    expect(numberText(TOO_LONG)).toBeUndefined(); // kept as text so the refusal shows it
    expect(numberText('1e400')).toBe(Infinity); // a number, which every schema then refuses as not finite
    expect(integerFlag('--seed', '-4')).toBe(-4);
    expect(integerFlag('--seed', '1e3')).toBe(1000);
    expect(() => integerFlag('--seed', TOO_LONG)).toThrow(`--seed must be ${RANGE} (got '${TOO_LONG}')`);
    expect(positiveInteger('300')).toBe(300);
    expect(positiveInteger('+3')).toBe(3);
    expect(positiveInteger('999999999')).toBe(999_999_999);
    for (const text of ['0', '-3', '2.5', '1e9', TOO_LONG, 'x']) expect(() => positiveInteger(text)).toThrow(`expected a positive integer below 1000000000, got '${text}'`);
    expect(nonNegativeInteger('0')).toBe(0);
    expect(() => nonNegativeInteger('-1')).toThrow("expected a non-negative integer below 1000000000, got '-1'");
  });

  it('refuses a seed that would be rounded in data generate and data split, writing nothing', async () => {
    const dir = tempDir();
    const cli = (args: string[]): Promise<string> => runCli([registerDataCommands], args);
    await expect(cli(['data', 'generate', '--out', path.join(dir, 'g'), '--seed', TOO_LONG])).rejects.toThrow(`--seed must be ${RANGE} (got '${TOO_LONG}')`);
    expect(readdirSync(dir)).toEqual([]);
    await cli(['data', 'generate', '--out', path.join(dir, 'g'), '--entities', '40']);
    await expect(cli(['data', 'split', path.join(dir, 'g', 'train.txt'), '--out', path.join(dir, 's'), '--seed', '9007199254740993']))
      .rejects.toThrow(`--seed must be ${RANGE} (got '9007199254740993')`);
    expect(existsSync(path.join(dir, 's'))).toBe(false);
  });

  it('refuses it in train and eval with the text typed, not a rounded copy', async () => {
    const dir = tempDir();
    await runCli([registerDataCommands], ['data', 'generate', '--out', path.join(dir, 'g'), '--entities', '40']);
    const train = ['train', '--dataset', path.join(dir, 'g'), '--model', 'DistMult', '--epochs', '1', '--backend', 'wasm', '--out', path.join(dir, 'run')];
    await expect(runCli([registerTrainCommand], [...train, '--seed', TOO_LONG])).rejects.toThrow(`--seed must be ${RANGE} (got "${TOO_LONG}")`);
    await expect(runCli([registerTrainCommand], [...train, '--seed', '1.5'])).rejects.toThrow(`--seed must be ${RANGE} (got 1.5)`);
    expect(existsSync(path.join(dir, 'run'))).toBe(false);
    await expect(runCli([registerEvalCommand], ['eval', '--checkpoint', path.join(dir, 'run'), '--eval-seed', TOO_LONG])).rejects.toThrow(`--eval-seed must be ${RANGE} (got '${TOO_LONG}')`);
    await expect(runCli([registerEvalCommand], ['eval', '--checkpoint', path.join(dir, 'run'), '--eval-candidates', '-1'])) // 0: all entities
      .rejects.toThrow('--eval-candidates must be an integer ≥ 0 (got -1)'); // as train words it
  });

  it('refuses it in the kd command\'s --seeds with the text typed (read through run-options and kd-options)', async () => {
    const kd = (seeds: string): Promise<string> => runCli([registerKdCommand], ['kd', '--seeds', seeds, '--digits', path.join(tempDir(), 'none')]);
    await expect(kd(`1,${TOO_LONG}`)).rejects.toThrow(`"${TOO_LONG}"`);
    await expect(kd('9007199254740993')).rejects.toThrow('"9007199254740993"');
    await expect(kd('5000000000')).rejects.toThrow('--seeds must be a count from 1 to 1000 or a list of at most 1000 seeds (got 5000000000)');
    await expect(kd('0')).rejects.toThrow('--seeds must be a count from 1 to 1000 or a list of at most 1000 seeds (got 0)');
    await expect(kd('1,-2')).rejects.toThrow('--seeds must be a list of seeds ≥ 0 (got [1,-2])');
    await expect(kd(Array.from({ length: 1001 }, (_, i) => i).join(','))).rejects.toThrow(/^--seeds must be a count from 1 to 1000 or a list of at most 1000 seeds \(got \[0,1,2,/);
  });

  it('turns kd --seeds into the seeds run: a count n is 0..n-1, a list is itself', () => {
    expect(seedsOf(parseOptions(kdOptionsSchema, { seeds: 3 }).seeds)).toEqual([0, 1, 2]);
    expect(seedsOf(parseOptions(kdOptionsSchema, { seeds: [4, 7] }).seeds)).toEqual([4, 7]);
    expect(seedsOf(parseOptions(kdOptionsSchema, { seeds: 1000 }).seeds)).toHaveLength(1000);
  });
});
