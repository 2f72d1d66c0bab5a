// Hard-target softmax cross-entropy has one home, the core's `softmaxCrossEntropy`: the general module's
// `crossEntropy` (and so `ce`, NT-Xent, DoGo's base loss) is that function. Checked against a hand-computed 2 × 3
// case, and against the one-hot soft cross-entropy it replaced (−mean Σ onehot·logSoftmax) in value and gradient.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { softmaxCrossEntropy } from '../../../src/core/losses.js';
import { crossEntropy, softCrossEntropy } from '../../../src/general/losses/classification.js';
import { createLoss } from '../../../src/general/losses/registry.js';
import { peerBaseLoss, peerCandidates } from '../../../src/general/kg/mutual/peer-objective.js';
import { SeededRandom } from '../../../src/core/random.js';

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
});

const LOGITS = [[1, 2, 3], [1, 0, -1]];
const LABELS = Int32Array.of(2, 1);
// Row 1: −log softmax(1, 2, 3)[2] = log(1 + e⁻¹ + e⁻²); row 2: −log softmax(1, 0, −1)[1] = 1 + log(1 + e⁻¹ + e⁻²).
const HAND = Math.log(1 + Math.exp(-1) + Math.exp(-2)) + 0.5; // 0.907605964…

type Loss = (z: tf.Tensor2D) => tf.Scalar;
const valueAndGrad = (loss: Loss, z: tf.Tensor2D): { value: number; grad: Float32Array } => tf.tidy(() => {
  const r = tf.valueAndGrad((x: tf.Tensor) => loss(x as tf.Tensor2D))(z);
  return { value: r.value.dataSync()[0]!, grad: r.grad.dataSync() as Float32Array };
});
/** The former general `crossEntropy`: soft cross-entropy against one-hot targets. */
const formerHardCe = (z: tf.Tensor2D, labels: Int32Array): tf.Scalar =>
  tf.tidy(() => softCrossEntropy(z, tf.oneHot(tf.tensor1d(labels, 'int32'), z.shape[1]) as tf.Tensor2D));

function expectClose(a: { value: number; grad: Float32Array }, b: { value: number; grad: Float32Array }, tol: number): void {
  expect(Math.abs(a.value - b.value)).toBeLessThan(tol);
  expect(a.grad.length).toBe(b.grad.length);
  a.grad.forEach((g, i) => expect(Math.abs(g - b.grad[i]!)).toBeLessThan(tol));
}

describe('hard-label cross-entropy: one home', () => {
  it('the general crossEntropy is the core softmaxCrossEntropy, with the hand-computed value on 2 × 3', () => {
    const z = tf.tensor2d(LOGITS);
    const general = valueAndGrad((x) => crossEntropy(x, LABELS), z);
    const core = valueAndGrad((x) => softmaxCrossEntropy(x, LABELS), z);
    expect(general.value).toBe(core.value);
    expect(Array.from(general.grad)).toEqual(Array.from(core.grad));
    expect(HAND).toBeCloseTo(0.9076059644, 9);
    expect(Math.abs(general.value - HAND)).toBeLessThan(1e-6);
    // the registry's `ce` goes through it too, with labels as a tensor
    const ce = createLoss('ce');
    expect(tf.tidy(() => ce({ logits: z, labels: tf.tensor1d(LABELS, 'int32') }).dataSync()[0])).toBe(general.value);
    z.dispose();
  });

  it('equals the one-hot soft cross-entropy it replaced, in value and autodiff gradient (to 1e-6)', () => {
    const cases: [tf.Tensor2D, Int32Array][] = [
      [tf.tensor2d(LOGITS), LABELS],
      [tf.randomNormal([8, 10], 0, 3, 'float32', 5) as tf.Tensor2D, Int32Array.of(0, 9, 4, 4, 2, 7, 1, 3)],
      [tf.mul(20, tf.randomNormal([4, 6], 0, 1, 'float32', 6)) as tf.Tensor2D, Int32Array.of(5, 0, 2, 2)],
    ];
    for (const [z, labels] of cases) {
      const now = valueAndGrad((x) => crossEntropy(x, labels), z);
      // float32 carries ~7 digits: the tolerance grows with the loss (the third case's is ~20)
      expectClose(now, valueAndGrad((x) => formerHardCe(x, labels), z), 1e-6 * Math.max(1, now.value));
      z.dispose();
    }
  });

  it("DoGo's base loss takes gold = 0 … B − 1 and equals the former soft cross-entropy against the identity", () => {
    const batch = { entities: Int32Array.of(0, 1, 2, 3, 4), relations: Int32Array.of(0, 0, 1, 1, 2), answers: Int32Array.of(9, 8, 7, 6, 5) };
    const { candidates, gold } = peerCandidates(batch, 'dogo', 0, 10, new SeededRandom(1));
    expect(candidates.perQuery).toBe(5);
    expect(Array.from(gold)).toEqual([0, 1, 2, 3, 4]);
    const scores = tf.mul(4, tf.randomNormal([5, 5], 0, 1, 'float32', 7)) as tf.Tensor2D;
    const now = valueAndGrad((x) => peerBaseLoss('dogo', x, gold), scores);
    const former = valueAndGrad((x) => tf.tidy(() => softCrossEntropy(x, tf.eye(5) as tf.Tensor2D)), scores);
    // measured: the values agree to the last bit here, the gradients to a few float32 ulps
    expectClose(now, former, 1e-6);
    expect(now.value).toBe(valueAndGrad((x) => softmaxCrossEntropy(x, gold), scores).value);
    scores.dispose();
  });
});
