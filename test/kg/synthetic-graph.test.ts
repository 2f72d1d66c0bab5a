// The generated graph: byte for byte what the string-array generator wrote before the triples became integer codes
// (hashes and lines taken from that build), its counts, and a directory written whole or not at all.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, promises as fsp, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { MAX_SYNTHETIC_ENTITIES, syntheticGraph, syntheticGraphSize, writeSyntheticDataset } from '../../src/kg/synthetic-graph.js';
import { tempDir } from './helpers.js';

const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');
const SPLITS = ['train', 'valid', 'test'] as const;

afterEach(() => {
  vi.restoreAllMocks();
});

describe('syntheticGraph', () => {
  it('gives the triples and splits of the earlier generator for 10 entities, seed 0', () => {
    const graph = syntheticGraph({ entities: 10, seed: 0 });
    // 10 next + 10 previous + 9 parent + 9 child + 2 member_of (entities 8 and 9; 8 groups)
    expect([graph.train.length, graph.valid.length, graph.test.length]).toEqual([32, 4, 4]);
    expect(graph.valid).toEqual([['e4', 'parent', 'e1'], ['e5', 'previous', 'e4'], ['e2', 'child', 'e8'], ['e9', 'parent', 'e2']]);
    expect(graph.test).toEqual([['e0', 'child', 'e2'], ['e3', 'next', 'e4'], ['e9', 'next', 'e0'], ['e0', 'child', 'e1']]);
    expect(graph.train.slice(0, 5)).toEqual([['e8', 'previous', 'e7'], ['e2', 'next', 'e3'], ['e3', 'previous', 'e2'], ['e1', 'next', 'e2'], ['e1', 'child', 'e6']]);
    expect(graph.train.filter(([, r]) => r === 'member_of').length + graph.valid.concat(graph.test).filter(([, r]) => r === 'member_of').length).toBe(2);
  });

  it('counts ~5 triples per entity and cuts the splits by the fractions', () => {
    const graph = syntheticGraph({ entities: 400, seed: 3 });
    expect([graph.train.length, graph.valid.length, graph.test.length]).toEqual([1592, 199, 199]); // 400 + 400 + 399 + 399 + 392
    expect(syntheticGraphSize(400)).toEqual({ triples: 1990, shuffleBytes: 8000, textBytes: 400 * (9 * 4 + 49) });
    expect(syntheticGraphSize(10).triples).toBe(40);
    const uneven = syntheticGraph({ entities: 3, validFraction: 0.5, testFraction: 0.5 }); // 3 + 3 + 2 + 2 = 10 triples
    expect([uneven.train.length, uneven.valid.length, uneven.test.length]).toEqual([0, 5, 5]);
    expect(syntheticGraph({ entities: 0 })).toEqual({ train: [], valid: [], test: [] });
  });

  it('refuses a count above the ceiling or not an integer, and fractions beyond 1', () => {
    expect(MAX_SYNTHETIC_ENTITIES).toBe(10_000_000);
    expect(() => syntheticGraph({ entities: MAX_SYNTHETIC_ENTITIES + 1 })).toThrow('synthetic graph: entities must be an integer from 0 to 10000000 (got 10000001)');
    expect(() => syntheticGraph({ entities: 2.5 })).toThrow(/entities must be an integer from 0 to 10000000 \(got 2\.5\)/);
    expect(() => syntheticGraph({ validFraction: 0.7, testFraction: 0.4 })).toThrow(/validFraction and testFraction must be ≥ 0 and sum to at most 1 \(got 0\.7, 0\.4\)/);
  });
});

