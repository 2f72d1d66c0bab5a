/**
 * The margin ranking loss for the fused step: forward value and hand-derived dL/ds of a block of n queries × M
 * gold-first scores, in plain typed arrays (the kernels compute BCE, `sampledSoftplusLoss`, and the self-adversarial
 * loss, `sampledNssaLoss`). Its tfjs definition (losses.ts) is the reference it is tested against.
 *
 * Margin ranking (Bordes et al. 2013, eq. (2)), per pair: L = max(0, γ − s₀ + sⱼ), ∂/∂sⱼ = 1 and ∂/∂s₀ = −1 where
 * active; the loss is the mean over the B·N pairs. With query weights w (Sun et al. 2019's subsampling weights) a
 * query's pairs weigh w_b/(Σw·N) instead of 1/(B·N): the weighted mean Σ w_b·ℓ_b / Σw of the queries' mean losses ℓ_b.
 */
import type { SampledLoss } from './losses.js';

/** The weights of a block's queries and Σw of the whole batch they belong to. */
export interface BlockWeights {
  weights: Float32Array;
  total: number;
}

/**
 * Writes dL/ds of the block into `dscore` and returns the block's loss (already divided by B·N, or weighted); NaN when
 * a pair's term is NaN (a non-finite score), so that the step's loss check stops the run instead of a silent 0.
 */
export function marginRankingBlock(settings: SampledLoss, scores: Float32Array, dscore: Float32Array, n: number, M: number, B: number,
  weighted?: BlockWeights): number {
  const g = settings.margin;
  const N = M - 1;
  if (N < 1) throw new Error(`${settings.loss} needs at least one negative per query`);
  let total = 0;
  let nonFinite = false;
  const uniformScale = 1 / (B * N);
  for (let b = 0; b < n; b++) {
    const row = b * M;
    const scale = weighted ? weighted.weights[b]! / (weighted.total * N) : uniformScale;
    let rowTotal = 0;
    const s0 = scores[row]!;
    let active = 0;
    for (let j = 1; j < M; j++) {
      const v = g - s0 + scores[row + j]!;
      if (v > 0) {
        if (weighted) rowTotal += v;
        else total += v; // one running sum, as before weights existed (the same bits)
        dscore[row + j] = scale;
        active++;
      } else {
        dscore[row + j] = 0;
        if (Number.isNaN(v)) nonFinite = true;
      }
    }
    dscore[row] = active === 0 ? 0 : -active * scale;
    if (weighted) total += rowTotal * scale;
  }
  if (nonFinite) return NaN;
  return weighted ? total : total * uniformScale;
}
