/**
 * Mutual (online) distillation losses, where peers trained together are each other's teachers: deep mutual
 * learning and dense cross-layer mutual distillation. A peer's prediction is a target: no gradient flows into it
 * (the `.detach()` of the authors' code), so one tape over all networks gives each its own gradient.
 */
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { nonNegativeFloat32, positiveFloat32 } from '../../core/float32-range.js';
import { temperatureKdLoss } from '../../core/distillation-loss.js';
import { stopGradient } from '../../core/stop-gradient.js';
import { crossEntropy, type Labels } from './classification.js';
import { defineLoss, requireShape } from './loss-spec.js';

/** T²·KL(softmax(target/T) ‖ softmax(logits/T)) with the target detached. */
export function detachedKl(logits: tf.Tensor2D, target: tf.Tensor2D, temperature: number): tf.Scalar {
  return tf.tidy(() => temperatureKdLoss(logits, stopGradient(target), temperature));
}

/** `dml`: one peer's loss in deep mutual learning. */
export const dmlLoss = defineLoss({
  name: 'dml',
  summary: "deep mutual learning: a peer's cross-entropy plus the mean KL from every other peer's prediction to its own",
  paper: 'Zhang, Xiang, Hospedales & Lu 2018, "Deep Mutual Learning", CVPR, §3.1 (two peers) and §3.3 (K peers, 1/(K−1) average)',
  equation: 'L_Θk = L_Ck + w · T² · 1/(K−1) Σ_{l≠k} KL(p_l ‖ p_k), p = softmax(z/T), peers detached (paper: T = 1, w = 1)',
  inputs: ['logits', 'peers', 'labels'],
  schema: z.object({ temperature: positiveFloat32().default(1), weight: nonNegativeFloat32().default(1) }).strict(),
  build: (p: { temperature: number; weight: number }) => (inputs: { logits: tf.Tensor2D; peers: readonly tf.Tensor2D[]; labels: Labels }) => {
    requireShape('dml', 'logits', inputs.logits, 2);
    if (inputs.peers.length === 0) throw new Error("loss 'dml': needs at least one peer");
    inputs.peers.forEach((peer, i) => requireShape('dml', `peers[${i}]`, peer, 2, { tensor: inputs.logits, name: 'logits' }));
    return tf.tidy(() => {
      const mutual = tf.addN(inputs.peers.map((peer) => detachedKl(inputs.logits, peer, p.temperature)));
      return tf.add(crossEntropy(inputs.logits, inputs.labels), tf.mul(p.weight / inputs.peers.length, mutual)) as tf.Scalar;
    });
  },
});

/** `dcm`: the whole DCM objective of two networks with auxiliary classifiers. */
export const dcmLoss = defineLoss({
  name: 'dcm',
  summary: 'dense cross-layer mutual distillation: CE on every classifier of both nets plus two-way KL between every cross-net classifier pair',
  paper: 'Yao & Sun 2020, "Knowledge Transfer via Dense Cross-Layer Mutual-Distillation", ECCV, §3 (as run by the authors\' code: all weights 1, T = 1)',
  equation: 'L = Σ_{c ∈ Q_a ∪ Q_b} L_CE(c) + w · T² · Σ_{i ∈ Q_a, j ∈ Q_b} [KL(p_j ‖ p_i) + KL(p_i ‖ p_j)], p = softmax(z/T), targets detached; Q = the auxiliary and final classifiers of a net',
  inputs: ['a', 'b', 'labels'],
  schema: z.object({ temperature: positiveFloat32().default(1), weight: nonNegativeFloat32().default(1) }).strict(),
  build: (p: { temperature: number; weight: number }) => (inputs: { a: readonly tf.Tensor2D[]; b: readonly tf.Tensor2D[]; labels: Labels }) => {
    if (inputs.a.length === 0 || inputs.b.length === 0) throw new Error("loss 'dcm': each network needs at least one classifier");
    const first = inputs.a[0]!;
    [...inputs.a.map((t, i) => [`a[${i}]`, t] as const), ...inputs.b.map((t, i) => [`b[${i}]`, t] as const)]
      .forEach(([name, t]) => requireShape('dcm', name, t, 2, { tensor: first, name: 'a[0]' }));
    return tf.tidy(() => {
      const terms: tf.Scalar[] = [...inputs.a, ...inputs.b].map((logits) => crossEntropy(logits, inputs.labels));
      const kl: tf.Scalar[] = [];
      for (const i of inputs.a) {
        for (const j of inputs.b) {
          kl.push(detachedKl(i, j, p.temperature), detachedKl(j, i, p.temperature));
        }
      }
      return tf.add(tf.addN(terms), tf.mul(p.weight, tf.addN(kl))) as tf.Scalar;
    });
  },
});
