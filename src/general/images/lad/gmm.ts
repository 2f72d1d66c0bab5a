/**
 * A two-component one-dimensional Gaussian mixture fitted by EM, as PAA (Kim & Lee, ECCV 2020, §3.2) fits the
 * anchor scores of each object: means initialised at the smallest and largest value, variances at 1, weights ½,
 * a variance floor of 1e-6 (scikit-learn's reg_covar, which PAA's code calls).
 */

/** A fitted mixture and each value's component (0: the low-mean component PAA calls foreground). */
export interface GmmFit {
  means: [number, number];
  variances: [number, number];
  weights: [number, number];
  /** Component of each value (0 or 1), by larger responsibility. */
  assignment: Uint8Array;
  /** Mixture log-density of each value (scikit-learn's score_samples). */
  logDensity: Float64Array;
}

const REG = 1e-6;

function logNormal(x: number, mean: number, variance: number): number {
  return -0.5 * (Math.log(2 * Math.PI * variance) + ((x - mean) ** 2) / variance);
}

/** Fits the mixture to `values` (at least one); identical values all go to component 0. */
export function fitGmm1d(values: ArrayLike<number>, iterations = 30, tolerance = 1e-6): GmmFit {
  const n = values.length;
  if (n === 0) throw new Error('GMM: no values');
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    lo = Math.min(lo, values[i]!);
    hi = Math.max(hi, values[i]!);
  }
  const means: [number, number] = [lo, hi];
  const variances: [number, number] = [1, 1];
  const weights: [number, number] = [0.5, 0.5];
  const resp0 = new Float64Array(n);
  const logDensity = new Float64Array(n);
  if (hi - lo < 1e-12) {
    for (let i = 0; i < n; i++) logDensity[i] = logNormal(values[i]!, lo, REG);
    return { means: [lo, lo], variances: [REG, REG], weights: [1, 0], assignment: new Uint8Array(n), logDensity };
  }
  let previous = -Infinity;
  for (let iter = 0; iter < iterations; iter++) {
    // E-step: responsibilities of component 0 and the log-likelihood.
    let total = 0;
    for (let i = 0; i < n; i++) {
      const a = Math.log(weights[0]) + logNormal(values[i]!, means[0], variances[0]);
      const b = Math.log(weights[1]) + logNormal(values[i]!, means[1], variances[1]);
      const m = Math.max(a, b);
      const lse = m + Math.log(Math.exp(a - m) + Math.exp(b - m));
      resp0[i] = Math.exp(a - lse);
      logDensity[i] = lse;
      total += lse;
    }
    // M-step.
    for (const k of [0, 1] as const) {
      let nk = 0;
      let sum = 0;
      for (let i = 0; i < n; i++) {
        const r = k === 0 ? resp0[i]! : 1 - resp0[i]!;
        nk += r;
        sum += r * values[i]!;
      }
      nk = Math.max(nk, 1e-10);
      means[k] = sum / nk;
      let sq = 0;
      for (let i = 0; i < n; i++) sq += (k === 0 ? resp0[i]! : 1 - resp0[i]!) * (values[i]! - means[k]) ** 2;
      variances[k] = sq / nk + REG;
      weights[k] = nk / n;
    }
    if (Math.abs(total - previous) < tolerance * n) break;
    previous = total;
  }
  const assignment = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const a = Math.log(weights[0]) + logNormal(values[i]!, means[0], variances[0]);
    const b = Math.log(weights[1]) + logNormal(values[i]!, means[1], variances[1]);
    assignment[i] = a >= b ? 0 : 1;
    const m = Math.max(a, b);
    logDensity[i] = m + Math.log(Math.exp(a - m) + Math.exp(b - m));
  }
  return { means, variances, weights, assignment, logDensity };
}
