// --lr-decay and --lr-patience on train and distill: the rate follows the plateau schedule, each validation's rate is
// in metrics.jsonl and on the progress line, the options are recorded in config.json and the checkpoint, a resumed
// run may change them, and bad values or an --lr-patience that early stopping would pre-empt are errors naming flags.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeSyntheticDataset } from '../../src/kg/synthetic-graph.js';
import { registerTrainCommand } from '../../src/cli/commands/train.js';
import { registerDistillCommand } from '../../src/cli/commands/distill.js';
import { formatEpoch } from '../../src/cli/progress.js';
import { lastJsonLine, runCli, runCliCapturing } from '../helpers/run-cli.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'kgdistill-lr-schedule-'));
const commands = [registerTrainCommand, registerDistillCommand];
const cli = (args: string[]): Promise<string> => runCli(commands, args);
const small = ['--dim', '8', '--batch-size', '64', '--valid-every', '1', '--seed', '0', '--lr', '0.05'];
const readJson = (file: string): Record<string, any> => JSON.parse(readFileSync(file, 'utf8')) as Record<string, any>;
const metrics = (out: string): Record<string, any>[] => readFileSync(path.join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
let graph: string;

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
  graph = await writeSyntheticDataset(path.join(tmp, 'graph-80'), { entities: 80, seed: 3 });
});

/** The rate a plateau schedule gives after each validation, from the validations' best flags. */
function expectedRates(records: Record<string, any>[], lr: number, factor: number, patience: number): number[] {
  let stale = 0;
  return records.map((r) => {
    if (r.best === true) stale = 0;
    else if (++stale >= patience) {
      lr *= factor;
      stale = 0;
    }
    return lr;
  });
}

