// A KG port whose training diverges (`kgdistill kd <method> --dataset <KG>` with a huge --lr) says which method, which
// seed of the run and which of its trainings diverged, and what to do naming the flag and its value, as the digits'
// guard does (images/training/divergence.ts); before, the core's bare "training diverged: loss is NaN at epoch 1,
// step 2: start a new run with a lower learning rate (a resumed run keeps its own)" named none of them.
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli as runCliWith } from '../helpers/run-cli.js';
import { registerKdCommand } from '../../src/cli/commands/kd.js';
import { writeSyntheticDataset } from '../../src/kg/synthetic-graph.js';
import { KgPortDivergedError, portRun } from '../../src/general/kg/port.js';
import { TrainingDivergedError } from '../../src/core/training-diverged.js';

const runCli = (args: string[]): Promise<string> => runCliWith([registerKdCommand], args);
let graph: string;

beforeAll(async () => {
  graph = await writeSyntheticDataset(path.join(mkdtempSync(path.join(tmpdir(), 'kgdistill-port-divergence-')), 'graph'), { entities: 80, seed: 2 });
});

/** The message of a port's run `run` that diverged at step 1 or 2 of epoch 1 with a NaN or infinite loss, at --lr 1e30. */
const diverged = (run: string): RegExp =>
  new RegExp(`^${run}: training diverged: loss is (NaN|-?Infinity) at epoch 1, step \\d+\\. Nothing is reported; run again with a lower --lr \\(it was 1e\\+30\\)\\.$`);

describe('a KG port that diverges names the method, the seed and the run', () => {
  const common = ['--dim', '8', '--epochs', '2', '--lr', '1e30', '--batch-size', '64', '--backend', 'wasm'];

  it('dml and dogo (the single student of the first seed given), fedntd (FedE), cbd (its first teacher)', async () => {
    await expect(runCli(['kd', 'dml', '--dataset', graph, '--seeds', '3,4', '--neg', '4', ...common])).rejects.toThrow(diverged('kd dml, seed 3, single-student run'));
    await expect(runCli(['kd', 'dogo', '--dataset', graph, '--seeds', '7,8', ...common])).rejects.toThrow(diverged('kd dogo, seed 7, single-student run'));
    await expect(runCli(['kd', 'fedntd', '--dataset', graph, '--seeds', '5,6', '--neg', '4', '--param', 'clients=2', ...common])).rejects.toThrow(diverged('kd fedntd, seed 5, FedE run'));
    await expect(runCli(['kd', 'cbd', '--dataset', graph, '--seeds', '2,3', '--neg', '4', '--param', 'teachers=1', ...common])).rejects.toThrow(diverged('kd cbd, seed 2, teacher 1 run'));
  }, 120_000);

  it("the trainer's end-of-epoch form too, without the run directory it speaks of; any other error passes unchanged", async () => {
    const trainerError = new TrainingDivergedError(" at epoch 3: parameter table 'entity' holds NaN (index 17)", '; nothing was saved. /tmp/x/last.json keeps the last finite checkpoint (resuming it repeats the same steps). Start a new run with a lower learning rate or regulariser weight.');
    const error = await portRun('kd dml, seed 1, pair run', 0.5, () => Promise.reject(trainerError)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KgPortDivergedError);
    expect((error as Error).message).toBe("kd dml, seed 1, pair run: training diverged at epoch 3: parameter table 'entity' holds NaN (index 17). Nothing is reported; run again with a lower --lr (it was 0.5).");
    expect((error as Error).cause).toBe(trainerError);
    const other = new Error('training diverged, says an error that is not the core\'s'); // a message alone is not a divergence
    await expect(portRun('kd dml, seed 1, pair run', 0.5, () => Promise.reject(other))).rejects.toBe(other);
    await expect(portRun('kd dml, seed 1, pair run', 0.5, () => Promise.resolve(42))).resolves.toBe(42);
  });
});
