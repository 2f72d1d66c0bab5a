// What loading skipped reaches a run's data summary (train and eval, and their --json) and its printed `data:` line:
// comment lines and header lines per split, as `data stats` reports them; a valid/test first line that `--header yes`
// skipped although it is no recognised header and its names occur in the triples is flagged (it looks like a triple).
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/kg/dataset.js';
import { dataSummary, headerTripleWarning } from '../../src/pipeline/run-texts.js';
import { dataLine } from '../../src/cli/run-training.js';
import { tempDir, writeFiles } from '../kg/helpers.js';
import { runCliCapturing } from '../helpers/run-cli.js';
import { registerTrainCommand } from '../../src/cli/commands/train.js';
import { registerEvalCommand } from '../../src/cli/commands/eval.js';

const BASE = 'e1\tr0\te2\ne2\tr1\te3\ne3\tr0\te1\ne1\tr1\te3\n';

describe('the data summary of a run', () => {
  it('counts the comment lines each split skipped, and the data line says so', async () => {
    const dir = writeFiles(tempDir(), { 'train.txt': `# made by hand\n${BASE}`, 'valid.txt': BASE, 'test.txt': `${BASE}#e1\tr0\te2\n#e3\tr1\te1\n` });
    const data = dataSummary(await loadDataset(dir, { verify: false }));
    expect(data.comments).toEqual({ train: 1, valid: 0, test: 2 });
    expect(data.headers).toEqual({});
    expect(data.headerTriples).toBeUndefined();
    expect(JSON.parse(JSON.stringify(data))).toMatchObject({ comments: { train: 1, valid: 0, test: 2 }, headers: {} });
    expect(dataLine(data)).toBe('data: no valid/test triples with entities or relations unseen in train; 0 duplicate lines merged; 4 valid and 4 test triples also in train, 4 test triples also in valid' +
      '; 1 train and 2 test comment lines (#) skipped');
  });

  it('names the header lines skipped, per split', async () => {
    const dir = writeFiles(tempDir(), { 'train.csv': `head,relation,tail\n${BASE.replaceAll('\t', ',')}`, 'valid.csv': 'subject,predicate,object\ne1,r0,e3\n', 'test.csv': 'e2,r0,e1\n' });
    const data = dataSummary(await loadDataset(dir, { verify: false }));
    expect(data.headers).toEqual({ train: { line: 1, text: 'head,relation,tail' }, valid: { line: 1, text: 'subject,predicate,object' } });
    expect(data.comments).toEqual({ train: 0, valid: 0, test: 0 });
    expect(dataLine(data)).toBe('data: no valid/test triples with entities or relations unseen in train; 0 duplicate lines merged; header line 1 skipped in train, valid');
  });

  it('with --header yes, flags a valid/test first line that is no header but a triple of known names', async () => {
    const dir = writeFiles(tempDir(), { 'train.txt': `from_node\tedge_kind\tto_node\n${BASE}`, 'valid.txt': 'src\tedge\tdst\ne1\tr0\te3\n', 'test.txt': 'e2\tr0\te1\ne3\tr1\te2\n' });
    const dataset = await loadDataset(dir, { verify: false, header: true });
    const data = dataSummary(dataset);
    expect(data.headers).toEqual({ train: { line: 1, text: 'from_node,edge_kind,to_node' }, valid: { line: 1, text: 'src,edge,dst' }, test: { line: 1, text: 'e2,r0,e1' } });
    expect(data.headerTriples).toEqual({ test: { line: 1, text: 'e2,r0,e1' } }); // valid's names occur nowhere else: a header
    expect(dataLine(data)).toBe('data: no valid/test triples with entities or relations unseen in train; 0 duplicate lines merged; header line 1 skipped in train, valid, test' +
      ' (in test it is no recognised header and its names occur in the triples: a triple lost?)');
    expect(headerTripleWarning(dataset.report.files.test, data.headerTriples!.test!)).toBe(`${path.join(dir, 'test.txt')}:1: "e2,r0,e1" was skipped as a header (--header yes), ` +
      'but it is no recognised header line and its names occur in the triples: if it is a triple, it is lost (--header yes skips the first line of every split: when only train has a header, delete that line there and leave --header out)');
    // a recognised header is never flagged
    const named = writeFiles(tempDir(), { 'train.txt': `head\trelation\ttail\n${BASE}`, 'valid.txt': `head\trelation\ttail\n${BASE}`, 'test.txt': `h\tr\tt\n${BASE}` });
    expect(dataSummary(await loadDataset(named, { verify: false, header: true })).headerTriples).toBeUndefined();
  });

  it('train and eval print it, in the data line, in --json and (a header that looks like a triple) as a warning', async () => {
    const dir = writeFiles(tempDir(), { 'train.txt': `foo\tbar\tbaz\n${BASE}`, 'valid.txt': 'e1\tr0\te3\ne2\tr0\te1\n', 'test.txt': `e3\tr1\te2\n${BASE}#e1\tr0\te2\n#e3\tr1\te1\n` });
    const out = path.join(tempDir(), 'run');
    const trained = await runCliCapturing([registerTrainCommand], ['train', '--dataset', dir, '--header', 'yes', '--model', 'DistMult', '--dim', '4', '--epochs', '1', '--out', out, '--json']);
    const warning = `warning: ${path.join(dir, 'valid.txt')}:1: "e1,r0,e3" was skipped as a header (--header yes)`;
    expect(trained.err).toContain(warning);
    expect(trained.err).toContain(`warning: ${path.join(dir, 'test.txt')}:1: "e3,r1,e2" was skipped as a header (--header yes)`);
    const result = JSON.parse(trained.out.trimEnd().split('\n').at(-1)!) as { data: { comments: unknown; headers: unknown }; warnings: string[] };
    expect(result.data.comments).toEqual({ train: 0, valid: 0, test: 2 });
    expect(result.data.headers).toEqual({ train: { line: 1, text: 'foo,bar,baz' }, valid: { line: 1, text: 'e1,r0,e3' }, test: { line: 1, text: 'e3,r1,e2' } });
    expect(result.warnings.filter((w) => w.includes('skipped as a header'))).toHaveLength(2);
    const evaluated = await runCliCapturing([registerEvalCommand], ['eval', '--checkpoint', out]);
    expect(evaluated.out).toContain('; 2 test comment lines (#) skipped; header line 1 skipped in train, valid, test (in valid and test it is no recognised header');
  }, 60_000);
});
