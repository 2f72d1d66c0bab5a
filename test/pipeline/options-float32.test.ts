// Numeric options that feed float32 arithmetic are refused at validation when float32 cannot hold them: a magnitude
// above its largest finite value (3.4028234663852886e38, Infinity in float32: a "divergence" at the first step) or a
// positive value that rounds to 0 (a learning rate of 0 learns nothing). Through the schemas (train, distill, kd,
// a model's, a loss's, a method's and a KG port's `--param`s) and through the command line.
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { distillOptionsSchema, parseOptions, trainOptionsSchema } from '../../src/pipeline/options.js';
import { kdOptionsSchema } from '../../src/pipeline/kd-options.js';
import { MODELS } from '../../src/registry/models.js';
import { parseLossParams } from '../../src/general/losses/registry.js';
import { parseKgPortParams, parseMethodParams } from '../../src/general/method-registry.js';
import { FLOAT32_MAX, float32Problem } from '../../src/core/float32-range.js';
import { parseTrainingConfig } from '../../src/core/training-config.js';
import { runCli } from '../helpers/run-cli.js';
import { registerTrainCommand } from '../../src/cli/commands/train.js';
import { registerKdCommand } from '../../src/cli/commands/kd.js';
import { writeSyntheticDataset } from '../../src/kg/synthetic-graph.js';

const TOO_BIG = 'must be a positive number a 32-bit float holds (at most 3.4e38)';
const ROUNDS_TO_ZERO = 'must be a positive number a 32-bit float holds (at least 1.4e-45; a smaller one rounds to 0)';
const train = (options: Record<string, unknown>): unknown => parseOptions(trainOptionsSchema, { dataset: 'graph', ...options }, 'flag');

