// The divergence guard of the image methods (training/divergence.ts): every training step goes through it, a NaN
// loss or NaN parameters stop the run with a message naming the method, seed, run, epoch (or round) and step, the
// loss and the option that sets the learning rate; a normal run is bit-for-bit what it was without the guard.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { loadDigits, type ImageSet } from '../../../src/general/images/data/digits.js';
import { stratifiedSplit } from '../../../src/general/images/data/split.js';
import { createNet } from '../../../src/general/images/nets/factory.js';
import { accuracy, forEachBatch, imageTensor, minimizeStep, trainWithCrossEntropy } from '../../../src/general/images/training/supervised.js';
import { TrainingDivergedError, guardedStep } from '../../../src/general/images/training/divergence.js';
import { MomentumSgd } from '../../../src/general/images/federated/sgd.js';
import { crossEntropy } from '../../../src/general/losses/classification.js';
import { METHODS, compareOnDigits, parseMethodParams } from '../../../src/general/method-registry.js';
import { driftingStream, streamSchema } from '../../../src/general/images/stream/drifting-stream.js';
import { runOnlineDistillation } from '../../../src/general/images/stream/online-distill.js';
import { StrideController } from '../../../src/general/images/stream/stride-controller.js';
import { runCli as runCliWith } from '../../helpers/run-cli.js';
import { registerKdCommand } from '../../../src/cli/commands/kd.js';
import { toyDigits } from './toy-digits.js';

let train: ImageSet;
let test: ImageSet;

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
  ({ train, test } = stratifiedSplit(await loadDigits(), 0.25, 0));
});

/** Parameters that keep the slower methods brief on the toy task (as methods.test.ts). */
const BRIEF: Record<string, Record<string, unknown>> = {
  fedntd: { clients: 4, alpha: 1, size: 'student' },
  cbd: { ratio: 5, size: 'student', augment: false },
  stream: { frames: 120, sceneLength: 40, pretrainEpochs: 2 },
  simclrv2: { finetuneEpochs: 2, distillEpochs: 2, labelFraction: 0.2 },
  fedx: { clients: 4 },
};

describe('the guard', () => {
  it('passes a finite step through (its loss returned, nothing leaked) and stops a NaN loss or NaN parameters', () => {
    const w = tf.variable(tf.tensor1d([1, 2]));
    const place = { phase: 'the student (cross-entropy)', epoch: 3, step: 7 };
    const before = tf.memory().numTensors;
    expect(guardedStep([w], place, () => tf.scalar(0.5))).toBe(0.5);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => guardedStep([w], place, () => tf.scalar(Number.NaN)))
      .toThrow('training diverged at epoch 3, step 7 of the student (cross-entropy): the loss is NaN. Nothing is reported; run again with a lower --lr.');
    // A finite loss (computed before the update) whose update leaves NaN weights: the last step of a run has no next loss.
    expect(() => guardedStep([w], { ...place, rateParam: 'lr' }, () => {
      w.assign(tf.tensor1d([Number.NaN, 0]));
      return tf.scalar(0.25);
    })).toThrow(/epoch 3, step 7 of the student \(cross-entropy\): the loss was 0\.25 but the update left non-finite parameters \(their sum is NaN\)\. Nothing is reported; run again with a lower --param lr\./);
    expect(tf.memory().numTensors).toBe(before);
    w.dispose();
  });

  it('Adam and momentum SGD at a rate beyond float32 stop at their first step (Infinity weights after a finite loss)', () => {
    const net = createNet('mlp', 'student', 0);
    const x = imageTensor(train.x.subarray(0, 8 * 64), 8);
    const y = train.y.subarray(0, 8);
    const adam = tf.train.adam(1e39);
    expect(() => tf.tidy(() => minimizeStep(adam, net.variables, () => crossEntropy(net.apply(x).logits, y), { phase: 'the student', epoch: 1, step: 1 })))
      .toThrow(/epoch 1, step 1 of the student: the loss was [\d.]+ but the update left non-finite parameters/);
    adam.dispose();
    const fresh = createNet('mlp', 'student', 0);
    const sgd = new MomentumSgd(fresh.variables, 1e39, 0.9);
    expect(() => tf.tidy(() => sgd.step(() => crossEntropy(fresh.apply(x).logits, y), { phase: 'client 1/4 in round 1', unit: 'local epoch', epoch: 1, step: 1, rateParam: 'lr' })))
      .toThrow(/local epoch 1, step 1 of client 1\/4 in round 1: the loss was [\d.]+ but the update left non-finite parameters .*--param lr\./);
    sgd.dispose();
    x.dispose();
    net.dispose();
    fresh.dispose();
  });

  it('a network whose only update diverged is not scored: its non-finite logits stop the evaluation', () => {
    // One step (the batch holds the whole set): a finite loss and finite (≈1e30) weights, so no step sees a NaN,
    // but the logits overflow. Without the evaluation guard the NaN logits' argmax (class 0) scored as chance accuracy.
    const net = createNet('mlp', 'teacher', 'teacher:0');
    trainWithCrossEntropy(net, train, { epochs: 1, batchSize: 5000, learningRate: 1e30 }, 0, 'the teacher');
    expect(() => accuracy(net, test)).toThrow(/training diverged at the evaluation of mlp-teacher: its outputs hold -?(NaN|Infinity) .* its last update diverged/);
    net.dispose();
  });

  it('a normal run is unchanged: minimizeStep trains bit for bit as a bare optimizer.minimize', () => {
    const guarded = createNet('mlp', 'student', 4);
    const bare = createNet('mlp', 'student', 4);
    const [a, b] = [tf.train.adam(0.003), tf.train.adam(0.003)];
    const budget = { epochs: 1, batchSize: 64, learningRate: 0.003 };
    const losses: number[][] = [[], []];
    forEachBatch(train, budget, 0, (batch, epoch, step) => tf.tidy(() => {
      const x = imageTensor(batch.x, batch.n);
      losses[0]!.push(minimizeStep(a, guarded.variables, () => crossEntropy(guarded.apply(x).logits, batch.y), { phase: 'guarded', epoch, step }));
      const cost = b.minimize(() => crossEntropy(bare.apply(x).logits, batch.y), true, bare.variables as tf.Variable[])!;
      losses[1]!.push(cost.dataSync()[0]!);
    }));
    expect(losses[0]).toEqual(losses[1]);
    guarded.variables.forEach((v, i) => expect(v.dataSync()).toEqual(bare.variables[i]!.dataSync()));
    expect(accuracy(guarded, test)).toBeGreaterThan(0.2); // it learns (chance 0.1)
    for (const item of [a, b, guarded, bare]) item.dispose();
  });
});

