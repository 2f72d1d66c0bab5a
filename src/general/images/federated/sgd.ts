/**
 * Plain SGD with momentum as PyTorch defines it (v ← μ·v + g; w ← w − lr·v), the local optimiser of FedNTD's
 * experiments (Lee et al. 2022, App. A: lr 0.01, momentum 0.9). Written out because tfjs's MomentumOptimizer
 * keeps one scalar alive after dispose(), which a simulation creating an optimiser per client per round leaks.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ensureGradients } from '../../../core/tfjs-gradients.js';
import { guardedStep, type StepPlace } from '../training/divergence.js';

/** Momentum SGD over a fixed list of variables; dispose() frees the velocity buffers. */
export class MomentumSgd {
  private readonly velocity: tf.Variable[];

  constructor(private readonly variables: readonly tf.Variable[], private readonly learningRate: number, private readonly momentum: number) {
    this.velocity = variables.map((v) => {
      const zeros = tf.zerosLike(v);
      const velocity = tf.variable(zeros, false);
      zeros.dispose(); // the variable holds its own reference to the data
      return velocity;
    });
  }

  /**
   * One step minimising `loss()`; returns the loss value. The step goes through the divergence guard
   * (`training/divergence.ts`): a non-finite loss, or non-finite weights after the update, stops the run naming `place`.
   */
  step(loss: () => tf.Scalar, place: StepPlace): number {
    return guardedStep(this.variables, place, () => {
      ensureGradients();
      const { value, grads } = tf.variableGrads(loss, this.variables as tf.Variable[]);
      this.variables.forEach((w, i) => {
        const v = this.velocity[i]!;
        const g = grads[w.name];
        if (!g) return;
        v.assign(tf.add(tf.mul(v, this.momentum), g));
        w.assign(tf.sub(w, tf.mul(v, this.learningRate)));
      });
      return value;
    });
  }

  /** Frees the velocity buffers. */
  dispose(): void {
    for (const v of this.velocity) v.dispose();
  }
}
