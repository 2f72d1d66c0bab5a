/**
 * MulDE's Senior and the Junior's distillation loss for a block of queries in plain JS (float64), with the
 * hand-derived gradient, a test oracle: the readable reference of the seniorKd kernel (src/muldE/assembly/senior-kd.ts, which
 * the fused path runs), itself tested against the tfjs autodiff path (senior.ts, core/distillation-loss.ts). Per query, over its K candidates (Wang et al. 2021, §3.3–3.4, as in
 * the authors' code):
 *   uᵢ = σ(g_r,i)·tᵢ                      relation-specific scaling (uᵢ = tᵢ without it)
 *   Dᵢ = KL(p_J ‖ softmax(uᵢ)), p_J = softmax(s_J), uᵢ detached;  α = softmax(−D/τ)   (α = 1/T without attention)
 *   s_T = Σᵢ αᵢ·uᵢ
 *   L_Senior = (1/(B·K))·Σ_k [softplus(s_T,k) − y_k·s_T,k]          (binary cross-entropy with logits)
 *   L_KD = (T²/B)·KL(softmax(s_T/T) ‖ softmax(s_J/T))
 * Gradients (P = softmax(s_T/T), Q = softmax(s_J/T), κ = KL(P‖Q)):
 *   ∂L_KD/∂s_J = (T/B)·(Q − P),   ∂L_KD/∂s_T = (T/B)·P ⊙ (log P − log Q − κ),   ∂L_Senior/∂s_T = (σ(s_T) − y)/(B·K)
 *   with G = ∂L/∂s_T (L = L_Senior + λ·L_KD):  ∂L/∂αᵢ = G·uᵢ,  ∂L/∂uᵢ = αᵢ·G,  ∂L/∂Dᵢ = −αᵢ(∂L/∂αᵢ − Σⱼ αⱼ ∂L/∂αⱼ)/τ
 *   ∂Dᵢ/∂s_J = p_J ⊙ (log p_J − log softmax(uᵢ) − Dᵢ),   ∂L/∂g_r,i = Σ_k ∂L/∂uᵢ,k · tᵢ,k · σ(g)(1 − σ(g)).
 */
import type { SeniorMechanisms } from '../../src/muldE/senior.js';

/** Inputs of one block of n queries with K candidates and T teachers. */
export interface SeniorKdBlock {
  n: number;
  K: number;
  /** The Junior's scores s_J [n×K]. */
  junior: Float32Array;
  /** Teacher i's raw scores on the same candidates, [n×K] each. */
  teachers: readonly Float32Array[];
  /** Gate logits g of each query's relation [n×T] (ignored without scaling). */
  gates: Float32Array;
  /** 1 where the candidate is the gold answer [n×K]. */
  labels: Float32Array;
}

/** Constants of the objective for one batch. */
export interface SeniorKdSettings {
  /** Queries in the whole batch (the means are over the batch, the block is a part of it). */
  batchSize: number;
  temperature: number;
  kdWeight: number;
  /** Attention temperature τ = e^⌊(epoch−1)/5⌋. */
  attentionTemperature: number;
  mechanisms: SeniorMechanisms;
}

/** Loss values of a block and the gradients it produces. */
export interface SeniorKdResult {
  senior: number;
  kd: number;
  /** ∂(L_Senior + λ·L_KD)/∂s_J [n×K]. */
  dJunior: Float32Array;
  /** ∂L_Senior/∂g (and λ·L_KD's share) [n×T]. */
  dGates: Float32Array;
}

/** Writes log softmax(x/τ) of x[o, o+K) into out[0, K) and softmax into prob[0, K) (when given); stable. */
function logSoftmax(x: Float32Array | Float64Array, o: number, K: number, invT: number, out: Float64Array, prob?: Float64Array): void {
  let max = -Infinity;
  for (let k = 0; k < K; k++) max = Math.max(max, x[o + k]! * invT);
  let sum = 0;
  for (let k = 0; k < K; k++) {
    const e = Math.exp(x[o + k]! * invT - max);
    if (prob) prob[k] = e;
    sum += e;
  }
  const lse = max + Math.log(sum);
  for (let k = 0; k < K; k++) out[k] = x[o + k]! * invT - lse;
  if (prob) for (let k = 0; k < K; k++) prob[k]! /= sum;
}

/** Reusable per-row buffers for K candidates and T teachers. */
class RowBuffers {
  readonly u: Float64Array[];
  readonly logU: Float64Array[];
  readonly logPJ: Float64Array; readonly pJ: Float64Array;
  readonly sT: Float64Array; readonly logP: Float64Array; readonly p: Float64Array;
  readonly logQ: Float64Array; readonly q: Float64Array; readonly G: Float64Array;
  readonly alpha: Float64Array; readonly D: Float64Array; readonly dAlpha: Float64Array; readonly scale: Float64Array;
  constructor(readonly K: number, readonly T: number) {
    const k = (): Float64Array => new Float64Array(K);
    this.u = Array.from({ length: T }, k);
    this.logU = Array.from({ length: T }, k);
    [this.logPJ, this.pJ, this.sT, this.logP, this.p, this.logQ, this.q, this.G] = [k(), k(), k(), k(), k(), k(), k(), k()];
    [this.alpha, this.D, this.dAlpha, this.scale] = [new Float64Array(T), new Float64Array(T), new Float64Array(T), new Float64Array(T)];
  }
}