describe('every image method goes through it', () => {
  it('each method and baseline at an absurd learning rate (--lr, or --param lr for the federated ones) stops with the guard, leaking nothing', () => {
    const toyTrain = toyDigits(12, 1);
    const toyTest = toyDigits(4, 2);
    for (const { images: method } of METHODS.entries()) {
      const federated = method.optimizerOf !== undefined;
      const params = parseMethodParams(method.name, { ...BRIEF[method.name], ...(federated ? { lr: 1e30 } : {}) });
      const ctx = { train: toyTrain, test: toyTest, seed: 0, budget: { epochs: 2, batchSize: 16, learningRate: federated ? 0.01 : 1e30 }, arch: method.defaultArch, params, log: () => undefined };
      const before = tf.memory().numTensors;
      for (const run of [() => method.runBaseline(ctx), () => method.runMethod(ctx)]) {
        let error: unknown;
        try {
          run();
        } catch (e) {
          error = e;
        }
        expect(error, method.name).toBeInstanceOf(TrainingDivergedError);
        expect((error as Error).message, method.name).toMatch(federated ? /--param lr\.$/ : /--lr\.$/);
      }
      expect(tf.memory().numTensors, method.name).toBe(before);
    }
  }, 60_000);

  it('the stream\'s online updates are guarded and name --param onlineLr', () => {
    const frames = driftingStream(toyDigits(6, 1), streamSchema.parse({ frames: 20, frameSize: 8, maxDegrees: 0, jitterDegrees: 0, maxShift: 0, maxNoise: 0 }), 0).frames;
    const teacher = createNet('mlp', 'teacher', 't', 10);
    const student = createNet('mlp', 'student', 's', 10);
    expect(() => runOnlineDistillation(student, teacher, frames, StrideController.fixed(1, 1, 4), 1e30))
      .toThrow(/training diverged at (frame 1, step \d of the online student: the loss is|the evaluation of the online student: its outputs hold) .*--param onlineLr\./);
    teacher.dispose();
    student.dispose();
  });
});

describe('kd on the digits', () => {
  it('stops at --lr 1e30 with the method, seed, run, epoch, step, loss and --lr named (it reported chance accuracy with exit 0)', async () => {
    await expect(compareOnDigits('kd', { seeds: [0], epochs: 1, learningRate: 1e30 })).rejects.toThrow(
      "kd kd, seed 0, baseline run: training diverged at epoch 1, step 2 of the student (cross-entropy): the loss is NaN. Nothing is reported; run again with a lower --lr (it was 1e+30).");
    await expect(compareOnDigits('dml', { seeds: [3], epochs: 1, learningRate: 1e30 })).rejects.toThrow(/^kd dml, seed 3, baseline run: training diverged at epoch 1, step \d+ of the student \(cross-entropy\): the loss is NaN\. .*--lr \(it was 1e\+30\)\.$/);
  }, 30_000);

  it('names --param lr (not --lr) for the federated methods, and the round, client and step', async () => {
    await expect(compareOnDigits('fedntd', { seeds: [1], epochs: 1, params: { lr: 1e30, clients: 4, size: 'student' } })).rejects.toThrow(
      /^kd fedntd, seed 1, baseline run: training diverged at local epoch 1, step \d+ of client \d\/4 in round 1: the loss is NaN\. Nothing is reported; run again with a lower --param lr \(it was 1e\+30\)\.$/);
  }, 30_000);

  it('the CLI rejects the run (exit 1 in kgdistill) and a normal run still reports', async () => {
    const runCli = (args: string[]): Promise<string> => runCliWith([registerKdCommand], args);
    await expect(runCli(['kd', 'kd', '--seeds', '1', '--epochs', '1', '--lr', '1e30', '--backend', 'wasm'])).rejects.toThrow(/^kd kd, seed 0, baseline run: training diverged at epoch 1, step 2 .*--lr \(it was 1e\+30\)\.$/);
    const report = await compareOnDigits('kd', { seeds: [0], epochs: 1 });
    expect(report.summary.baseline.mean).toBeGreaterThan(0.2); // chance 0.1
    expect(report.summary.method.mean).toBeGreaterThan(0.2);
  }, 30_000);
});
