// The package as a user who does not run install scripts gets it (npm --ignore-scripts, pnpm ≥ 10, no C++
// toolchain): hnswlib-node's native addon is not built. Packed and installed into a fresh project with
// `--ignore-scripts --engine-strict` and the README's override for fastify's cookie (cookie 2 declares Node ≥ 22):
// the install is accepted, the package imports from ESM and CommonJS, trains and answers exact neighbours, and HNSW
// use fails with one message saying what is missing and what to do. The tarball holds the licence, and neither source
// maps (their sources are not shipped) nor the benchmarks.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');

describe('the packed package without install scripts', () => {
  it('holds the licence and no source maps or benchmarks', () => {
    const listing = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' })) as Array<{ files: Array<{ path: string }> }>;
    const files = listing[0]!.files.map((f) => f.path);
    expect(files).toContain('LICENSE');
    expect(files).toContain('dist/src/index.js');
    expect(files).toContain('dist/src/index.d.ts');
    expect(files).toContain('dist/explorer/app.js');
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    expect(files.filter((f) => f.startsWith('dist/bench/'))).toEqual([]);
    const licence = readFileSync(path.join(root, 'LICENSE'), 'utf8');
    expect(licence).toMatch(/^MIT License\n\nCopyright \(c\) 2026 the kgdistill contributors\n/);
    expect((JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { license: string }).license).toBe('MIT');
  }, 60_000);

  it('installs with --engine-strict and the README override, imports, trains and looks up exactly; HNSW says how to get its addon', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kgdistill-noscripts-'));
    execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', dir], { cwd: root, stdio: 'pipe' });
    const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'))!;
    const project = path.join(dir, 'project');
    mkdirSync(project);
    const overrides = JSON.parse(/`"overrides": (\{ "light-my-request": \{ "cookie": "[^"]+" \} \})`/.exec(readFileSync(path.join(root, 'README.md'), 'utf8'))![1]!) as unknown;
    writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'user-project', private: true, type: 'module', overrides }));
    execFileSync('npm', ['install', '--ignore-scripts', '--engine-strict', '--prefer-offline', '--no-audit', '--no-fund', path.join(dir, tarball)], { cwd: project, stdio: 'pipe' });
    expect(existsSync(path.join(project, 'node_modules', 'hnswlib-node', 'build'))).toBe(false); // the addon was not built
    // the README's override holds: every cookie installed (fastify → light-my-request) declares this Node
    const cookies = execFileSync('npm', ['ls', 'cookie', '--all', '--parseable', '--long'], { cwd: project, encoding: 'utf8' });
    expect(cookies).toMatch(/cookie@1\./);
    expect(cookies).not.toMatch(/cookie@2\./);
    writeFileSync(path.join(project, 'use.mjs'), [
      "import { train, writeSyntheticDataset } from 'kgdistill';",
      "const dataset = await writeSyntheticDataset('graph', { entities: 60, seed: 1 });",
      "const run = await train({ dataset, model: 'DistMult', dim: 4, epochs: 1, out: 'runs/tiny' });",
      "const exact = await run.model.neighbors('e1', 3, { exact: true });",
      "const hnsw = await run.model.neighbors('e1', 3).then(() => 'no error', (error) => `${error.name}: ${error.message}`);",
      "console.log('RESULT ' + JSON.stringify({ exact: exact.neighbors.length, hnsw }));",
      'await run.model.close();',
    ].join('\n'));
    const out = execFileSync(process.execPath, ['use.mjs'], { cwd: project, encoding: 'utf8', env: { ...process.env, KGDISTILL_THREADS: '1' } });
    const result = JSON.parse(/^RESULT (.*)$/m.exec(out)![1]!) as { exact: number; hnsw: string };
    expect(result.exact).toBe(3);
    expect(result.hnsw).toMatch(/^HnswUnavailableError: HNSW neighbour search needs the native addon of hnswlib-node, which could not be loaded \(Could not locate the bindings file/);
    expect(result.hnsw).toContain('`npm rebuild hnswlib-node`');
    expect(result.hnsw).toContain('`neighbors(entity, k, { exact: true })`');
    // CommonJS: require(esm), which the Node versions in engines have
    writeFileSync(path.join(project, 'use.cjs'), "const kg = require('kgdistill'); console.log(kg.modelNames().includes('RotH'));\n");
    expect(execFileSync(process.execPath, ['use.cjs'], { cwd: project, encoding: 'utf8', env: { ...process.env, KGDISTILL_THREADS: '1' } }).trim()).toBe('true');
  }, 300_000);
});
