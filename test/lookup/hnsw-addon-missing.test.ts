// hnswlib-node's native addon is built by its install script, which npm --ignore-scripts, pnpm ≥ 10 and machines
// without a C++ toolchain skip or fail. Only HNSW neighbours need it: the library still imports, trains and answers
// exact lookups, and HNSW use says what is missing, how to build it and what to use instead.
import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildHnsw, DEFAULT_BUILD, hnswFromBytes, hnswlib, HnswUnavailableError, setHnswlibLoader } from '../../src/lookup/hnsw.js';
import type { SpaceData } from '../../src/lookup/vector-space.js';
import { readIndexFile, writeIndexFile } from '../../src/lookup/index-file.js';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const BINDINGS_ERROR = 'Could not locate the bindings file. Tried:\n → /x/node_modules/hnswlib-node/build/addon.node';
const space: SpaceData = { spec: { kind: 'euclidean' } as unknown as SpaceData['spec'], metric: 'l2', dim: 2, data: new Float32Array([0, 0, 1, 0, 0, 1]), maxNormSq: 0 };

afterEach(() => setHnswlibLoader());

describe('a missing hnswlib-node addon', () => {
  it('fails HNSW use with what is missing, how to build it and the exact alternative', async () => {
    setHnswlibLoader(() => {
      throw new Error(BINDINGS_ERROR);
    });
    const failure = await buildHnsw(space, DEFAULT_BUILD).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(HnswUnavailableError);
    const message = (failure as Error).message;
    expect(message).toContain('native addon of hnswlib-node, which could not be loaded (Could not locate the bindings file. Tried:)');
    expect(message).toContain('`npm rebuild hnswlib-node`');
    expect(message).toContain('C++ compiler');
    expect(message).toContain('`neighbors(entity, k, { exact: true })`');
    expect(((failure as Error).cause as Error).message).toBe(BINDINGS_ERROR);
    await expect(hnswFromBytes(new Uint8Array(8), 'l2', 2)).rejects.toThrow(HnswUnavailableError);
  });

  it('a saved index read without the addon is not called corrupt: the missing addon is the error', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'kgdistill-noaddon-index-')), 'index.hnsw');
    const fingerprint = 'a'.repeat(64);
    await writeIndexFile(file, { spaceId: 'e', space: {}, fingerprint, metric: 'l2', count: 3, dim: 2, build: { ...DEFAULT_BUILD, seconds: 0 } }, await buildHnsw(space, DEFAULT_BUILD));
    expect((await readIndexFile(file, { fingerprint, metric: 'l2', dim: 2, count: 3 })).status).toBe('ok');
    setHnswlibLoader(() => {
      throw new Error(BINDINGS_ERROR);
    });
    await expect(readIndexFile(file, { fingerprint, metric: 'l2', dim: 2, count: 3 })).rejects.toThrow(HnswUnavailableError);
  });

  it('loads the addon on first use, once, and builds and searches with it', async () => {
    let loads = 0;
    const real = hnswlib();
    setHnswlibLoader(() => {
      loads++;
      return real;
    });
    expect(loads).toBe(0);
    const index = await buildHnsw(space, DEFAULT_BUILD);
    await buildHnsw(space, DEFAULT_BUILD);
    expect(loads).toBe(1);
    expect(index.searchKnn([0.9, 0.1], 1).neighbors).toEqual([1]);
  });

  it('leaves `import` of the library working when the addon cannot be loaded (real require path)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kgdistill-noaddon-'));
    // what hnswlib-node's lib/index.js meets without build/addon.node: `bindings` throws
    const preload = path.join(dir, 'no-addon.cjs');
    writeFileSync(preload, [
      "const Module = require('node:module');",
      'const load = Module._load;',
      'Module._load = function (request, parent, ...rest) {',
      "  if (request === 'bindings' && parent && /hnswlib-node/.test(parent.filename)) return () => { throw new Error(" + JSON.stringify(BINDINGS_ERROR) + '); };',
      '  return load.call(this, request, parent, ...rest);',
      '};',
      '',
    ].join('\n'));
    const script = [
      `const kg = await import(${JSON.stringify(path.join(root, 'src', 'index.ts'))});`,
      "console.log('imported', typeof kg.train, typeof kg.openModel, kg.modelNames().includes('RotH'));",
      `const hnsw = await import(${JSON.stringify(path.join(root, 'src', 'lookup', 'hnsw.ts'))});`,
      "try { hnsw.hnswlib(); console.log('loaded'); } catch (error) { console.log(error.name, '|', error.message.split('. ')[0]); }",
    ].join('\n');
    const out = execFileSync(process.execPath, ['--require', preload, '--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: root, encoding: 'utf8', env: { ...process.env, KGDISTILL_THREADS: '1' },
    });
    expect(out).toContain('imported function function true');
    expect(out).toContain('HnswUnavailableError | HNSW neighbour search needs the native addon of hnswlib-node, which could not be loaded (Could not locate the bindings file');
  }, 120_000);
});
