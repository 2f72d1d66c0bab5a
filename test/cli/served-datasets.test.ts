// `serve --dataset`: one dataset for one run, NAME=DIR entries for several; an entry naming no served run, a run
// named twice or a plain entry beside several runs is a usage error (an OptionsError on `dataset`, exit 2).
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { servedDatasets } from '../../src/cli/served-datasets.js';
import { OptionsError } from '../../src/pipeline/options-error.js';

describe('serve --dataset', () => {
  it('gives each served run its dataset, or none (where its checkpoint says)', () => {
    expect(servedDatasets(undefined, ['a', 'b'])).toEqual([undefined, undefined]);
    expect(servedDatasets('/data/wn18rr', ['a'])).toEqual(['/data/wn18rr']);
    expect(servedDatasets('WN18RR', ['a'])).toEqual(['WN18RR']);
    expect(servedDatasets('a=/data/x', ['a'])).toEqual(['/data/x']);
    expect(servedDatasets('b=/data/y, a=/data/x', ['a', 'b', 'c'])).toEqual(['/data/x', '/data/y', undefined]);
    const existing = path.join(mkdtempSync(path.join(tmpdir(), 'kgdistill-served-')), 'x=y'); // a path with '=' in it
    expect(servedDatasets(existing, ['a'])).toEqual([existing]);
  });

  it('refuses what it cannot place, naming the served runs', () => {
    const refused = (value: string, names: string[]) => {
      try {
        servedDatasets(value, names);
      } catch (error) {
        expect(error).toBeInstanceOf(OptionsError);
        expect((error as OptionsError).problems.map((p) => p.key)).toEqual(['dataset']);
        return (error as Error).message;
      }
      throw new Error(`${value} was not refused`);
    };
    expect(refused('/data/x', ['a', 'b'])).toBe('--dataset /data/x: with 2 runs served, give each as NAME=DIR, NAME a served run (a, b)');
    expect(refused('c=/data/x', ['a', 'b'])).toBe("--dataset c=/data/x: no run is served as 'c' (served: a, b)");
    expect(refused('a=/x,a=/y', ['a', 'b'])).toBe("--dataset names the run 'a' twice: each run has one dataset");
    expect(refused(' , ', ['a'])).toBe('--dataset needs a dataset (a name or directory), or NAME=DIR for each served run it is for');
    expect(refused('/x,/y', ['a'])).toBe('--dataset /x: with several datasets, give each as NAME=DIR, NAME a served run (a)');
  });
});
