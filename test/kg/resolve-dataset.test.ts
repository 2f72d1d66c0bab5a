import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { resolveDatasetDir, findSplitFiles, packageRoot, candidateDirs } from '../../src/kg/resolve-dataset.js';
import { KgInputError } from '../../src/kg/errors.js';
import { tempDir, writeFiles } from './helpers.js';
import { benchmarkDataset, missingBenchmarkLine } from '../helpers/datasets.js';

const SPLITS = { 'train.txt': 'a\tr\tb\n', 'valid.txt': 'a\tr\tb\n', 'test.txt': 'a\tr\tb\n' };

const ENV_KEYS = ['KGDISTILL_DATA', 'KGDISTILL_NO_SHARED', 'XDG_CACHE_HOME'] as const;

describe('resolveDatasetDir', () => {
  const saved: Partial<Record<(typeof ENV_KEYS)[number], string>> = {};
  beforeEach(() => {
    for (const key of ENV_KEYS) {
      const value = process.env[key];
      if (value === undefined) delete saved[key];
      else saved[key] = value;
    }
    delete process.env.KGDISTILL_DATA;
    delete process.env.KGDISTILL_NO_SHARED;
    process.env.XDG_CACHE_HOME = tempDir('kgdistill-cache-'); // an empty user cache
  });
  afterEach(() => {
    for (const key of ENV_KEYS) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  });

  it('takes an explicit directory with the split files, relative or absolute', () => {
    const root = tempDir();
    const dir = writeFiles(path.join(root, 'my-kg'), SPLITS);
    expect(resolveDatasetDir(dir)).toEqual({ name: 'my-kg', dir });
    expect(resolveDatasetDir('./my-kg', { cwd: root })).toEqual({ name: 'my-kg', dir });
    expect(resolveDatasetDir('my-kg', { cwd: root })).toEqual({ name: 'my-kg', dir });
  });

  it('accepts .tsv and .csv split files', () => {
    const dir = writeFiles(tempDir(), { 'train.tsv': '', 'valid.csv': '', 'test.txt': '', 'test.csv': '' });
    expect(findSplitFiles(dir)).toEqual({
      train: path.join(dir, 'train.tsv'),
      valid: path.join(dir, 'valid.csv'),
      test: path.join(dir, 'test.txt'),
    });
    expect(resolveDatasetDir(dir).dir).toBe(dir);
  });

  it('searches $KGDISTILL_DATA first, then <cwd>/data, then ../shared/data', () => {
    const root = tempDir();
    const cwd = path.join(root, 'work');
    const fromEnv = writeFiles(path.join(root, 'env-data', 'toy'), SPLITS);
    const fromCwdData = writeFiles(path.join(cwd, 'data', 'toy'), SPLITS);
    const fromShared = writeFiles(path.join(root, 'shared', 'data', 'toy'), SPLITS);

    process.env.KGDISTILL_DATA = path.join(root, 'env-data');
    expect(resolveDatasetDir('toy', { cwd })).toEqual({ name: 'toy', dir: fromEnv });
    delete process.env.KGDISTILL_DATA;
    expect(resolveDatasetDir('toy', { cwd })).toEqual({ name: 'toy', dir: fromCwdData });
    fs.rmSync(path.join(fromCwdData, 'test.txt'));
    expect(resolveDatasetDir('toy', { cwd })).toEqual({ name: 'toy', dir: fromShared });
  });

  it('skips a README-only data/<name> directory and one with a split missing', () => {
    const root = tempDir();
    const cwd = path.join(root, 'work');
    writeFiles(path.join(cwd, 'data', 'toy'), { 'README.md': '# toy\n' });
    const partial = writeFiles(path.join(root, 'env', 'toy'), { 'train.txt': '', 'valid.txt': '' });
    const shared = writeFiles(path.join(root, 'shared', 'data', 'toy'), SPLITS);
    process.env.KGDISTILL_DATA = path.join(root, 'env');
    expect(resolveDatasetDir('toy', { cwd })).toEqual({ name: 'toy', dir: shared });
    expect(findSplitFiles(partial)).toEqual({ train: path.join(partial, 'train.txt'), valid: path.join(partial, 'valid.txt') });
  });

  it('lists every place searched when nothing fits', () => {
    const root = tempDir();
    const cwd = path.join(root, 'work');
    writeFiles(path.join(cwd, 'data', 'toy'), { 'README.md': '# toy\n', 'train.txt': '' });
    process.env.KGDISTILL_DATA = path.join(root, 'env');
    const error = (() => {
      try {
        resolveDatasetDir('toy', { cwd });
      } catch (e) {
        return e as KgInputError;
      }
      throw new Error('expected an error');
    })();
    expect(error).toBeInstanceOf(KgInputError);
    expect(error.message).toContain('toy: dataset not found; searched:');
    expect(error.message).toContain(`${path.join(root, 'env', 'toy')} (no such directory)`);
    expect(error.message).toContain(`${path.join(cwd, 'data', 'toy')} (missing split valid, test)`);
    expect(error.message).toContain(`${path.join(packageRoot()!, '..', 'shared', 'data', 'toy')} (no such directory)`);
    expect(error.message).toContain(`${path.join(root, 'shared', 'data', 'toy')} (no such directory)`);
  });

  it('reports a missing split in an explicit directory', () => {
    const dir = writeFiles(tempDir(), { 'train.txt': '', 'valid.txt': '' });
    expect(() => resolveDatasetDir(dir)).toThrow(KgInputError);
    expect(() => resolveDatasetDir(dir)).toThrow(`${dir}: missing split "test" (no test.txt, test.tsv or test.csv)`);
    const empty = tempDir();
    expect(() => resolveDatasetDir(empty)).toThrow(`${empty}: no train/valid/test files`);
    expect(() => resolveDatasetDir(path.join(empty, 'nope'))).toThrow(`${path.join(empty, 'nope')}: dataset directory not found`);
    // a triple file given where the directory is expected: say so, and how to make the splits
    expect(() => resolveDatasetDir(path.join(dir, 'train.txt'))).toThrow(`${path.join(dir, 'train.txt')}: is a file, not a dataset directory: give the directory that holds train, valid and test (kgdistill data split makes them from one file of triples)`);
    // the same file named without a path (in the working directory): not found as a name, and said to be a file
    expect(() => resolveDatasetDir('train.txt', { cwd: dir })).toThrow(`train.txt: dataset not found; ${path.join(dir, 'train.txt')} is a file, not a dataset directory`);
    // a directory here given by its bare name, with a split missing: that split first (it said "dataset not found")
    const root = tempDir();
    writeFiles(path.join(root, 'notest'), { 'train.txt': 'a\tr\tb\n', 'valid.txt': 'a\tr\tb\n' });
    expect(() => resolveDatasetDir('notest', { cwd: root })).toThrow(`${path.join(root, 'notest')}: missing split "test" (no test.txt, test.tsv or test.csv); no other dataset named 'notest' was found either (searched:`);
  });

  it('searches the package data/, ../shared/data unless KGDISTILL_NO_SHARED, and the user cache last', () => {
    const root = packageRoot()!;
    const cwd = tempDir();
    const cache = process.env.XDG_CACHE_HOME!;
    const withShared = candidateDirs('toy', cwd);
    expect(withShared).toEqual([
      path.join(cwd, 'data', 'toy'),
      path.join(root, 'data', 'toy'),
      path.join(root, '..', 'shared', 'data', 'toy'),
      path.join(cwd, '..', 'shared', 'data', 'toy'),
      path.join(cache, 'kgdistill', 'datasets', 'toy'),
    ]);
    process.env.KGDISTILL_NO_SHARED = '1';
    expect(candidateDirs('toy', cwd)).toEqual(withShared.filter((dir) => !dir.includes(`${path.sep}shared${path.sep}`)));
    const cached = writeFiles(path.join(cache, 'kgdistill', 'datasets', 'toy'), SPLITS);
    expect(resolveDatasetDir('toy', { cwd })).toEqual({ name: 'toy', dir: cached });
    const fromEnv = writeFiles(path.join(cwd, 'env', 'toy'), SPLITS);
    process.env.KGDISTILL_DATA = 'env'; // relative entries resolve against cwd
    expect(resolveDatasetDir('toy', { cwd })).toEqual({ name: 'toy', dir: fromEnv });
  });

  it('finds the shipped digits in the package data/ from any directory', () => {
    process.env.KGDISTILL_NO_SHARED = '1';
    const dir = path.join(packageRoot()!, 'data', 'digits');
    expect(fs.existsSync(path.join(dir, 'digits.csv.gz'))).toBe(true);
    expect(candidateDirs('digits', tempDir()).find((candidate) => fs.existsSync(path.join(candidate, 'digits.csv.gz')))).toBe(dir);
  });

  it('matches a fetchable benchmark name case-insensitively and by its PyKEEN spelling', () => {
    const root = tempDir();
    const wn = writeFiles(path.join(root, 'WN18RR'), SPLITS);
    const fb = writeFiles(path.join(root, 'FB15k-237'), SPLITS);
    process.env.KGDISTILL_DATA = root;
    expect(resolveDatasetDir('wn18rr', { cwd: tempDir() })).toEqual({ name: 'WN18RR', dir: wn });
    expect(resolveDatasetDir('fb15k237', { cwd: tempDir() })).toEqual({ name: 'FB15k-237', dir: fb });
    expect(() => resolveDatasetDir('toy', { cwd: tempDir() })).toThrow(/downloads FB15k-237 and WN18RR; any directory/);
  });

  it('names the fetch command when a benchmark is nowhere on the machine', () => {
    process.env.KGDISTILL_NO_SHARED = '1';
    process.env.KGDISTILL_DATA = tempDir();
    expect(() => resolveDatasetDir('WN18RR', { cwd: tempDir() })).toThrow(/^WN18RR: dataset not found; searched:\n/);
    expect(() => resolveDatasetDir('WN18RR', { cwd: tempDir() })).toThrow(/\n {2}.*data\/WN18RR \(no train\/valid\/test files\)\n/);
    expect(() => resolveDatasetDir('WN18RR', { cwd: tempDir() })).toThrow(/\nrun `kgdistill data fetch WN18RR` to download it$/);
  });

  it('finds the real benchmarks from the repository and from elsewhere, skipping the README-only data/ dirs', (context) => {
    // Where they are depends on the machine (../shared/data here, the cache on a fresh clone): looked up in the
    // environment the suite was started with, not this file's empty one.
    for (const key of ENV_KEYS) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
    const fb = benchmarkDataset('FB15k-237');
    const wn = benchmarkDataset('WN18RR');
    if (fb === undefined || wn === undefined) {
      const missing = fb === undefined ? 'FB15k-237' : 'WN18RR';
      console.warn(missingBenchmarkLine(missing, 'finds the real benchmarks'));
      context.skip();
      return;
    }
    const root = packageRoot()!;
    const repoCopy = path.join(root, 'data', 'FB15k-237');
    expect(fs.readdirSync(repoCopy)).toEqual(expect.arrayContaining(['README.md', 'SHA256SUMS']));
    // The repository's data/FB15k-237 holds no triples (unless someone put them there, which also counts).
    if (Object.keys(findSplitFiles(repoCopy)).length < 3) expect(fb).not.toBe(repoCopy);
    expect(resolveDatasetDir('FB15k-237', { cwd: root })).toEqual({ name: 'FB15k-237', dir: fb });
    expect(resolveDatasetDir('WN18RR', { cwd: tempDir() })).toEqual({ name: 'WN18RR', dir: wn });
  });
});
