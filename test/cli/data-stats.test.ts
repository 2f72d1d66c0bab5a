import { describe, it, expect } from 'vitest';
import path from 'node:path';
import { registerDataCommands } from '../../src/cli/commands/data.js';
import { formatTable } from '../../src/cli/format-table.js';
import { tempDir, usePrivateManifestCache, writeFiles } from '../kg/helpers.js';
import { describeWithBenchmark } from '../helpers/datasets.js';
import { cliProcessFailure } from '../helpers/cli-process.js';
import { helpOf, runCli as runCommands } from '../helpers/run-cli.js';

/** Runs `kgdistill <args>` in-process through commander and returns what it wrote to stdout. */
const runCli = (args: string[]): Promise<string> => runCommands([registerDataCommands], args);

/** The JSON object on the last stdout line. */
function lastJsonLine(out: string): any {
  const lines = out.trimEnd().split('\n');
  return JSON.parse(lines.at(-1)!);
}

usePrivateManifestCache();

describeWithBenchmark('FB15k-237', 'kgdistill data stats on FB15k-237', (dir) => {
  it('reports the canonical FB15k-237 counts as JSON', async () => {
    const result = lastJsonLine(await runCli(['data', 'stats', dir, '--json']));
    expect(result.dataset).toBe('FB15k-237');
    expect(result.stats.counts).toEqual({
      entities: 14_541,
      relations: 237,
      triples: { train: 272_115, valid: 17_535, test: 20_466 },
      totalTriples: 310_116,
    });
    expect(result.report.unseen).toEqual({ valid: 9, test: 28 });
    expect(result.report.unseenPolicy).toBe('keep');
    expect(result.stats.relationCategories.perRelation).toHaveLength(237);
  });
});

describeWithBenchmark('WN18RR', 'kgdistill data stats on WN18RR', (dir) => {
  it('prints WN18RR tables with the load report', async () => {
    const out = await runCli(['data', 'stats', dir]);
    expect(out).toContain('valid: 210 triples with entities or relations unseen in train kept (--unseen keep)');
    expect(out).toMatch(/checksums: all files match .*SHA256SUMS/);
    expect(out).toMatch(/^entities\s+40,943$/m);
    expect(out).toMatch(/^relations\s+11$/m);
    expect(out).toMatch(/^train triples\s+86,835$/m);
    expect(out).toMatch(/^valid triples\s+3,034$/m);
    expect(out).toMatch(/^test triples\s+3,134$/m);
    expect(out).toMatch(/^\s+1\s+08524735\s+city\.n\.01\s+521$/m);
    expect(out).toMatch(/^_similar_to\s+1-1\s+86\s+1\.05\s+1\.05$/m);
  });
});

