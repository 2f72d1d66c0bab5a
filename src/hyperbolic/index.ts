/**
 * Poincaré-ball maths for hyperbolic KG embeddings (Chami et al., ACL 2020; Ganea et al., NeurIPS 2018) as
 * batched, differentiable, float32-safe tfjs functions. Points are rows [B, d]; curvature magnitude c is [B, 1].
 */
export { ARTANH_EPS, BALL_EPS, MAX_CURVATURE, MIN_CONFORMAL, MIN_CURVATURE, MIN_NORM, MIN_SQ_NORM, TANH_MAX } from './guards.js';
export { acosh, artanh, clampCurvature, safeNorm, safeSqrt, tanh } from './guards.js';
export { ARTANH_T_MAX, SERIES_T, artanhRatio, asinhSqRatio, tanhRatio } from './ratios.js';
export { project } from './ball.js';
export { expmap0, logmap0 } from './exp-log.js';
export { mobiusAdd } from './mobius.js';
export { poincareDistance, sqPoincareDistance, sqPoincareDistanceAll } from './distance.js';
/** Options of sqPoincareDistanceAll. */
export type { AllPairsOptions } from './distance.js';
export { givensReflection, givensRotation } from './givens.js';
