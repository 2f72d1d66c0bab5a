// `predict --json` and `neighbors --json` carry `runDir`, the run directory's absolute path: two runs of the same
// name in different directories are told apart (`checkpoint` stays the run's name, as the HTTP service answers it).
import { beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { registerNeighborsCommand } from '../../src/cli/commands/neighbors.js';
import { registerPredictCommand } from '../../src/cli/commands/predict.js';
import { lastJsonLine, runCli } from '../helpers/run-cli.js';
import { tempDir } from './helpers.js';
import { namedGraph, trainRun } from './trained-run.js';

const tmp = tempDir('lookup-rundir');
let runA: string;

beforeAll(async () => {
  const graph = await namedGraph(path.join(tmp, 'graph'));
  runA = await trainRun(graph, path.join(tmp, 'a', 'r1'), 'DistMult');
});

describe('the run directory in lookup JSON', () => {
  it('is absolute in predict (list and triple) and neighbors, beside the name', async () => {
    const relative = path.relative(process.cwd(), runA);
    const register = [registerNeighborsCommand, registerPredictCommand];
    const predicted = lastJsonLine(await runCli(register, ['predict', '--checkpoint', relative, '--head', 'e10', '--relation', 'parent', '--k', '2', '--json']));
    expect(predicted).toMatchObject({ checkpoint: 'r1', runDir: runA });
    const scored = lastJsonLine(await runCli(register, ['predict', '--checkpoint', relative, '--head', 'e10', '--relation', 'parent', '--tail', 'e11', '--json']));
    expect(scored).toMatchObject({ checkpoint: 'r1', runDir: runA });
    const near = lastJsonLine(await runCli(register, ['neighbors', '--checkpoint', relative, '--entity', 'e10', '--k', '2', '--json']));
    expect(near).toMatchObject({ checkpoint: 'r1', runDir: runA });
    expect(path.isAbsolute(near.runDir as string)).toBe(true);
  });
});
