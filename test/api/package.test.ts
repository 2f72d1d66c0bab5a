// The package as a user gets it: `npm pack`, installed into a temporary project outside the repository, imported
// by name (`import … from 'kgdistill'`), running the README's example (docs/example.mjs) on a generated graph.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');

describe('the packed package', () => {
  it("runs the README's example as printed: its block is docs/example.mjs", () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    const block = /## Use from code[\s\S]*?```js\n([\s\S]*?)```/.exec(readme)?.[1];
    const example = readFileSync(path.join(root, 'docs', 'example.mjs'), 'utf8').split('\n').slice(1).join('\n');
    expect(block).toBe(example);
  });

  it('installs into a project of its own and runs the README example by name', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kgdistill-pack-'));
    execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', dir], { cwd: root, stdio: 'pipe' });
    const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'))!;
    const project = path.join(dir, 'project');
    execFileSync('mkdir', ['-p', project]);
    writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'user-project', private: true, type: 'module', allowScripts: { 'hnswlib-node': true } }));
    execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', path.join(dir, tarball)], { cwd: project, stdio: 'pipe' });
    copyFileSync(path.join(root, 'docs', 'example.mjs'), path.join(project, 'example.mjs'));
    const out = execFileSync(process.execPath, ['example.mjs'], { cwd: project, encoding: 'utf8' });
    const mrr = Number(/test MRR ([0-9.]+)/.exec(out)?.[1]);
    expect(mrr).toBeGreaterThan(0.5); // RotH on the generated tree-and-cycle graph; chance is ≈ 0.03
    expect(out).toMatch(/\(e30, parent, \?\): e\d+/);
    expect(out).toMatch(/rank of \(e30, parent, e9\): \d/);
    expect(out).toContain('bad option: dim must be a positive integer (got -1) (keys: dim)');
    // it runs again as it is: each run writes into a new directory of its own
    expect(execFileSync(process.execPath, ['example.mjs'], { cwd: project, encoding: 'utf8' })).toMatch(/test MRR [0-9.]+.* in .*kgdistill-example-/);
    expect(out).not.toMatch(/Hi there|tfjs-node|speed things up/i); // no tfjs banner
    // types included: a TypeScript user's strict check of the same calls passes, with the metrics typed as numbers
    writeFileSync(path.join(project, 'typed.ts'), [
      "import { train, evaluate, writeSyntheticDataset, OptionsError, LookupError, type TrainResult } from 'kgdistill';",
      "const dataset: string = await writeSyntheticDataset('graph', { entities: 200, seed: 1 });",
      "const run: TrainResult = await train({ dataset, model: 'RotH', dim: 32, epochs: 1, out: 'runs/typed' });",
      'const test: number | undefined = run.metrics?.mrr;',
      'const epochs: number = run.summary.epochs, best: number | null = run.summary.bestValidMrr, warned: string[] = run.summary.warnings;',
      "try { await run.model.predict({ head: 'nobody', relation: 'parent' }); } catch (error) { if (error instanceof LookupError) console.log(error.kind, error.suggestions.length); }",
      "try { await train({ dataset, dim: -1, out: 'runs/bad' }); } catch (error) { if (error instanceof OptionsError) console.log(error.problems[0]?.key); }",
      'console.log(epochs, best, warned);',
      "const valid: number = (await evaluate('runs/typed', { split: 'valid' })).metrics['hits@10'];",
      'console.log(test, valid);',
      '',
    ].join('\n'));
    writeFileSync(path.join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', noEmit: true, skipLibCheck: true, types: ['node'] }, files: ['typed.ts'] }));
    const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const checked = (() => {
      try {
        return execFileSync(process.execPath, [tsc, '-p', project], { cwd: project, encoding: 'utf8', stdio: 'pipe' });
      } catch (error) {
        return String((error as { stdout?: string }).stdout ?? error);
      }
    })();
    expect(checked).toBe('');
  }, 300_000);
});
