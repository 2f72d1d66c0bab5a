import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { resolveDatasetDir, findSplitFiles, packageRoot } from '../../src/kg/resolve-dataset.js';
import { KgInputError } from '../../src/kg/errors.js';
import { tempDir, writeFiles, sharedDataset } from './helpers.js';

const SPLITS = { 'train.txt': 'a\tr\tb\n', 'valid.txt': 'a\tr\tb\n', 'test.txt': 'a\tr\tb\n' };

describe('resolveDatasetDir', () => {
  let savedData: string | undefined;
  beforeEach(() => {
    savedData = process.env.KGDISTILL_DATA;
    delete process.env.KGDISTILL_DATA;
  });
  afterEach(() => {
    if (savedData === undefined) delete process.env.KGDISTILL_DATA;
    else process.env.KGDISTILL_DATA = savedData;
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
  });

  it('finds the real benchmarks from the repository and from elsewhere, skipping the README-only data/ dirs', () => {
    const root = packageRoot()!;
    expect(JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).name).toBe('kgdistill');
    const repoCopy = path.join(root, 'data', 'FB15k-237');
    expect(fs.existsSync(path.join(repoCopy, 'README.md'))).toBe(true);
    // The repository's data/FB15k-237 holds only the README (unless someone put the triples there, which also counts).
    const expected = Object.keys(findSplitFiles(repoCopy)).length === 3 ? repoCopy : sharedDataset('FB15k-237');
    expect(resolveDatasetDir('FB15k-237', { cwd: root })).toEqual({ name: 'FB15k-237', dir: expected });
    expect(resolveDatasetDir('WN18RR', { cwd: tempDir() })).toEqual({ name: 'WN18RR', dir: sharedDataset('WN18RR') });
  });
});
