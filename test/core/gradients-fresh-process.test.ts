// tfjs' gradients in a process that never imported the union package @tensorflow/tfjs (most test files import it,
// which registers every gradient and would hide a path that forgot them): the engine registers them when it first
// differentiates (src/core/tfjs-gradients.ts). Each of the three places that take gradients runs in a fresh process
// of the command: runTape (`train --path tfjs`), minimizeStep (`kd kd`, the image methods) and SGD (`kd fedx`).
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeSyntheticDataset } from '../../src/kg/synthetic-graph.js';
import { gradientsLoadError } from '../../src/core/tfjs-gradients.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
const main = path.join(root, 'src', 'cli', 'main.ts');
const tmp = mkdtempSync(path.join(tmpdir(), 'kgdistill-gradients-'));
let graph: string;

/** `kgdistill <args>` in a process of its own (one kernel thread). */
const cli = (args: readonly string[]) => spawnSync(tsx, [main, ...args], { cwd: tmp, encoding: 'utf8', env: { ...process.env, KGDISTILL_THREADS: '1' } });

beforeAll(async () => {
  graph = await writeSyntheticDataset(path.join(tmp, 'graph'), { entities: 60, seed: 1 });
});

describe("tfjs' gradients in a fresh process", () => {
  it('train --path tfjs (runTape) trains and tests', () => {
    const run = cli(['train', '--dataset', graph, '--model', 'DistMult', '--dim', '8', '--epochs', '1', '--path', 'tfjs', '--out', path.join(tmp, 'run'), '--json']);
    expect(run.stderr).not.toMatch(/gradient function not found|Cannot find module/);
    expect(run.status).toBe(0);
    // the figure of this graph, seed 0 and one thread (the fused path's too: the paths agree to float32 rounding)
    expect((JSON.parse(run.stdout) as { mrr: number }).mrr).toBeCloseTo(0.114776, 5);
  }, 120_000);

  it.each([['kd'], ['fedx']])('kd %s (the image methods\' steps) runs a seed', (method) => {
    const run = cli(['kd', method, '--seeds', '1', '--epochs', '1']); // the digits the package ships
    expect(run.stderr).not.toMatch(/gradient function not found|Cannot find module/);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/measured: .*accuracy/);
  }, 120_000);
});

describe("the union package's load failure", () => {
  it("says what to do when a strict install does not hoist 'long' (tensorflow/tfjs#6841)", () => {
    const error = gradientsLoadError(new Error("Cannot find module 'long'\nRequire stack:\n- /x/tf.node.js"));
    expect(error.message).toBe("training through tfjs' gradients (--path tfjs, a native backend, 1-N of a model the dense kernels do not score, kd's methods) " +
      "needs them, and @tensorflow/tfjs's " +
      "Node build requires 'long' without declaring it (tensorflow/tfjs#6841), and this install does not hoist it: declare it for the package " +
      '(pnpm: pnpm.packageExtensions { "@tensorflow/tfjs": { "dependencies": { "long": "4.0.0" } } }; Yarn: packageExtensions in .yarnrc.yml) ' +
      'or install long beside kgdistill. The fused kernels (the default path), evaluation, predictions and the service do not.');
    expect(gradientsLoadError(new Error("Cannot find module '@tensorflow/tfjs'")).message).toContain("@tensorflow/tfjs could not be loaded (Cannot find module '@tensorflow/tfjs'); it is a dependency of kgdistill: reinstall it");
  });
});
