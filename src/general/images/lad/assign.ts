/**
 * Probabilistic anchor assignment (PAA; Kim & Lee, ECCV 2020) and its distillation (LAD; Nguyen et al., WACV 2022,
 * arXiv 2108.10520), on the anchors of `anchors.ts`:
 * - cost of anchor a of an image with label y, from some network's logits z_a (the assigner's prediction fused
 *   with the ground truth): c_a = Σ_c FL(z_a,c; [c = y]) + λ·(1 − IoU_a) — PAA's classification loss plus its
 *   localisation loss (here the anchor's own IoU, there being no box regression);
 * - per image, a two-component GMM on the costs; positives are the anchors in order of cost up to the
 *   low-cost component's member of highest mixture density (PAA's separation scheme), the rest background;
 * - targets: a positive anchor's class, all-zero rows for background (trained with the focal loss).
 * In PAA the network assigns its own labels; in LAD a teacher's logits give the costs. Co-LAD's switch uses a
 * performance score ρ of each network's costs: σ/μ, or the Fisher score of the two fitted components.
 */
import { fitGmm1d } from './gmm.js';

/** Settings of the assignment cost. */
export interface AssignmentSettings {
  gamma: number;
  alpha: number;
  /** λ, the weight of the localisation term (1 − IoU). */
  iouWeight: number;
}

/** The result of assigning a batch: positive anchors, the targets [n·A, C], and per-image GMM separations. */
export interface Assignment {
  positive: Uint8Array;
  targets: Float32Array;
  positives: number;
  /** Per image: (μ_bg − μ_fg)² / (σ_fg² + σ_bg²) of the fitted costs. */
  fisher: Float64Array;
}

function logSigmoid(z: number): number {
  return z >= 0 ? -Math.log1p(Math.exp(-z)) : z - Math.log1p(Math.exp(z));
}

/** The focal-loss term of one logit for target t ∈ {0, 1} (Lin et al. 2017, eq. (5)). */
export function focalTerm(z: number, target: number, gamma: number, alpha: number): number {
  const logP = logSigmoid(z);
  const log1mP = logSigmoid(-z);
  const logPT = target === 1 ? logP : log1mP;
  const alphaT = target === 1 ? alpha : 1 - alpha;
  // 1 − p_t = −expm1(log p_t): exact where p_t is within float precision of 1 (confident, correct logits).
  return -alphaT * (-Math.expm1(logPT)) ** gamma * logPT;
}

/** Costs of every anchor of n images ([n·A] from logits [n·A, C]). */
export function anchorCosts(logits: Float32Array, labels: Int32Array, ious: readonly number[], classes: number, settings: AssignmentSettings): Float32Array {
  const anchors = ious.length;
  const n = labels.length;
  if (logits.length !== n * anchors * classes) throw new Error(`anchor costs: expected ${n * anchors * classes} logits, got ${logits.length}`);
  const costs = new Float32Array(n * anchors);
  for (let b = 0; b < n; b++) {
    for (let a = 0; a < anchors; a++) {
      const row = (b * anchors + a) * classes;
      let cls = 0;
      for (let c = 0; c < classes; c++) cls += focalTerm(logits[row + c]!, c === labels[b] ? 1 : 0, settings.gamma, settings.alpha);
      costs[b * anchors + a] = cls + settings.iouWeight * (1 - ious[a]!);
    }
  }
  return costs;
}

/** PAA's assignment from anchor costs [n·A]: per-image GMM separation, then one-hot targets for positives. */
export function assignLabels(costs: Float32Array, labels: Int32Array, anchors: number, classes: number): Assignment {
  const n = labels.length;
  const positive = new Uint8Array(n * anchors);
  const targets = new Float32Array(n * anchors * classes);
  const fisher = new Float64Array(n);
  let positives = 0;
  for (let b = 0; b < n; b++) {
    const values = costs.subarray(b * anchors, (b + 1) * anchors);
    const fit = fitGmm1d(values);
    fisher[b] = (fit.means[1] - fit.means[0]) ** 2 / (fit.variances[0] + fit.variances[1]);
    const order = Array.from({ length: anchors }, (_, a) => a).sort((i, j) => values[i]! - values[j]!);
    // Foreground members in cost order; positives run up to the one of highest mixture density.
    const foreground = order.filter((a) => fit.assignment[a] === 0);
    let last = order[0]!;
    if (foreground.length > 0) {
      last = foreground.reduce((best, a) => (fit.logDensity[a]! > fit.logDensity[best]! ? a : best), foreground[0]!);
    }
    for (const a of order) {
      const index = b * anchors + a;
      positive[index] = 1;
      targets[index * classes + labels[b]!] = 1;
      positives++;
      if (a === last) break;
    }
  }
  return { positive, targets, positives, fisher };
}

/** Co-LAD's performance score of one network's costs: σ/μ of all anchor costs, or the mean Fisher score. */
export function performanceScore(costs: Float32Array, assignment: Assignment, criterion: 'std-mean' | 'fisher'): number {
  if (criterion === 'fisher') return assignment.fisher.reduce((a, b) => a + b, 0) / assignment.fisher.length;
  let mean = 0;
  for (const c of costs) mean += c;
  mean /= costs.length;
  let variance = 0;
  for (const c of costs) variance += (c - mean) ** 2;
  return Math.sqrt(variance / costs.length) / Math.max(mean, 1e-12);
}
