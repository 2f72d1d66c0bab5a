/**
 * The norm of the distance of the distance models, TransE and RotatE (model option `norm`, flag `--norm`): 1 or 2.
 * What each norm means is the model's (TransE: ‖·‖₁ or ‖·‖₂ over real coordinates; RotatE: the sum of the complex
 * moduli or ‖·‖₂ over all real coordinates); each model has its own default.
 */
import type { ModelOptions } from '../core/model-base.js';

/** The norms a distance model may use. */
export const DISTANCE_NORMS = [1, 2] as const;
/** A norm p of a distance model's ‖·‖_p. */
export type DistanceNorm = (typeof DISTANCE_NORMS)[number];

/** The options of a distance model: the shape of every model and the norm of its distance. */
export interface NormOptions extends ModelOptions {
  norm?: DistanceNorm;
}

/** The norm `options` ask `model` for, else its default; any value other than 1 or 2 is an error. */
export function distanceNorm(model: string, options: NormOptions, fallback: DistanceNorm): DistanceNorm {
  const norm = options.norm ?? fallback;
  if (!DISTANCE_NORMS.includes(norm)) throw new Error(`${model}: norm must be 1 or 2 (got ${String(norm)})`);
  return norm;
}