describe('float32-bound options: the schemas', () => {
  it("the core's training settings (a library caller of parseTrainingConfig) are bound the same way", () => {
    expect(() => parseTrainingConfig({ learningRate: 1e39 })).toThrow(`invalid training settings: learningRate: ${TOO_BIG}`);
    expect(() => parseTrainingConfig({ learningRate: 1e-50 })).toThrow(`learningRate: ${ROUNDS_TO_ZERO}`);
    expect(() => parseTrainingConfig({ margin: 1e39 })).toThrow('margin: must be a number ≥ 0 a 32-bit float holds (at most 3.4e38)');
    expect(() => parseTrainingConfig({ adversarialTemperature: 1e39 })).toThrow('adversarialTemperature: must be a number ≥ 0 a 32-bit float holds');
    expect(parseTrainingConfig({ learningRate: 3e38, lrDecay: 1 }).learningRate).toBe(3e38);
  });

  it("train's --init-scale, --lr, --reg-weight, --margin, --adv-temperature, --lr-decay name the flag and float32's range", () => {
    expect(() => train({ initScale: 1e39 })).toThrow(`--init-scale ${TOO_BIG} (got 1e+39)`);
    expect(() => train({ lr: 1e39 })).toThrow(`--lr ${TOO_BIG} (got 1e+39)`);
    expect(() => train({ lr: 1e-50 })).toThrow(`--lr ${ROUNDS_TO_ZERO} (got 1e-50)`);
    expect(() => train({ regWeight: 1e39 })).toThrow('--reg-weight must be a number ≥ 0 a 32-bit float holds (at most 3.4e38) (got 1e+39)');
    expect(() => train({ margin: 1e39 })).toThrow('--margin must be a number ≥ 0 a 32-bit float holds (at most 3.4e38) (got 1e+39)');
    expect(() => train({ advTemperature: -1e39 })).toThrow(/^--adv-temperature must be a number ≥ 0 \(got -1e\+39\)$/); // one message, not two
    expect(() => train({ lrDecay: 1e-50 })).toThrow(`--lr-decay ${ROUNDS_TO_ZERO} (got 1e-50)`);
    expect(() => train({ lrDecay: 1e39 })).toThrow(/^--lr-decay must be a number in \(0, 1\] \(1: a constant learning rate\) \(got 1e\+39\)$/);
    // in code the key is named
    expect(() => parseOptions(trainOptionsSchema, { dataset: 'graph', initScale: 1e39 })).toThrow(`initScale ${TOO_BIG} (got 1e+39)`);
  });

  it('the values users give are still taken: float32 limits themselves, integers and seeds beyond float32', () => {
    expect(train({ lr: FLOAT32_MAX, initScale: 1e-45, regWeight: 0, margin: 0 })).toMatchObject({ lr: FLOAT32_MAX, initScale: 1e-45, regWeight: 0, margin: 0 });
    expect(train({ seed: Number.MAX_SAFE_INTEGER, evalSeed: -Number.MAX_SAFE_INTEGER })).toMatchObject({ seed: Number.MAX_SAFE_INTEGER, evalSeed: -Number.MAX_SAFE_INTEGER });
    expect(float32Problem(3.4028235e38, 'positive')).toBe(TOO_BIG); // above the largest float32, although it rounds to it
    expect(float32Problem(FLOAT32_MAX, 'positive')).toBeUndefined();
  });

  it("distill's --temperature, --kd-weight and --senior-lr", () => {
    const distill = (options: Record<string, unknown>): unknown => parseOptions(distillOptionsSchema, { dataset: 'graph', teachers: ['t'], ...options }, 'flag');
    expect(() => distill({ temperature: 1e39 })).toThrow(`--temperature ${TOO_BIG} (got 1e+39)`);
    expect(() => distill({ kdWeight: 1e39 })).toThrow('--kd-weight must be a number ≥ 0 a 32-bit float holds (at most 3.4e38) (got 1e+39)');
    expect(() => distill({ seniorLr: 1e-50 })).toThrow(`--senior-lr ${ROUNDS_TO_ZERO} (got 1e-50)`);
  });

  it("kd's --lr and --init-scale", () => {
    expect(() => parseOptions(kdOptionsSchema, { method: 'dml', lr: 1e39 }, 'flag')).toThrow(`--lr ${TOO_BIG} (got 1e+39)`);
    expect(() => parseOptions(kdOptionsSchema, { method: 'dml', initScale: 1e-50 }, 'flag')).toThrow(`--init-scale ${ROUNDS_TO_ZERO} (got 1e-50)`);
  });

  it("a model's initScale, a loss's temperature and weight, a method's and a KG port's --params", () => {
    expect(() => MODELS.parse('DistMult', { dim: 8, numEntities: 10, numRelations: 2, initScale: 1e39 })).toThrow(
      `invalid parameters for model 'DistMult': initScale: ${TOO_BIG}`);
    expect(() => parseLossParams('kd', { temperature: 1e-50 })).toThrow(`invalid parameters for distillation loss 'kd': temperature: ${ROUNDS_TO_ZERO}`);
    expect(() => parseLossParams('dml', { weight: 1e39 })).toThrow("invalid parameters for distillation loss 'dml': weight: must be a number ≥ 0 a 32-bit float holds (at most 3.4e38)");
    expect(() => parseMethodParams('fedntd', { lr: 1e39 })).toThrow(`invalid parameters for distillation method 'fedntd': lr: ${TOO_BIG}`);
    expect(() => parseKgPortParams('dml', { temperature: 1e39 })).toThrow(`invalid parameters for the KG port of 'dml': temperature: ${TOO_BIG}`);
    expect(parseKgPortParams('cbd', { temperature: 0.5 })).toMatchObject({ temperature: 0.5 });
  });
});

describe('float32-bound options: the command line', () => {
  it('train --init-scale 1e39, --lr 1e-50 and kd --init-scale 1e39, --param temperature=1e39 stop before anything trains', async () => {
    const graph = await writeSyntheticDataset(path.join(mkdtempSync(path.join(tmpdir(), 'kgdistill-float32-')), 'graph'), { entities: 60, seed: 1 });
    const small = ['--dataset', graph, '--dim', '8', '--epochs', '1', '--backend', 'wasm'];
    await expect(runCli([registerTrainCommand], ['train', ...small, '--init-scale', '1e39'])).rejects.toThrow(`--init-scale ${TOO_BIG} (got 1e+39)`);
    await expect(runCli([registerTrainCommand], ['train', ...small, '--lr', '1e-50'])).rejects.toThrow(`--lr ${ROUNDS_TO_ZERO} (got 1e-50)`);
    await expect(runCli([registerTrainCommand], ['train', ...small, '--loss', 'margin', '--margin', '1e39'])).rejects.toThrow(
      '--margin must be a number ≥ 0 a 32-bit float holds (at most 3.4e38) (got 1e+39)');
    await expect(runCli([registerKdCommand], ['kd', 'dml', ...small, '--init-scale', '1e39'])).rejects.toThrow(`--init-scale ${TOO_BIG} (got 1e+39)`);
    await expect(runCli([registerKdCommand], ['kd', 'dml', ...small, '--param', 'temperature=1e39'])).rejects.toThrow(
      `invalid parameters for the KG port of 'dml': temperature: ${TOO_BIG}`);
  }, 60_000);
});
