// --test-eval and --no-test-eval on the command line: both flags exist for train and distill, --no-test-eval holds for
// the invocation it is given to (a later --resume tests again, or with --test-eval), and result.json never keeps the
// test figures of a best checkpoint that a session without a test replaced.
import { beforeAll, describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { lastJsonLine, runCli as runCliWith, runCliCapturing } from '../helpers/run-cli.js';
import { registerTrainCommand } from '../../src/cli/commands/train.js';
import { registerDistillCommand } from '../../src/cli/commands/distill.js';
import { resumeCommandOf } from '../../src/cli/run-training.js';
import { writeSyntheticDataset } from '../../src/kg/synthetic-graph.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'kgdistill-test-eval-'));
const commands = [registerTrainCommand, registerDistillCommand];
const runCli = (args: string[]): Promise<string> => runCliWith(commands, args);
const resultOf = (dir: string): Record<string, unknown> => JSON.parse(readFileSync(path.join(dir, 'result.json'), 'utf8')) as Record<string, unknown>;
let graph: string;

beforeAll(async () => {
  graph = await writeSyntheticDataset(path.join(tmp, 'graph'), { entities: 120, seed: 3 });
});

describe('--test-eval / --no-test-eval', () => {
  it('train: a resume with --no-test-eval skips its own test; result.json then holds no figures of the replaced best; --resume --test-eval runs the test', async () => {
    const out = path.join(tmp, 'run');
    const common = ['--dataset', graph, '--model', 'DistMult', '--dim', '8', '--batch-size', '64', '--lr', '0.1', '--init-scale', '0.1', '--valid-every', '1'];
    const first = lastJsonLine(await runCli(['train', ...common, '--epochs', '1', '--out', out, '--json']));
    expect(resultOf(out)).toMatchObject({ bestEpoch: 1, mrr: first.mrr });
    const { out: skippedOut, err } = await runCliCapturing(commands, ['train', '--out', out, '--resume', '--epochs', '4', '--no-test-eval', '--json']);
    const skipped = lastJsonLine(skippedOut);
    expect(skipped.bestEpoch).toBeGreaterThan(1); // the premise: the session replaced the best checkpoint
    expect(skipped).not.toHaveProperty('mrr');
    expect(skipped.testSkipped).toEqual({ reason: 'skipped (--no-test-eval)', evalCommand: `kgdistill eval --checkpoint ${out}` });
    expect(err).toContain(`test evaluation skipped (--no-test-eval); it runs with: kgdistill eval --checkpoint ${out}`);
    expect(err).not.toMatch(/changed: .*test-eval/);
    const untested = resultOf(out);
    expect(untested).not.toHaveProperty('mrr'); // not epoch 1's figures
    expect(untested).toMatchObject({ bestEpoch: skipped.bestEpoch, testSkipped: skipped.testSkipped });
    const tested = lastJsonLine(await runCli(['train', '--out', out, '--resume', '--test-eval', '--json']));
    expect(tested.epochs).toBe(4);
    expect(typeof tested.mrr).toBe('number');
    expect(resultOf(out)).toMatchObject({ bestEpoch: skipped.bestEpoch, mrr: tested.mrr });
    // without either flag a resume tests too: --no-test-eval was not kept as the run's setting
    const later = lastJsonLine(await runCli(['train', '--out', out, '--resume', '--epochs', '5', '--json']));
    expect(typeof later.mrr).toBe('number');
    expect(resultOf(out)).toMatchObject({ epochs: 5, mrr: later.mrr });
  });

  it('distill: --test-eval turns the test of a resumed run back on', async () => {
    const teacher = path.join(tmp, 'teacher');
    await runCli(['train', '--dataset', graph, '--dim', '8', '--epochs', '1', '--no-test-eval', '--out', teacher, '--json']);
    const student = path.join(tmp, 'student');
    const skipped = lastJsonLine(await runCli(['distill', '--dataset', graph, '--teachers', teacher, '--student', 'DistMult', '--dim', '8', '--top-k', '20', '--epochs', '1', '--no-test-eval', '--out', student, '--json']));
    expect(skipped).not.toHaveProperty('mrr');
    expect(resultOf(student)).toMatchObject({ bestEpoch: 1, testSkipped: { reason: 'skipped (--no-test-eval)' } });
    const tested = lastJsonLine(await runCli(['distill', '--out', student, '--resume', '--test-eval', '--json']));
    expect(typeof tested.mrr).toBe('number');
    expect(resultOf(student)).toMatchObject({ bestEpoch: 1, mrr: tested.mrr, method: 'MulDE' });
  });

  it('both flags are in the help of train and distill; the resume command of an interrupted --no-test-eval run keeps the flag', () => {
    for (const [name, register] of [['train', registerTrainCommand], ['distill', registerDistillCommand]] as const) {
      const program = new Command('kgdistill');
      register(program);
      const help = program.commands.find((command) => command.name() === name)!.helpInformation();
      expect(help).toMatch(/^ +--no-test-eval +skip the final evaluation on the test split, in this\s+invocation only/m);
      expect(help).toMatch(/^ +--test-eval +run the final evaluation/m);
      expect(help).toMatch(/only --epochs,\s+--patience,\s+--valid-every,\s+--lr-decay,\s+--lr-patience,\s+--test-eval,\s+--backend\s+may\s+change/);
    }
    expect(resumeCommandOf('train', path.join(tmp, 'x'), false)).toBe(`kgdistill train --out ${path.join(tmp, 'x')} --resume --no-test-eval`);
    expect(resumeCommandOf('distill', path.join(tmp, 'x'))).toBe(`kgdistill distill --out ${path.join(tmp, 'x')} --resume`);
  });
});