describe('--lr-decay, --lr-patience', () => {
  it('train lowers the rate on plateaus, records each validation\'s rate and the options', async () => {
    const out = path.join(tmp, 'decay');
    await cli(['train', '--dataset', graph, '--model', 'DistMult', ...small, '--epochs', '12', '--patience', '0', '--lr-decay', '0.5', '--lr-patience', '1', '--out', out]);
    const records = metrics(out);
    expect(records).toHaveLength(12);
    expect(records.map((r) => r.lr)).toEqual(expectedRates(records, 0.05, 0.5, 1));
    expect(records.some((r) => r.lr < 0.05)).toBe(true); // 12 validations on a small graph: some without a new best
    expect(readJson(path.join(out, 'config.json')).options).toMatchObject({ lrDecay: 0.5, lrPatience: 1 });
    expect(readJson(path.join(out, 'last.json')).training).toMatchObject({ lrDecay: 0.5, lrPatience: 1 });
    expect(formatEpoch(records.at(-1) as never)).toMatch(/ \| lr \d/);
  });

  it('a constant-rate run records no rate; resumed with --lr-decay it starts lowering it', async () => {
    const out = path.join(tmp, 'later');
    await cli(['train', '--dataset', graph, '--model', 'DistMult', ...small, '--epochs', '3', '--out', out]);
    expect(metrics(out).every((r) => r.lr === undefined)).toBe(true);
    const { err } = await runCliCapturing(commands, ['train', '--out', out, '--resume', '--epochs', '12', '--patience', '0', '--lr-decay', '0.5', '--lr-patience', '1']);
    expect(err).toMatch(/changed: .*--lr-decay 0\.5 \(was 1\), --lr-patience 1 \(was 2\)/);
    const later = metrics(out).slice(3);
    expect(later.map((r) => r.lr)).toEqual(expectedRates(later, 0.05, 0.5, 1)); // the count starts at the resume
    expect(later.some((r) => r.lr < 0.05)).toBe(true);
    expect(readJson(path.join(out, 'last.json')).training.lrDecay).toBe(0.5);
  });

  it('distill lowers its Junior\'s rate the same way', async () => {
    const teacher = path.join(tmp, 'decay');
    const out = path.join(tmp, 'distilled');
    // BCE, not DistMult's own self-adversarial loss (which keeps improving for these 4 epochs): validations without a new best
    const result = lastJsonLine(await cli(['distill', '--dataset', graph, '--teachers', teacher, '--student', 'DistMult', '--loss', 'bce', ...small, '--epochs', '4', '--patience', '0',
      '--top-k', '16', '--lr-decay', '0.1', '--lr-patience', '1', '--out', out, '--json']));
    expect(result.epochs).toBe(4);
    const records = metrics(out);
    expect(records.map((r) => r.lr)).toEqual(expectedRates(records, 0.05, 0.1, 1));
    expect(records.some((r) => r.lr < 0.05)).toBe(true);
  });

  it('refuses a factor outside (0, 1] and an --lr-patience that early stopping would pre-empt, naming the flags', async () => {
    const bad = (extra: string[]): Promise<string> => cli(['train', '--dataset', graph, ...small, '--epochs', '2', ...extra, '--out', path.join(tmp, 'bad')]);
    await expect(bad(['--lr-decay', '0'])).rejects.toThrow(/--lr-decay.*must be a positive number/);
    await expect(bad(['--lr-decay', '1.5'])).rejects.toThrow(/--lr-decay.*must be a number in \(0, 1\]/);
    await expect(bad(['--lr-patience', '0'])).rejects.toThrow(/--lr-patience.*must be a positive integer/);
    await expect(bad(['--lr-decay', '0.5', '--lr-patience', '10', '--patience', '10'])).rejects.toThrow(
      '--lr-patience 10 is not below --patience 10: the run would stop early before --lr-decay 0.5 lowers the learning rate');
  });

  it('a run stopped early resumes with --lr-decay from its plateau, unless its patience is used up', async () => {
    const out = path.join(tmp, 'plateaued');
    await cli(['train', '--dataset', graph, '--model', 'DistMult', ...small, '--epochs', '40', '--patience', '2', '--out', out]);
    const first = metrics(out);
    expect(first.length).toBeLessThan(40); // stopped early: two validations without a new best
    await expect(cli(['train', '--out', out, '--resume', '--epochs', '60', '--patience', '3', '--lr-decay', '0.5'])).rejects.toThrow(
      'the run has had 2 validations without a new best: with --patience 3 it would stop early before --lr-decay 0.5 lowers the learning rate; raise --patience (0: never stop early)');
    await cli(['train', '--out', out, '--resume', '--epochs', String(first.length + 3), '--patience', '0', '--lr-decay', '0.5']);
    const later = metrics(out).slice(first.length);
    expect(later).toHaveLength(3);
    expect(later[0]!.lr).toBe(0.025); // the plateau's validations count: the first validation after the resume lowers the rate
  });

  it('a run resumed with its own schedule in its last patience window goes on and ends as the run left alone', async () => {
    const schedule = ['--model', 'RotH', '--dim', '8', '--valid-every', '1', '--patience', '3', '--lr-decay', '0.5', '--lr-patience', '2', '--lr', '2', '--seed', '0'];
    const alone = path.join(tmp, 'window-alone');
    await cli(['train', '--dataset', graph, ...schedule, '--epochs', '20', '--out', alone]);
    const records = metrics(alone);
    const stop = records.length; // stopped early: its last three validations brought no new best
    expect(stop).toBeLessThan(20);
    expect(records.slice(-3).some((r) => r.best === true)).toBe(false);
    expect(records.some((r) => r.lr === 1)).toBe(true); // the rate was lowered once on the way
    const split = path.join(tmp, 'window-split');
    await cli(['train', '--dataset', graph, ...schedule, '--epochs', String(stop - 1), '--out', split]); // 2 validations without a best
    const resumed = lastJsonLine(await cli(['train', '--out', split, '--resume', '--epochs', '20', '--json']));
    const timeless = (r: Record<string, any>): Record<string, any> => ({ ...r, seconds: 0, valid: { ...r.valid, seconds: 0 } });
    expect(metrics(split).map(timeless)).toEqual(records.map(timeless));
    const { bestEpoch, mrr } = readJson(path.join(alone, 'result.json'));
    expect(resumed).toMatchObject({ epochs: stop, bestEpoch, stoppedEarly: true, mrr });
    // a schedule changed on resume is still checked against where the run stands
    await expect(cli(['train', '--out', split, '--resume', '--epochs', '30', '--patience', '4'])).rejects.toThrow(/with --patience 4 it would stop early before --lr-decay 0.5 lowers/);
  });
});
