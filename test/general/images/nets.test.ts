// The small networks: tap shapes, seeded initialisation, the im2col convolution and pooling against tfjs's own
// ops, gradients for every variable on wasm, and no leaked tensors over training steps and predictions.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { createNet, describeNet } from '../../../src/general/images/nets/factory.js';
import { convForward, maxPool2, ParamFactory } from '../../../src/general/images/nets/params.js';
import { Head } from '../../../src/general/images/nets/head.js';
import { FusionModule, SelfDistillationModule, upsample2 } from '../../../src/general/images/nets/ffsd-modules.js';
import { crossEntropy } from '../../../src/general/losses/classification.js';
import { accuracy, minimizeStep, predictLogits } from '../../../src/general/images/training/supervised.js';

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
});

const images = (n: number, seed = 1): tf.Tensor2D => tf.tidy(() => tf.randomUniform([n, 64], 0, 1, 'float32', seed) as tf.Tensor2D);

describe('networks', () => {
  it('MLP and CNN give logits and named taps of the declared shapes', () => {
    for (const arch of ['mlp', 'cnn'] as const) {
      for (const size of ['student', 'teacher'] as const) {
        const net = createNet(arch, size, 0);
        tf.tidy(() => {
          const out = net.apply(images(3));
          expect(out.logits.shape).toEqual([3, 10]);
          for (const [name, shape] of Object.entries(net.tapShapes)) expect(out.taps[name]!.shape).toEqual([3, ...shape]);
          expect(net.stages.every((s) => s in out.taps)).toBe(true);
        });
        net.dispose();
      }
    }
    const cnn = createNet('cnn', 'student', 0);
    expect(cnn.stages).toEqual(['stage1', 'stage2']);
    expect(cnn.tapShapes).toEqual({ stage1: [8, 8, 4], stage2: [4, 4, 8], feature: [16] });
    expect(describeNet(cnn)).toMatch(/^cnn-student \(\d[\d,]* parameters\)$/);
    cnn.dispose();
  });

  it('initialisation is seeded: same seed, same weights; another seed, other weights', () => {
    const a = createNet('mlp', 'student', 'x');
    const b = createNet('mlp', 'student', 'x');
    const c = createNet('mlp', 'student', 'y');
    expect(Array.from(a.variables[0]!.dataSync())).toEqual(Array.from(b.variables[0]!.dataSync()));
    expect(Array.from(a.variables[0]!.dataSync())).not.toEqual(Array.from(c.variables[0]!.dataSync()));
    [a, b, c].forEach((n) => n.dispose());
  });

  it('the im2col convolution equals tf.conv2d (same padding), and maxPool2 equals tf.maxPool', () => {
    const params = new ParamFactory(3);
    const conv = params.conv(3, 2, 5);
    tf.tidy(() => {
      const x = tf.randomNormal([2, 8, 8, 2], 0, 1, 'float32', 7) as tf.Tensor4D;
      const ours = convForward(x, conv);
      const reference = tf.add(tf.conv2d(x, conv.w as tf.Tensor4D, 1, 'same'), conv.b);
      expect(tf.max(tf.abs(tf.sub(ours, reference))).dataSync()[0]).toBeLessThan(1e-5);
      const pooled = maxPool2(x);
      expect(tf.max(tf.abs(tf.sub(pooled, tf.maxPool(x, 2, 2, 'valid')))).dataSync()[0]).toBe(0);
      expect(maxPool2(x, 4).shape).toEqual([2, 2, 2, 2]);
      const up = upsample2(tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]));
      expect(Array.from(up.dataSync())).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
    });
    params.variables.forEach((v) => v.dispose());
  });

  it('every variable of a CNN, its heads and the FFSD modules gets a gradient on wasm', () => {
    const net = createNet('cnn', 'student', 1);
    const head = new Head([8, 8, 4], { hidden: [6], out: 10 }, 2);
    const fusion = new FusionModule([4, 4, 8], 2, 10, 16, 'f');
    const sd = new SelfDistillationModule([4, 4, 8], [8, 8, 4], 's');
    const variables = [...net.variables, ...head.variables, ...fusion.variables, ...sd.variables];
    tf.tidy(() => {
      const x = images(4);
      const labels = Int32Array.of(0, 1, 2, 3);
      const { grads } = tf.variableGrads(() => {
        const out = net.apply(x);
        const map = out.taps.stage2 as tf.Tensor4D;
        return tf.addN([
          crossEntropy(out.logits, labels),
          crossEntropy(head.apply(out.taps.stage1!), labels),
          crossEntropy(fusion.apply([map, map]).logits, labels),
          tf.mean(sd.apply(map)),
        ]) as tf.Scalar;
      }, variables);
      for (const v of variables) {
        expect(grads[v.name]).toBeDefined();
        expect(grads[v.name]!.shape).toEqual(v.shape);
        expect(tf.max(tf.abs(grads[v.name]!)).dataSync()[0], `gradient of ${v.name}`).toBeGreaterThan(0); // each is wired in
      }
    });
    [net, head, fusion, sd].forEach((m) => m.dispose());
  });

  it('training steps, predictions and disposal leave no tensors behind', () => {
    const before = tf.memory().numTensors;
    for (const arch of ['mlp', 'cnn'] as const) {
      const net = createNet(arch, 'student', 5);
      const optimizer = tf.train.adam(0.01);
      const x = images(16);
      const labels = Int32Array.from({ length: 16 }, (_, i) => i % 10);
      const losses: number[] = [];
      for (let step = 0; step < 30; step++) {
        const steady = tf.memory().numTensors;
        losses.push(tf.tidy(() => minimizeStep(optimizer, net.variables, () => crossEntropy(net.apply(x).logits, labels), { phase: arch, step: step + 1 })));
        if (step > 0) expect(tf.memory().numTensors).toBe(steady); // Adam's slots exist after the first step
      }
      expect(losses.at(-1)!).toBeLessThan(losses[0]!); // it learns the 16 images
      const set = { x: x.dataSync() as Float32Array, y: labels, n: 16, classes: 10 };
      predictLogits(net, set, 5);
      expect(accuracy(net, set)).toBeGreaterThan(0.3);
      x.dispose();
      optimizer.dispose();
      net.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
