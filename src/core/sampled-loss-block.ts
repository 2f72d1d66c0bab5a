/**
 * The margin ranking loss for the fused step: forward value and hand-derived dL/ds of a block of n queries × M
 * gold-first scores, in plain typed arrays (the kernels compute BCE, `sampledSoftplusLoss`, and the self-adversarial
 * loss, `sampledNssaLoss`). Its tfjs definition (losses.ts) is the reference it is tested against.
 *
 * Margin ranking (Bordes et al. 2013, eq. (2)), per pair: L = max(0, γ − s₀ + sⱼ), ∂/∂sⱼ = 1 and ∂/∂s₀ = −1 where
 * active; the loss is the mean over the B·N pairs.
 */
import type { SampledLoss } from './losses.js';

/** Writes dL/ds of the block into `dscore` and returns the block's loss (already divided by B·N). */
export function marginRankingBlock(settings: SampledLoss, scores: Float32Array, dscore: Float32Array, n: number, M: number, B: number): number {
  const g = settings.margin;
  const N = M - 1;
  if (N < 1) throw new Error(`${settings.loss} needs at least one negative per query`);
  let total = 0;
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
