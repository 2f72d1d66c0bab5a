// The run contract of train through the pipeline, continued from run-contract.test.ts: divergence (non-finite state,
// overflowing scores, a NaN, chance-level validation), data that cannot train (empty splits, a loss that never moves),
// settings a run would not use, and settings that a run would silently ignore.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runTrain } from '../../src/pipeline/train.js';
import { evaluateRun } from '../../src/pipeline/evaluate.js';
import { readOptionsFile } from '../../src/pipeline/run-config.js';
import { writeFiles } from '../kg/helpers.js';
import { CONTRACT_BASE, useGraphFixture } from '../helpers/graph-fixture.js';

const fixture = useGraphFixture('kgdistill-contract-data-', 120);
const { tmp } = fixture;
const base = CONTRACT_BASE;

describe('divergence and data that cannot train', () => {
  it('non-finite optimiser state stops the run with a clear error before anything is saved', async () => {
    const out = path.join(tmp, 'diverged');
    await expect(runTrain({ dataset: fixture.graph, ...base, reg: 'n3', regWeight: 1e30, out })).rejects.toThrow(/training diverged .*(holds|loss is) (Infinity|NaN|-Infinity)/);
    if (existsSync(path.join(out, 'last.json'))) {
      const header = readFileSync(path.join(out, 'last.json'), 'utf8');
      expect(header).not.toMatch(/Infinity|NaN/);
    }
  });

  it('scores that overflow stop a margin-loss run (fused and tfjs paths) instead of training on a loss of 0', async () => {
    for (const scoring of ['fused', 'tfjs'] as const) {
      const out = path.join(tmp, `overflow-${scoring}`);
      const run = runTrain({ dataset: fixture.graph, ...base, model: 'ComplEx', optimizer: 'adam', loss: 'margin', lr: 1e30, path: scoring, out });
      await expect(run).rejects.toThrow(/^training diverged: loss is NaN at epoch \d+, step \d+/);
      expect(existsSync(path.join(out, 'best.json'))).toBe(false);
    }
  });

  it('a NaN stops the run at the end of the epoch it appeared in, and names no checkpoint that does not exist', async () => {
    const out = path.join(tmp, 'nan-early');
    const error = await runTrain({ dataset: fixture.graph, ...base, optimizer: 'sgd', loss: 'margin', lr: 1e6, epochs: 6, validEvery: 6, out }).catch((e: Error) => e);
    const epoch = Number(/^training diverged(?: at epoch (\d+)|: loss is NaN at epoch (\d+))/.exec(String((error as Error).message))?.slice(1).find(Boolean));
    expect(epoch).toBeLessThan(6);
    expect(String(error)).not.toContain('keeps the last finite checkpoint');
    expect(existsSync(path.join(out, 'last.json'))).toBe(false);
    const records = existsSync(path.join(out, 'metrics.jsonl')) ? readFileSync(path.join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').filter(Boolean) : [];
    expect(records.length).toBeLessThan(epoch); // no record of the epoch that made the NaN, nor of any after it
  });

  it('a run whose validation MRR stays at chance level (saturated parameters, every score finite) is a warning', async () => {
    const result = await runTrain({ dataset: fixture.graph, ...base, model: 'TransE', optimizer: 'adam', lr: 1e30, out: path.join(tmp, 'chance') });
    expect(result.summary.warnings.join(' ')).toMatch(/the best validation MRR, 0\.\d{4} \(epoch \d\), is at chance level \(a random ranking of 120 entities scores 0\.0447\)/);
    const learnt = await runTrain({ dataset: fixture.graph, ...base, out: path.join(tmp, 'learnt') });
    expect(learnt.summary.warnings.join(' ')).not.toContain('chance level');
  });

  it('a dimension the kernels cannot read is padded and says so, and trains in the kernels; one they read says nothing', async () => {
    const lines: string[] = [];
    const padded = await runTrain({ dataset: fixture.graph, ...base, dim: 10, epochs: 1, out: path.join(tmp, 'dim10') }, { log: (l) => lines.push(l) });
    expect(lines.filter((l) => l.includes('fused kernels'))).toEqual([`note: the tables of ${base.model} at --dim 10 are stored as at --dim 12, the added columns held at zero, so that the fused kernels run them: the model and its scores are those of --dim 10, and export gives 10-wide rows`]);
    expect(padded.summary).toMatchObject({ scoringPath: 'fused' });
    const quiet: string[] = [];
    await runTrain({ dataset: fixture.graph, ...base, dim: 8, epochs: 1, out: path.join(tmp, 'dim8') }, { log: (l) => quiet.push(l) });
    expect(quiet.join('\n')).not.toContain('fused kernels');
  });

  it('settings given but not used by the run are each a note, not dropped silently', async () => {
    const lines: string[] = [];
    await runTrain({ dataset: fixture.graph, ...base, epochs: 1, oneToN: true, neg: 10, evalSeed: 5, lrPatience: 3, out: path.join(tmp, 'unused') }, { log: (l) => lines.push(l), naming: 'flag' });
    expect(lines.filter((l) => l.includes('is not used'))).toEqual([
      'note: --neg 10 is not used: --one-to-n scores every entity',
      'note: --eval-seed is not used: without sampled candidates, validation and test rank against all entities',
      'note: --lr-patience is not used: the learning rate is constant (its decay is 1)',
    ]);
    // a run's own config.json records every default: given again (--config), they are no note
    const again: string[] = [];
    await runTrain({ dataset: fixture.graph, ...base, epochs: 1, evalSeed: 0, lrPatience: 2, out: path.join(tmp, 'defaults-given') }, { log: (l) => again.push(l), naming: 'flag' });
    expect(again.join('\n')).not.toContain('is not used');
    const quiet: string[] = [];
    await runTrain({ dataset: fixture.graph, ...base, epochs: 1, out: path.join(tmp, 'all-used') }, { log: (l) => quiet.push(l) });
    expect(quiet.join('\n')).not.toContain('is not used');
  });

  it('a --config file that is not JSON is an error naming its line and column', () => {
    const file = path.join(tmp, 'broken-config.json');
    writeFileSync(file, '{\n  "dim": 8,\n  epochs: 2\n}\n');
    expect(() => readOptionsFile(file)).toThrow(new RegExp(`^--config ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:3: cannot be parsed \\(`));
  });

  it('a loss that never moves is a warning in the summary', async () => {
    const result = await runTrain({ dataset: fixture.graph, ...base, lr: 1e-30, out: path.join(tmp, 'flat') });
    expect(result.summary.warnings.join(' ')).toMatch(/the training loss did not move in 4 epochs/);
  });

  it('an empty train split is an error naming its file; an empty valid split a warning naming its file', async () => {
    const dir = writeFiles(path.join(tmp, 'empty'), { 'train.txt': '', 'valid.txt': 'a\tr\tb\n', 'test.txt': 'a\tr\tb\n' });
    await expect(runTrain({ dataset: dir, ...base, out: path.join(tmp, 'e1') })).rejects.toThrow(new RegExp(`${path.join(dir, 'train.txt')}: the train split has no triples`));
    writeFiles(dir, { 'train.txt': 'a\tr\tb\nb\tr\tc\nc\tr\ta\n', 'valid.txt': '' });
    const lines: string[] = [];
    const result = await runTrain({ dataset: dir, ...base, out: path.join(tmp, 'e2') }, { log: (l) => lines.push(l) });
    expect(lines.join('\n')).toContain(`warning: ${path.join(dir, 'valid.txt')}: the valid split has no triples`);
    expect(existsSync(path.join(tmp, 'e2', 'best.json'))).toBe(true);
    expect(result.training.bestEpoch).toBe(4);
    expect(lines.join('\n')).toContain('; no validation (empty valid split)');
    expect(result.json.bestValidMrr).toBeNull(); // not the -1 the trainer starts from
    expect(lines).toContain(`note: neg 50 is not below the graph's 3 entities: negatives are drawn uniformly with replacement (as in PyKEEN and KGEmb), so they repeat; oneToN scores every entity once per query instead`);
    // the test triple a r b is a train triple: a warning naming the dataset, and a count in the summary
    expect(lines.join('\n')).toContain(`warning: ${dir}: overlap: 0 valid and 1 test triple also in train, 0 test triples also in valid (kept:`);
    expect(result.summary.data.overlap).toEqual({ validInTrain: 0, testInTrain: 1, testInValid: 0 });
    // the summary keeps them (a caller without a log hook learns that early stopping was off)
    expect(result.summary.warnings.map((w) => w.split(':')[0])).toEqual([path.join(dir, 'valid.txt'), dir]);
  });

  it('an empty test split is a warning naming its file: no test figures (no NaN); eval on it is an error', async () => {
    const dir = writeFiles(path.join(tmp, 'empty-test'), { 'train.txt': 'a\tr\tb\nb\tr\tc\nc\tr\ta\n', 'valid.txt': 'a\tr\tc\n', 'test.txt': '' });
    const lines: string[] = [];
    const out = path.join(tmp, 'e3');
    const result = await runTrain({ dataset: dir, ...base, out }, { log: (l) => lines.push(l) });
    expect(lines.join('\n')).toContain(`warning: ${path.join(dir, 'test.txt')}: the test split has no triples — no test evaluation`);
    expect(result.test).toBeUndefined();
    expect(JSON.stringify(result.json)).not.toMatch(/NaN|"mrr":null/);
    await expect(evaluateRun(out)).rejects.toThrow(`${path.join(dir, 'test.txt')}: the test split has no triples: there is nothing to evaluate`);
  });
});

describe('settings that a run would silently ignore', () => {
  it('are refused before anything is written, naming both flags', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ oneToN: true, doubleNeg: true }, /--double-neg corrupts heads and tails of sampled negatives: with --one-to-n/],
      [{ neg: 0 }, /--neg 0 samples no negatives: give --one-to-n to score every entity, or --neg ≥ 1/],
      [{ regWeight: 0.1 }, /--reg-weight 0\.1 weighs a regulariser: choose one with --reg n3 or l2/],
      [{ reg: 'n3' }, /--reg n3 needs a weight: give --reg-weight > 0/],
      [{ loss: 'bce', advTemperature: 2 }, /--adv-temperature sets the temperature of the nssa and margin losses, which --loss bce does not use/],
      [{ loss: 'margin', advTemperature: 2 }, /--adv-temperature weighs the negatives of --loss nssa: --loss margin has no temperature/],
    ];
    for (const [settings, message] of cases) {
      const out = path.join(tmp, `ignored-${Object.keys(settings).join('-')}`);
      await expect(runTrain({ dataset: fixture.graph, ...base, ...settings, out }, { naming: 'flag' })).rejects.toThrow(message);
      expect(existsSync(out)).toBe(false);
    }
  });
});