describe('writeSyntheticDataset', () => {
  it('writes the same bytes as the earlier generator (one chunk, and several ~1 MB chunks)', async () => {
    const root = tempDir();
    const expected: Record<string, { train: string; valid: string; test: string; trainBytes: number }> = {
      '10-0': {
        train: 'e7c78113f3b89b1f25fb258191057ac2db5459815920b1dd0ad5111eb989f591',
        valid: '1934d848adc7f05e03171bfc404488a6c25840435bbe4b85319835f4f35d0353',
        test: '307b4ad5278e70ad749a9565ead8c7a15c70a9fa84afb15d9b87ef115e28e1fc',
        trainBytes: 418,
      },
      '400-3': {
        train: '914d69ee64c11b4b19ef87494e93f7461834f0af0117a03a65f0175229eafc9b',
        valid: '4d9fb856b33bd43337d0e41eeb438d6632772179c44c87d0e8a48f1c5417b9be',
        test: 'dd090b141a1e96d80c2fd54dace3f5d1502854f9ac167e64147183aeffc6fcb3',
        trainBytes: 25925,
      },
      '20000-7': {
        train: '46d44ec3756a50b65543e6d2bcd7fbfb07cbe45fd55a926acfc9150ec254d923',
        valid: 'cd205081e9165cae6f5fb1241a3d63b7764202977910a88e853a4a08ba28cdad',
        test: 'b5c5ee647419705d3b9806997b93f7eb3780f1d86fd0014a1e110c80e4258de4',
        trainBytes: 1548192, // beyond one 1 MB chunk
      },
    };
    for (const [key, hashes] of Object.entries(expected)) {
      const [entities, seed] = key.split('-').map(Number);
      const dir = path.join(root, key);
      expect(await writeSyntheticDataset(dir, { entities: entities!, seed: seed! })).toBe(dir);
      expect(readdirSync(dir).sort()).toEqual(['test.txt', 'train.txt', 'valid.txt']);
      for (const split of SPLITS) expect(sha256(path.join(dir, `${split}.txt`)), `${key} ${split}`).toBe(hashes[split]);
      expect(readFileSync(path.join(dir, 'train.txt')).byteLength).toBe(hashes.trainBytes);
    }
    expect(readFileSync(path.join(root, '10-0', 'valid.txt'), 'utf8')).toBe('e4\tparent\te1\ne5\tprevious\te4\ne2\tchild\te8\ne9\tparent\te2\n');
    expect(readdirSync(root).sort()).toEqual(['10-0', '20000-7', '400-3']); // no staging directory left
  });

  it('writes an empty split as one empty line, as before, and the lines syntheticGraph gives', async () => {
    const dir = path.join(tempDir(), 'g');
    await writeSyntheticDataset(dir, { entities: 30, seed: 5, validFraction: 0, testFraction: 0.25 });
    expect(readFileSync(path.join(dir, 'valid.txt'), 'utf8')).toBe('\n');
    const graph = syntheticGraph({ entities: 30, seed: 5, validFraction: 0, testFraction: 0.25 });
    expect(graph.test.length).toBe(35); // round(0.25 × 140 triples)
    for (const split of SPLITS.filter((s) => s !== 'valid')) {
      expect(readFileSync(path.join(dir, `${split}.txt`), 'utf8')).toBe(graph[split].map((t) => `${t.join('\t')}\n`).join(''));
    }
  });

  it('fills an existing empty directory and creates a missing parent', async () => {
    const root = tempDir();
    mkdirSync(path.join(root, 'empty'));
    await writeSyntheticDataset(path.join(root, 'empty'), { entities: 10 });
    expect(sha256(path.join(root, 'empty', 'train.txt'))).toBe('e7c78113f3b89b1f25fb258191057ac2db5459815920b1dd0ad5111eb989f591');
    await writeSyntheticDataset(path.join(root, 'a', 'b'), { entities: 10 });
    expect(readdirSync(path.join(root, 'a'))).toEqual(['b']);
    expect(readdirSync(root).sort()).toEqual(['a', 'empty']);
  });

  it('refuses a file or a non-empty directory as target, leaving it as it was and no staging directory', async () => {
    const root = tempDir();
    mkdirSync(path.join(root, 'full'));
    writeFileSync(path.join(root, 'full', 'keep.txt'), 'mine\n');
    await expect(writeSyntheticDataset(path.join(root, 'full'), { entities: 10 })).rejects.toThrow(`${path.join(root, 'full')}: exists and is not an empty directory; nothing was written`);
    expect(readdirSync(path.join(root, 'full'))).toEqual(['keep.txt']);
    writeFileSync(path.join(root, 'file'), 'mine\n');
    await expect(writeSyntheticDataset(path.join(root, 'file'), { entities: 10 })).rejects.toThrow(/file: exists and is not an empty directory/);
    expect(readFileSync(path.join(root, 'file'), 'utf8')).toBe('mine\n');
    await expect(writeSyntheticDataset(path.join(root, 'file', 'under'), { entities: 10 })).rejects.toThrow(/EEXIST|ENOTDIR/); // parent is a file
    expect(readdirSync(root).sort()).toEqual(['file', 'full']);
  });

  it('removes the staging directory when a write fails midway and leaves no target', async () => {
    const root = tempDir();
    const open = fsp.open.bind(fsp);
    let calls = 0;
    vi.spyOn(fsp, 'open').mockImplementation(async (...args: Parameters<typeof fsp.open>) => {
      calls += 1;
      if (calls === 2) throw Object.assign(new Error('ENOSPC: no space left on device, open'), { code: 'ENOSPC' });
      return open(...args);
    });
    await expect(writeSyntheticDataset(path.join(root, 'g'), { entities: 50 })).rejects.toThrow(/ENOSPC/);
    expect(calls).toBe(2); // train.txt was written into the staging directory, valid.txt failed
    expect(readdirSync(root)).toEqual([]);
  });

  it('refuses a count above the ceiling before creating anything', async () => {
    const root = tempDir();
    await expect(writeSyntheticDataset(path.join(root, 'big'), { entities: 100_000_000 })).rejects.toThrow(/entities must be an integer from 0 to 10000000 \(got 100000000\)/);
    await expect(writeSyntheticDataset(path.join(root, 'empty'), { entities: 0 })).rejects.toThrow('synthetic dataset: entities must be at least 4 (got 0): a smaller graph has at most one valid and one test triple; nothing was written');
    await expect(writeSyntheticDataset(path.join(root, 'text'), { entities: '50' as unknown as number })).rejects.toThrow('entities must be an integer from 0 to 10000000 (got "50")');
    expect(existsSync(path.join(root, 'big'))).toBe(false);
    expect(readdirSync(root)).toEqual([]);
  });
});
