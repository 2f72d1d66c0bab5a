// `--eval-candidates 0` means the full ranking in train, distill and eval alike (train and distill refused it), with
// the same help and the same refusal of a bad value; `eval --eval-seed` without sampled candidates says it is not
// used (as train does); `eval --json` has `warnings` (what it noted on stderr), as `train --json` has.
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { helpOf, lastJsonLine, runCliCapturing } from '../helpers/run-cli.js';
import { registerTrainCommand } from '../../src/cli/commands/train.js';
import { registerEvalCommand } from '../../src/cli/commands/eval.js';
import { registerDistillCommand } from '../../src/cli/commands/distill.js';
import { EVAL_CANDIDATES_HELP } from '../../src/cli/run-options.js';
import { distillOptionsSchema, parseOptions } from '../../src/pipeline/options.js';
import { writeSyntheticDataset } from '../../src/kg/synthetic-graph.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'kgdistill-eval-candidates-'));
let graph: string;
const commands = [registerTrainCommand, registerEvalCommand, registerDistillCommand];
const run = (args: string[]) => runCliCapturing(commands, args);
const small = ['--model', 'DistMult', '--dim', '4', '--epochs', '1', '--valid-every', '1', '--batch-size', '200', '--seed', '2'];

beforeAll(async () => {
  graph = await writeSyntheticDataset(path.join(tmp, 'graph'), { entities: 60, seed: 3 });
});

describe('--eval-candidates 0', () => {
  it('train takes it as the full ranking: config.json records no sampling, eval and --resume agree with it', async () => {
    const out = path.join(tmp, 'zero');
    const trained = lastJsonLine((await run(['train', '--dataset', graph, ...small, '--eval-candidates', '0', '--out', out, '--json'])).out);
    const config = JSON.parse(readFileSync(path.join(out, 'config.json'), 'utf8')) as { options: Record<string, unknown> };
    expect(config.options).not.toHaveProperty('evalCandidates'); // 0 is stored as omitting it is: the full ranking
    expect(trained.protocol).toBeUndefined();
    const plain = lastJsonLine((await run(['train', '--dataset', graph, ...small, '--out', path.join(tmp, 'plain'), '--json'])).out);
    expect(trained.mrr).toBe(plain.mrr); // the same run as without the flag
    const evaluated = await run(['eval', '--checkpoint', out, '--json']);
    expect(lastJsonLine(evaluated.out).mrr).toBe(trained.mrr);
    expect(evaluated.err).not.toContain('sampled');
    // --resume with the same 0 is the run's own setting, not a change
    const resumed = await run(['train', '--out', out, '--resume', '--epochs', '2', '--eval-candidates', '0', '--json']);
    expect(resumed.err).toContain(`resuming ${out} after epoch 1; changed: --epochs 2 (was 1)`);
    // its test ranked against every entity, as eval (without --eval-candidates) ranks its best checkpoint now
    const resumedJson = lastJsonLine(resumed.out);
    expect(resumedJson.protocol).toBeUndefined();
    expect(resumedJson.epochs).toBe(2);
    expect(resumedJson.mrr).toBe(lastJsonLine((await run(['eval', '--checkpoint', out, '--json'])).out).mrr);
  }, 120_000);

  it('distill takes it too; a bad value gets the same message in train, distill and eval', async () => {
    expect(parseOptions(distillOptionsSchema, { dataset: graph, teachers: ['t'], evalCandidates: 0 }).evalCandidates).toBeUndefined();
    const refusal = '--eval-candidates must be an integer ≥ 0 (got -1)';
    await expect(run(['train', '--dataset', graph, '--eval-candidates', '-1', '--out', path.join(tmp, 'bad')])).rejects.toThrow(refusal);
    await expect(run(['distill', '--dataset', graph, '--teachers', path.join(tmp, 'zero'), '--eval-candidates', '-1', '--out', path.join(tmp, 'bad')])).rejects.toThrow(refusal);
    await expect(run(['eval', '--checkpoint', path.join(tmp, 'zero'), '--eval-candidates', '-1'])).rejects.toThrow(refusal);
    await expect(run(['eval', '--checkpoint', path.join(tmp, 'zero'), '--eval-candidates', '2.5'])).rejects.toThrow('--eval-candidates must be an integer ≥ 0 (got 2.5)');
  });

  it('has the same help in train, distill and eval', () => {
    const flat = (text: string): string => text.replace(/\s+/g, ' ');
    for (const command of [registerTrainCommand, registerDistillCommand, registerEvalCommand]) {
      const help = flat(helpOf(command, [command === registerTrainCommand ? 'train' : command === registerDistillCommand ? 'distill' : 'eval']));
      expect(help).toContain(`--eval-candidates <n> ${EVAL_CANDIDATES_HELP}`);
    }
  });
});

describe('eval --eval-seed and --json warnings', () => {
  it('eval --eval-seed without sampled candidates says it is not used, on stderr and in --json warnings; none: []', async () => {
    const out = path.join(tmp, 'zero');
    const quiet = await run(['eval', '--checkpoint', out, '--json']);
    expect(lastJsonLine(quiet.out).warnings).toEqual([]);
    const seeded = await run(['eval', '--checkpoint', out, '--eval-seed', '5', '--json']);
    const note = '--eval-seed is not used: without sampled candidates, evaluation ranks against all entities';
    expect(seeded.err).toContain(`note: ${note}\n`);
    expect(lastJsonLine(seeded.out).warnings).toEqual([note]);
    expect(lastJsonLine(seeded.out).mrr).toBe(lastJsonLine(quiet.out).mrr);
    // with sampled candidates the seed is used: no note
    const sampled = await run(['eval', '--checkpoint', out, '--eval-candidates', '10', '--eval-seed', '5', '--json']);
    expect(lastJsonLine(sampled.out).warnings).toEqual([]);
  }, 120_000);
});
