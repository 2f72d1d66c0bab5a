/**
 * Robustness: 10,000 steps of plain gradient descent with learning rates 10 and 100 on objectives that chain
 * every function (exp/log maps, Givens rotation and reflection, Möbius addition, row-wise and all-pairs
 * distances, projection, learned curvature through softplus). Phases alternately pull points together, push
 * them apart (to the boundary), shrink them to the origin and inflate them; rows are periodically reset to
 * exact zeros and huge values. Every 100 steps, parameters, loss and gradients must be finite.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as H from '../../src/hyperbolic/index.js';
import * as O from './ball-oracles.js';
import { rng } from './helpers.js';

beforeAll(async () => {
  if (!(await tf.setBackend('cpu'))) throw new Error('cpu backend unavailable');
});

const B = 6;
const DIM = 4;
const N = 5;
const STEPS = 10_000;
const PHASE = 250;

type Params = [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor]; // U, V, R, T, c0, P

/**
 * Mode 0: pull queries to tails; 1: push them apart (to the boundary); 2: shrink everything toward 0;
 * 3: inflate it toward the boundary. Per step, random bits pick the Givens reflection or rotation, the
 * all-pairs or row-wise distance, and whether the Möbius translation is applied, so a step runs each function
 * at most once (tfjs's per-op overhead, not arithmetic, is what a step costs here). Inputs a variant does not
 * use get a zero-weight path, since tf.grads needs one for every input.
 */
function objective(mode: number, reflect: boolean, allPairs: boolean, translate: boolean, ps: Params): tf.Scalar {
  const [U, V, R, T, c0, P] = ps;
  const c = tf.softplus(c0);
  const [head, tail, rel] = tf.split(H.expmap0(tf.concat([U, V, T]), tf.concat([c, c, c])), 3);
  const moved = reflect ? H.givensReflection(R, head!) : H.givensRotation(R, head!);
  const q = translate ? H.mobiusAdd(moved, rel!, c) : moved;
  // P is projected after each update with the curvature of that moment; the step's new c may leave it slightly
  // outside the ball, which the functions must also survive.
  let loss: tf.Tensor;
  if (mode < 2) {
    loss = allPairs
      ? tf.mean(O.sqPoincareDistanceAll(q, tf.concat([P, tail!]), c))
      : tf.add(tf.mean(O.poincareDistance(q, tail!, c)), tf.mul(0, tf.sum(P)));
  } else {
    const cP = tf.slice(c, [0, 0], [1, 1]);
    loss = tf.mean(tf.square(O.logmap0(tf.concat([q, tail!, P]), tf.concat([c, c, tf.tile(cP, [N, 1])]))));
  }
  if (!translate) loss = tf.add(loss, tf.mul(0, tf.sum(rel!)));
  return tf.mul(mode === 0 || mode === 2 ? 1 : -1, loss) as tf.Scalar;
}

function allFinite(ts: tf.Tensor[]): boolean {
  return ts.every((t) => t.dataSync().every((v) => Number.isFinite(v)));
}

describe('robustness under large-step gradient descent', () => {
  it('10,000 steps at lr 10 and 100 produce no NaN or Inf', () => {
    const rand = rng(99);
    const randomRows = (rows: number, scale: number): tf.Tensor =>
      tf.tensor2d(Array.from({ length: rows }, (_, i) =>
        Array.from({ length: DIM }, () => (i === 0 ? 0 : (rand() - 0.5) * scale * 10 ** (2 * (i % 3) - 2)))));
    let params: Params = [
      randomRows(B, 1), randomRows(B, 1), randomRows(B, 1), randomRows(B, 0.1),
      tf.tensor2d(Array.from({ length: B }, () => [rand() * 2 - 1])),
      randomRows(N, 0.5),
    ];
    const fns = Array.from({ length: 32 }, (_, k) =>
      tf.valueAndGrads((...ps: tf.Tensor[]) => objective(k & 3, (k & 4) !== 0, (k & 8) !== 0, (k & 16) !== 0, ps as Params)),
    );
    const before = tf.memory().numTensors;
    let checks = 0;
    const curvatures: number[] = [];
    const radii: number[] = [];
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    for (let step = 0; step < STEPS; step++) {
      const mode = Math.floor(step / PHASE) % 4;
      const lr = rand() < 0.5 ? 10 : 100;
      const check = step % 100 === 99;
      const next = tf.tidy(() => {
        const variant = mode + (rand() < 0.5 ? 4 : 0) + (rand() < 0.5 ? 8 : 0) + (rand() < 0.5 ? 16 : 0);
        const { value, grads } = fns[variant]!(params);
        if (check) {
          expect(allFinite([value, ...grads]), `step ${step} loss/grads`).toBe(true);
        }
        const updated = params.map((p, k) => tf.sub(p, tf.mul(grads[k]!, lr))) as Params;
        updated[5] = H.project(updated[5], tf.softplus(tf.slice(updated[4], [0, 0], [1, 1])));
        return updated;
      });
      tf.dispose(params);
      params = next;
      if (step % 1000 === 500) {
        // Re-seed the tangent rows: exact zeros, tiny and huge values.
        tf.dispose([params[0], params[1]]);
        params[0] = randomRows(B, 10 ** Math.floor(rand() * 12 - 6));
        params[1] = randomRows(B, 10 ** Math.floor(rand() * 12 - 6));
      }
      if (check) {
        expect(allFinite(params), `step ${step} params`).toBe(true);
        curvatures.push(...tf.tidy(() => tf.softplus(params[4]).dataSync()));
        // Where the points are: √c‖x‖ of heads and of P, as fractions of the ball radius.
        radii.push(...tf.tidy(() => {
          const c = H.clampCurvature(tf.softplus(params[4]));
          const heads = H.expmap0(params[0], c);
          const cP = tf.slice(c, [0, 0], [1, 1]);
          return tf.concat([tf.sqrt(tf.mul(c, tf.sum(tf.square(heads), 1, true))), tf.sqrt(tf.mul(cP, tf.sum(tf.square(params[5]), 1, true)))]).dataSync();
        }));
        checks++;
      }
    }
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    expect(checks).toBe(STEPS / 100);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(params);
    // The curvature itself wandered (learned through softplus) and stayed a finite non-negative number.
    expect(curvatures.every((v) => v >= 0 && Number.isFinite(v))).toBe(true);
    // The walk did reach both extremes: points on the guard shell and points at (or next to) the origin.
    expect(Math.max(...radii)).toBeGreaterThan(1 - 2 * H.BALL_EPS);
    expect(Math.min(...radii)).toBeLessThan(1e-3);
    const nearBoundary = radii.filter((r) => r > 0.999).length / radii.length;
    const nearZero = radii.filter((r) => r < 1e-3).length / radii.length;
    console.log(`robustness: radii > 0.999: ${(100 * nearBoundary).toFixed(0)}%, < 1e-3: ${(100 * nearZero).toFixed(0)}%`);
    console.log(`robustness: ${STEPS} steps in ${(ms / 1000).toFixed(1)} s (cpu ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s); c range [${Math.min(...curvatures).toExponential(1)}, ${Math.max(...curvatures).toExponential(1)}]`);
  }, 180_000); // ~20 s alone (cpu ≈ wall); a busy 2-core machine has taken 65 s
});
