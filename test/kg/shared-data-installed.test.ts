// `<package root>/../shared/data` is the development layout (a `shared/` beside the clone). Installed, the package
// root is `node_modules/kgdistill`, and `../shared` would be another npm package's folder: not searched there.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { candidateDirs, resolveDatasetDir } from '../../src/kg/resolve-dataset.js';
import { insideNodeModules } from '../../src/kg/package-root.js';
import { tempDir, writeFiles } from './helpers.js';

const SPLITS = { 'train.txt': 'a\tr\tb\n', 'valid.txt': 'a\tr\tb\n', 'test.txt': 'a\tr\tb\n' };
const ENV_KEYS = ['KGDISTILL_DATA', 'KGDISTILL_NO_SHARED', 'XDG_CACHE_HOME'] as const;
const saved = new Map<string, string | undefined>();

beforeEach(() => {
  for (const key of ENV_KEYS) saved.set(key, process.env[key]);
  delete process.env.KGDISTILL_DATA;
  delete process.env.KGDISTILL_NO_SHARED;
  process.env.XDG_CACHE_HOME = tempDir('kgdistill-cache-');
});
afterEach(() => {
  for (const [key, value] of saved) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

describe('../shared/data beside the package root', () => {
  it('is searched beside a clone of the repository', () => {
    const base = tempDir();
    const clone = path.join(base, 'kgdistill');
    const cwd = path.join(base, 'elsewhere', 'work');
    const cache = process.env.XDG_CACHE_HOME!;
    expect(candidateDirs('toy', cwd, clone)).toEqual([
      path.join(cwd, 'data', 'toy'),
      path.join(clone, 'data', 'toy'),
      path.join(base, 'shared', 'data', 'toy'),
      path.join(base, 'elsewhere', 'shared', 'data', 'toy'),
      path.join(cache, 'kgdistill', 'datasets', 'toy'),
    ]);
  });

  it('is not searched when the package is installed inside node_modules (another package could be named shared)', () => {
    const project = tempDir();
    const installed = path.join(project, 'node_modules', 'kgdistill');
    const cwd = path.join(project, 'app');
    const cache = process.env.XDG_CACHE_HOME!;
    const dirs = candidateDirs('toy', cwd, installed);
    expect(dirs).toEqual([
      path.join(cwd, 'data', 'toy'),
      path.join(installed, 'data', 'toy'),
      path.join(project, 'shared', 'data', 'toy'), // <cwd>/../shared stays (documented, KGDISTILL_NO_SHARED=1 turns it off)
      path.join(cache, 'kgdistill', 'datasets', 'toy'),
    ]);
    expect(dirs).not.toContain(path.join(project, 'node_modules', 'shared', 'data', 'toy'));
    // pnpm's layout too: node_modules/.pnpm/kgdistill@0.1.0/node_modules/kgdistill
    const pnpm = path.join(project, 'node_modules', '.pnpm', 'kgdistill@0.1.0', 'node_modules', 'kgdistill');
    expect(candidateDirs('toy', cwd, pnpm).some((dir) => dir.includes(`node_modules${path.sep}shared`))).toBe(false);
  });

  it('tells a node_modules path from a clone', () => {
    expect(insideNodeModules('/home/u/app/node_modules/kgdistill')).toBe(true);
    expect(insideNodeModules('/home/u/app/node_modules/.pnpm/kgdistill@0.1.0/node_modules/kgdistill')).toBe(true);
    expect(insideNodeModules('/home/u/src/kgdistill')).toBe(false);
    expect(insideNodeModules('/home/u/my_node_modules_notes/kgdistill')).toBe(false);
  });

  it('still resolves a dataset in the repository layout by name', () => {
    const base = tempDir();
    const shared = writeFiles(path.join(base, 'shared', 'data', 'toy'), SPLITS);
    // the working directory is the clone's sibling here, so <cwd>/../shared is the same folder
    expect(resolveDatasetDir('toy', { cwd: path.join(base, 'work') })).toEqual({ name: 'toy', dir: shared });
  });
});
