import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { loadKernels, type Kernels } from '../../src/kernels/kernels.js';
import { ParameterStore } from '../../src/core/parameter-store.js';
import { FusedCandidateScorer, TfjsCandidateScorer, type CandidateScorer } from '../../src/core/candidate-scoring.js';
import { SeededRandom } from '../../src/core/random.js';
import type { SimilarityName, TableSpec } from '../../src/core/model.js';

let kernels: Kernels;

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
  kernels = await loadKernels();
});

const SPECS: TableSpec[] = [
  { name: 'entity', indexedBy: 'entity', dim: 8, init: { kind: 'normal', std: 0.3 }, regularize: true },
  { name: 'bias', indexedBy: 'entity', dim: 1, init: { kind: 'normal', std: 0.5 }, regularize: false },
];

/** Scores and gradients of one scorer for fixed queries; candidate gradients read from the accumulators. */
function run(kind: SimilarityName, make: (store: ParameterStore) => CandidateScorer) {
  const store = new ParameterStore(SPECS, 20, 2, kernels.memory);
  store.initialise(new SeededRandom(3));
  const scorer = make(store);
  const rng = new SeededRandom(4);
  const Q = 5;
  const M = 4;
  const ids = new Int32Array(Q * M);
  rng.fillInts(ids, 20);
  ids[1] = ids[0]!; // a repeated candidate must accumulate
  const qValues = Float32Array.from({ length: Q * 8 }, () => 0.15 * rng.normal()); // inside the ball: ‖q‖√c < 1
  const cValues = Float32Array.from({ length: Q }, () => 0.5 + rng.next());
  const weights = Float32Array.from({ length: Q * M }, () => rng.normal());
  const candidates = { ids, perQuery: M };
  const result = tf.tidy(() => {
    const q = tf.tensor2d(qValues, [Q, 8]);
    const c = tf.tensor2d(cValues, [Q, 1]);
    const offset = tf.tensor2d(Float32Array.from({ length: Q }, (_, i) => i / 10), [Q, 1]);
    const extra = scorer.inputs(candidates, Q);
    const w = tf.tensor2d(weights, [Q, M]);
    let scores: Float32Array = new Float32Array();
    const f = (...xs: tf.Tensor[]): tf.Scalar => {
      const s = scorer.score({ q: xs[0] as tf.Tensor2D, c: xs[1] as tf.Tensor2D, offset: xs[2] as tf.Tensor2D }, candidates, xs.slice(3));
      scores = s.dataSync() as Float32Array;
      return tf.sum(tf.mul(s, w)) as tf.Scalar;
    };
    // tfjs refuses the gradient of an input the output does not depend on, so c is differentiated only where used.
    const withC = kind === 'negSqPoincare';
    const { grads } = withC
      ? tf.valueAndGrads(f)([q, c, offset, ...extra])
      : tf.valueAndGrads((...xs: tf.Tensor[]) => f(xs[0]!, c, ...xs.slice(1)))([q, offset, ...extra]);
    if (!withC) grads.splice(1, 0, tf.zerosLike(c));
    scorer.applyGradients(candidates, grads.slice(3));
    return { scores: Array.from(scores), dq: Array.from(grads[0]!.dataSync()), dc: Array.from(grads[1]!.dataSync()), doff: Array.from(grads[2]!.dataSync()) };
  });
  return { ...result, gEntity: Array.from(store.table('entity').grad.array), gBias: Array.from(store.table('bias').grad.array) };
}

describe.each<SimilarityName>(['dot', 'negSqEuclidean', 'negEuclidean', 'negSqPoincare'])('fused candidate scoring (%s)', (kind) => {
  it('matches the tfjs reference in scores and every gradient', () => {
    const fused = run(kind, (store) => new FusedCandidateScorer(kernels, kind, store.table('entity'), store.table('bias')));
    const reference = run(kind, (store) => new TfjsCandidateScorer(kind, store.table('entity'), store.table('bias')));
    const close = (a: number[], b: number[]) => a.forEach((x, i) => expect(Math.abs(x - b[i]!)).toBeLessThan(1e-4 * (1 + Math.abs(b[i]!))));
    close(fused.scores, reference.scores);
    close(fused.dq, reference.dq);
    close(fused.doff, reference.doff);
    close(fused.gEntity, reference.gEntity);
    close(fused.gBias, reference.gBias);
    if (kind === 'negSqPoincare') close(fused.dc, reference.dc);
    expect(fused.gEntity.some((g) => g !== 0)).toBe(true);
  });
});

describe('fused candidate scoring, several calls in one step', () => {
  it('gives each call its own gradients even when the calls share scratch sizes', () => {
    const store = new ParameterStore(SPECS, 20, 2, kernels.memory);
    store.initialise(new SeededRandom(3));
    const scorer = new FusedCandidateScorer(kernels, 'dot', store.table('entity'));
    const candidates = [{ ids: Int32Array.of(1, 2), perQuery: 2 }, { ids: Int32Array.of(3, 4), perQuery: 2 }];
    const [dq1, dq2] = tf.tidy(() => {
      const q1 = tf.tensor2d([[1, 0, 0, 0, 0, 0, 0, 0]]);
      const q2 = tf.tensor2d([[0, 2, 0, 0, 0, 0, 0, 0]]);
      // L = s₁[0] + 3·s₂[1] (dot similarity): dL/dq₁ = e₁, dL/dq₂ = 3·e₄.
      const { grads } = tf.valueAndGrads((a: tf.Tensor, b: tf.Tensor) => {
        const s1 = scorer.score({ q: a as tf.Tensor2D }, candidates[0]!);
        const s2 = scorer.score({ q: b as tf.Tensor2D }, candidates[1]!);
        return tf.add(tf.sum(tf.mul(s1, tf.tensor2d([[1, 0]]))), tf.sum(tf.mul(s2, tf.tensor2d([[0, 3]])))) as tf.Scalar;
      })([q1, q2]);
      return grads.map((g) => Array.from(g.dataSync()));
    });
    const e = store.table('entity').data.array;
    dq1!.forEach((x, k) => expect(x).toBeCloseTo(e[1 * 8 + k]!, 5));
    dq2!.forEach((x, k) => expect(x).toBeCloseTo(3 * e[4 * 8 + k]!, 5));
    const g = store.table('entity').grad.array;
    expect(g[4 * 8 + 1]).toBeCloseTo(6, 5); // dL/de₄ = 3·q₂
    expect(g[1 * 8 + 0]).toBeCloseTo(1, 5); // dL/de₁ = q₁
  });
});
