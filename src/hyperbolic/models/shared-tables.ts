/**
 * Tables and pieces shared by the models of Chami et al. (ACL 2020) and their Euclidean counterparts: entity
 * embeddings with learned head and tail biases (score = sim + b_h + b_t), relation "diagonals" holding the
 * Givens angles as unnormalised 2-vectors (uniform in [−1, 1), as in the authors' code), and the per-relation
 * curvature c = softplus(c₀) with c₀ = 1 initially.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { TableSpec } from '../../core/model.js';
import { entityTable, normalInit, relationTable } from '../../core/model-base.js';
import { clampCurvature } from '../guards.js';

/** Entity embeddings plus head/tail bias tables (biases start at 0 and are not regularised). */
export function entityWithBiases(dim: number, initScale: number): TableSpec[] {
  return [
    entityTable('entity', dim, normalInit(initScale)),
    entityTable('headBias', 1, { kind: 'constant', value: 0 }, false),
    entityTable('tailBias', 1, { kind: 'constant', value: 0 }, false),
  ];
}

/** A relation table of Givens parameters, uniform in [−1, 1), not regularised. */
export function givensTable(name: string, dim: number): TableSpec {
  return relationTable(name, dim, { kind: 'uniform', low: -1, high: 1 }, false);
}

/** The per-relation curvature parameter c₀ (c = softplus(c₀)), 1 initially, not regularised. */
export function curvatureTable(): TableSpec {
  return relationTable('curvature', 1, { kind: 'constant', value: 1 }, false);
}

/**
 * c = softplus(c₀) for each query row [B, 1], clamped to [MIN_CURVATURE, MAX_CURVATURE] (guards.ts clampCurvature)
 * as every ball function clamps it: softplus(c₀) is exactly 0 for a finite c₀ < −104, and the query's c is also
 * the curvature the all-entity scores (the denseScores kernel, similarity-tf.ts) and the top-K take, which need
 * c > 0. Inside the range c and its gradient are softplus's; outside, the functions' clamp already stopped both.
 * The models' fused query programs form the same c: `c0 = softplus(curvature)`, `c = clampCurvature(c0)`.
 */
export function curvatureOf(c0: tf.Tensor2D): tf.Tensor2D {
  return clampCurvature(tf.softplus(c0)) as tf.Tensor2D;
}

/**
 * Attention over two candidate queries with a per-relation context vector a (Chami et al. 2020, eq. (8)):
 * α = softmax(a·x₁/√d, a·x₂/√d), result α₁x₁ + α₂x₂; d is the model's width (`width`, when the rows are padded).
 */
export function attend(context: tf.Tensor2D, first: tf.Tensor2D, second: tf.Tensor2D, width = context.shape[1]): tf.Tensor2D {
  const scale = 1 / Math.sqrt(width);
  const logits = tf.concat([tf.sum(tf.mul(context, first), 1, true), tf.sum(tf.mul(context, second), 1, true)], 1);
  const weights = tf.softmax(tf.mul(logits, scale));
  const [w1, w2] = tf.split(weights, 2, 1);
  return tf.add(tf.mul(w1!, first), tf.mul(w2!, second));
}
