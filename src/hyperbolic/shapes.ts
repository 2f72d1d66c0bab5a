/**
 * Shape checks shared by the Poincaré-ball functions: points are rows [B, d]; the curvature magnitude c is a
 * column [B, 1] (one c per row, as with KGEmb's per-relation curvature) or [1, 1] (one c for all rows).
 */
import type * as tf from '@tensorflow/tfjs-core';

/** Throws unless x is [B, d] and c is [B, 1] or [1, 1]; returns B. */
export function checkRowsAndCurvature(fn: string, x: tf.Tensor, c: tf.Tensor): number {
  if (x.rank !== 2) throw new Error(`${fn}: points must be [B, d], got shape [${x.shape.join(', ')}]`);
  const rows = x.shape[0]!;
  if (c.rank !== 2 || c.shape[1] !== 1 || (c.shape[0] !== rows && c.shape[0] !== 1)) {
    throw new Error(`${fn}: curvature must be [${rows}, 1] or [1, 1], got [${c.shape.join(', ')}]`);
  }
  return rows;
}

/** Throws unless a and b have the same shape. */
export function checkSameShape(fn: string, a: tf.Tensor, b: tf.Tensor): void {
  if (a.rank !== b.rank || a.shape.some((n, i) => n !== b.shape[i])) {
    throw new Error(`${fn}: shapes differ, [${a.shape.join(', ')}] vs [${b.shape.join(', ')}]`);
  }
}