let buffers: RowBuffers | undefined;

/** L_Senior, L_KD of a block and their gradients w.r.t. the Junior's scores and the gate rows. */
export function seniorKdBlock(block: SeniorKdBlock, settings: SeniorKdSettings): SeniorKdResult {
  const { n, K, junior, teachers, gates, labels } = block;
  const T = teachers.length;
  const { batchSize: B, temperature: temp, kdWeight, attentionTemperature: tau, mechanisms } = settings;
  const dJunior = new Float32Array(n * K);
  const dGates = new Float32Array(n * T);
  if (!buffers || buffers.K !== K || buffers.T !== T) buffers = new RowBuffers(K, T);
  const { u, logU, logPJ, pJ, sT, logP, p, G, alpha, D, dAlpha, scale } = buffers;
  // with T = 1 the KD student distribution softmax(s_J/T) is p_J itself
  const [logQ, q] = temp === 1 ? [logPJ, pJ] : [buffers.logQ, buffers.q];
  let senior = 0, kd = 0;
  for (let b = 0; b < n; b++) {
    const o = b * K;
    for (let i = 0; i < T; i++) {
      scale[i] = mechanisms.scaling ? 1 / (1 + Math.exp(-gates[b * T + i]!)) : 1;
      const ui = u[i]!, ti = teachers[i]!;
      for (let k = 0; k < K; k++) ui[k] = scale[i]! * ti[o + k]!;
    }
    logSoftmax(junior, o, K, 1, logPJ, pJ);
    if (mechanisms.attention) {
      let maxZ = -Infinity;
      for (let i = 0; i < T; i++) {
        logSoftmax(u[i]!, 0, K, 1, logU[i]!);
        let kl = 0;
        for (let k = 0; k < K; k++) kl += pJ[k]! * (logPJ[k]! - logU[i]![k]!);
        D[i] = kl;
        maxZ = Math.max(maxZ, -kl / tau);
      }
      let z = 0;
      for (let i = 0; i < T; i++) z += (alpha[i] = Math.exp(-D[i]! / tau - maxZ));
      for (let i = 0; i < T; i++) alpha[i]! /= z;
    } else {
      alpha.fill(1 / T);
    }
    sT.fill(0);
    for (let i = 0; i < T; i++) for (let k = 0; k < K; k++) sT[k] += alpha[i]! * u[i]![k]!;
    // L_KD and its gradients
    logSoftmax(sT, 0, K, 1 / temp, logP, p);
    if (temp !== 1) logSoftmax(junior, o, K, 1 / temp, logQ, q);
    let kl = 0;
    for (let k = 0; k < K; k++) kl += p[k]! * (logP[k]! - logQ[k]!);
    kd += (temp * temp * kl) / B;
    const kdScale = (kdWeight * temp) / B;
    const bceScale = 1 / (B * K);
    for (let k = 0; k < K; k++) {
      dJunior[o + k] = kdScale * (q[k]! - p[k]!);
      // binary cross-entropy with logits: softplus(x) − y·x and σ(x) − y from one e^{−|x|}
      const x = sT[k]!, y = labels[o + k]!;
      const e = Math.exp(-Math.abs(x));
      senior += (Math.max(x, 0) + Math.log1p(e) - y * x) * bceScale;
      G[k] = kdScale * p[k]! * (logP[k]! - logQ[k]! - kl) + ((x >= 0 ? 1 / (1 + e) : e / (1 + e)) - y) * bceScale;
    }
    // back through the mixture: to α (then D, then s_J) and to the scaled scores (then the gates)
    let mean = 0;
    for (let i = 0; i < T; i++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += G[k]! * u[i]![k]!;
      dAlpha[i] = s;
      mean += alpha[i]! * s;
    }
    for (let i = 0; i < T; i++) {
      if (mechanisms.scaling) { // ∂L/∂g = Σ_k αᵢ·G_k·tᵢ,k · σ'(g) = αᵢ·(∂L/∂αᵢ / σ(g))·σ(g)(1 − σ(g))
        dGates[b * T + i] = alpha[i]! * dAlpha[i]! * (1 - scale[i]!);
      }
      if (!mechanisms.attention) continue;
      const dD = (-alpha[i]! * (dAlpha[i]! - mean)) / tau;
      const lu = logU[i]!;
      for (let k = 0; k < K; k++) dJunior[o + k] += dD * pJ[k]! * (logPJ[k]! - lu[k]! - D[i]!);
    }
  }
  return { senior, kd, dJunior, dGates };
}