describe('kgdistill data stats', () => {
  it('applies --unseen drop, --delimiter, --columns and --no-verify', async () => {
    const dir = writeFiles(tempDir(), {
      'train.txt': 'a,b,r\nb,c,r\n',
      'valid.txt': 'a,c,r\nz,a,r\n',
      'test.txt': 'c,a,r\n',
    });
    const result = lastJsonLine(await runCli(['data', 'stats', dir, '--json', '--unseen', 'drop', '--delimiter', 'comma', '--columns', 'htr', '--no-verify']));
    expect(result.stats.counts).toEqual({ entities: 3, relations: 1, triples: { train: 2, valid: 1, test: 1 }, totalTriples: 4 });
    expect(result.report.unseen).toEqual({ valid: 1, test: 0 });
    expect(result.report.manifest).toEqual({ verified: false, skipped: true });
  });

  it('says which counts take a triple in two splits once: the per-relation column is of distinct triples', async () => {
    const dir = writeFiles(tempDir(), { 'train.txt': 'a\tr\tb\nb\tr\tc\n', 'valid.txt': 'a\tr\tb\n', 'test.txt': 'c\tr\ta\n' });
    const out = await runCli(['data', 'stats', dir, '--no-verify']);
    expect(out).toMatch(/^all triples\s+4$/m); // the splits' lines: (a, r, b) in train and in valid
    expect(out).toMatch(/^relation\s+category\s+distinct triples\s+tails\/head\s+heads\/tail$/m);
    expect(out).toMatch(/^r\s+\S+\s+3\s/m);
  });

  it('lets a header line set the column order unless --columns is given', async () => {
    const header = 'head,tail,relation\n';
    const dir = writeFiles(tempDir(), { 'train.csv': `${header}a,b,r\n`, 'valid.csv': `${header}a,b,r\n`, 'test.csv': `${header}b,a,r\n` });
    expect(lastJsonLine(await runCli(['data', 'stats', dir, '--json'])).stats.counts.relations).toBe(1);
    await expect(runCli(['data', 'stats', dir, '--columns', 'hrt'])).rejects.toThrow(
      `${path.join(dir, 'train.csv')}:1: header says column order htr but columns hrt was requested`,
    );
  });

  it('shows every option with its default in --help', () => {
    const help = helpOf(registerDataCommands, ['data', 'stats']).replace(/\s+/g, ' ');
    expect(help).toContain('--json');
    expect(help).toContain('default: false');
    expect(help).toContain('default: "auto"');
    expect(help).toContain('default: hrt, or the order a header line names');
    expect(help).toContain('choices: "drop", "keep", "error", default: "keep"');
    expect(help).toContain('--no-verify');
    expect(help).toContain('default: verify when SHA256SUMS exists');
  });

  it('accepts the delimiter names and rejects others', async () => {
    const dir = writeFiles(tempDir(), { 'train.txt': 'a b  c\nc b a\n', 'valid.txt': 'a b c\n', 'test.txt': 'c b a\n' });
    expect(lastJsonLine(await runCli(['data', 'stats', dir, '--json', '--delimiter', 'whitespace', '--no-verify'])).stats.counts.triples.train).toBe(2);
    await expect(runCli(['data', 'stats', dir, '--delimiter', ';'])).rejects.toThrow(/Allowed choices are auto, tab, comma, whitespace/);
  });

  it('exits with code 1 and names file, line and reason on bad input (real process)', async () => {
    const dir = writeFiles(tempDir(), { 'train.txt': 'a\tr\tb\na\tr\n', 'valid.txt': 'a\tr\tb\n', 'test.txt': 'a\tr\tb\n' });
    const error = await cliProcessFailure(['data', 'stats', dir]);
    expect(error).toBeDefined();
    expect(error!.code).toBe(1);
    expect(error!.stderr).toBe(`kgdistill: ${path.join(dir, 'train.txt')}:2: expected 3 fields, found 2\n`);
    expect(error!.stdout).toBe('');
  });
});

describe('formatTable', () => {
  it('aligns text left and numbers right, with thousands separators and a header rule', () => {
    expect(formatTable([['entities', 14541], ['relations', 237], ['mrr', 0.341]], { header: ['what', 'value'] })).toBe(
      ['what        value', '---------  ------', 'entities   14,541', 'relations     237', 'mrr         0.341'].join('\n'),
    );
  });

  it('right-aligns numeric strings, pads short rows and honours explicit alignment', () => {
    expect(formatTable([['a', '1.50'], ['bb', '12.5%'], ['ccc']])).toBe(['a     1.50', 'bb   12.5%', 'ccc'].join('\n'));
    expect(formatTable([['007', 'x']], { align: ['left', 'right'] })).toBe('007  x');
    expect(formatTable([], { header: ['h'] })).toBe('h\n-');
  });
});

describe('formatTable with wide characters', () => {
  it('aligns by display width: CJK characters take two columns, combining accents none', () => {
    const table = formatTable([['東京', 1], ['e\u0301te', 22], ['ab', 333]], { header: ['name', 'n'] });
    const lines = table.split('\n');
    expect(lines).toEqual(['name    n', '----  ---', '東京    1', 'e\u0301te    22', 'ab    333']);
  });
});
