/**
 * The sampled losses other than BCE for the fused step: forward value and hand-derived dL/ds of a block of n queries
 * × M gold-first scores, in plain typed arrays (the kernels' BCE is `sampledSoftplusLoss`). Their tfjs definitions
 * (losses.ts) are the reference they are tested against.
 *
 * Self-adversarial (Sun et al. 2019, eq. (5)), per query, p = softmax(α·s⁻) constant:
 *   L = ½[−log σ(γ + s₀) − Σⱼ pⱼ log σ(−γ − sⱼ)],  ∂L/∂s₀ = −½ σ(−γ − s₀),  ∂L/∂sⱼ = ½ pⱼ σ(γ + sⱼ)
 * Margin ranking (Bordes et al. 2013, eq. (2)), per pair: L = max(0, γ − s₀ + sⱼ), ∂/∂sⱼ = 1 and ∂/∂s₀ = −1 where active.
 * `scale` divides both (1/B, or 1/(B·N) for margin ranking's pair mean).
 */
import type { SampledLoss } from './losses.js';

/** log σ(x), stable for large |x|. */
function logSigmoid(x: number): number {
  return x >= 0 ? -Math.log1p(Math.exp(-x)) : x - Math.log1p(Math.exp(x));
}

/** σ(x). */
function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/** Writes dL/ds of the block into `dscore` and returns the block's loss (already scaled by 1/B). */
export function sampledLossBlock(settings: SampledLoss, scores: Float32Array, dscore: Float32Array, n: number, M: number, B: number): number {
  const { margin: g, adversarialTemperature: alpha } = settings;
  const N = M - 1;
  if (N < 1) throw new Error(`${settings.loss} needs at least one negative per query`);
  let total = 0;
  if (settings.loss === 'margin') {
    const scale = 1 / (B * N);
    for (let b = 0; b < n; b++) {
      const row = b * M;
      const s0 = scores[row]!;
      let active = 0;
      for (let j = 1; j < M; j++) {
        const v = g - s0 + scores[row + j]!;
        if (v > 0) {
          total += v;
          dscore[row + j] = scale;
          active++;
        } else {
          dscore[row + j] = 0;
        }
      }
      dscore[row] = active === 0 ? 0 : -active * scale;
    }
    return total * scale;
  }
  if (settings.loss !== 'nssa') throw new Error(`sampledLossBlock: unsupported loss '${settings.loss}'`);
  const scale = 0.5 / B;
  for (let b = 0; b < n; b++) {
    const row = b * M;
    const s0 = scores[row]!;
    let max = -Infinity;
    for (let j = 1; j < M; j++) max = Math.max(max, alpha * scores[row + j]!);
    let z = 0;
    for (let j = 1; j < M; j++) z += Math.exp(alpha * scores[row + j]! - max);
    let loss = -logSigmoid(g + s0);
    dscore[row] = -sigmoid(-g - s0) * scale;
    for (let j = 1; j < M; j++) {
      const s = scores[row + j]!;
      const p = Math.exp(alpha * s - max) / z;
      loss -= p * logSigmoid(-g - s);
      dscore[row + j] = p * sigmoid(g + s) * scale;
    }
    total += loss;
  }
  return total * scale;
}
