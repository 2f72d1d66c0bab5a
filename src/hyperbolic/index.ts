/**
 * Poincaré-ball maths for hyperbolic KG embeddings (Chami et al., ACL 2020; Ganea et al., NeurIPS 2018) as
 * batched, differentiable, float32-safe tfjs functions: the primitives of the models' tfjs `query` (./models).
 * Points are rows [B, d]; curvature magnitude c is [B, 1]. The distance, log map and guarded artanh/acosh that no
 * production path uses are test oracles (test/hyperbolic/ball-oracles.ts).
 */
export { BALL_EPS, MAX_CURVATURE, MIN_CONFORMAL, MIN_CURVATURE, MIN_NORM, MIN_SQ_NORM, TANH_MAX } from './guards.js';
export { clampCurvature, safeNorm } from './guards.js';
export { SERIES_T, tanhRatio } from './ratios.js';
export { project } from './ball.js';
export { expmap0 } from './exp-log.js';
export { mobiusAdd } from './mobius.js';
export { givensReflection, givensRotation } from './givens.js';
