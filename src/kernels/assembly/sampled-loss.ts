// Binary cross-entropy with logits over a block of sampled scores, for steps that process their queries in
// chunks: the caller passes the normalisation (1/total count of the whole step) and adds the chunks' losses.
// Scores are [Q×M]; with goldFirst = 1 column 0 of every row is a positive (label 1) and the rest negatives,
// with goldFirst = 0 every entry is a negative. Each term is softplus(s) − y·s, i.e. softplus(−s) for a positive
// and softplus(s) for a negative (−log σ(s⁺), −log σ(−s⁻): Chami et al. 2020's loss), and dL/ds = scale·(σ(s) − y).
// Both losses take per-row weights w (f32, one per row; `weights` = 0: none, every row weighs 1), which multiply a
// row's loss and its dL/ds (Sun et al. 2019's subsampling weights; the caller puts 1/Σw of the batch in `scale`).
import { K, vadd, vdiv, vexp, vlog, vmul, vsel, vsub } from './vmath';

/** Last σ(x) computed by `softplusSig`. */
let lastSig: f64 = 0;

/** softplus(x) in float64, overflow-free; leaves σ(x) in lastSig. */
@inline function softplusSig(x: f64): f64 {
  const e = Math.exp(-Math.abs(x));
  lastSig = x >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
  return Math.max(x, 0.0) + Math.log1p(e);
}

/** Lane sums of negatives4 since the last flush. */
let acc4: v128 = f32x4(0, 0, 0, 0);

/** Negative terms of four scores: adds softplus(x) to the lanes of `acc4` and returns scale·σ(x). */
@inline function negatives4(x: v128, sv: v128): v128 {
  return weightedNegatives4(x, K(1.0), sv); // weights of 1: the same bits
}

/** Negative terms of four scores with weights p: adds p·softplus(x) to the lanes of `acc4` and returns p·σ(x)·scale. */
@inline function weightedNegatives4(x: v128, p: v128, sv: v128): v128 {
  const e = vexp(f32x4.neg(f32x4.abs(x)));
  const ope = vadd(K(1.0), e);
  acc4 = vadd(acc4, vmul(p, vadd(f32x4.pmax(x, K(0.0)), vlog(ope))));
  return vmul(vmul(p, vdiv(vsel(K(1.0), e, f32x4.ge(x, K(0.0))), ope)), sv);
}

/** Returns the lanes of acc4 summed in float64 and clears them. */
@inline function flush(): f64 {
  const s = <f64>(f32x4.extract_lane(acc4, 0) + f32x4.extract_lane(acc4, 1)) +
    <f64>(f32x4.extract_lane(acc4, 2) + f32x4.extract_lane(acc4, 3));
  acc4 = f32x4.splat(0);
  return s;
}

/** Weight of row q: weights[q], or 1 without weights. */
@inline function rowWeight(weights: usize, q: i32): f64 {
  return weights == 0 ? 1.0 : <f64>load<f32>(weights + (<usize>q << 2));
}

/**
 * Returns scale·Σ terms over the Q·M scores and writes dscore = scale·(σ(s) − y); with weights (gold-first rows
 * only; ignored otherwise) each row's terms and dscore are multiplied by its weight.
 */
export function sampledSoftplusLoss(Q: i32, M: i32, goldFirst: i32, scores: usize, dscore: usize, scale: f64, weights: usize): f64 {
  const sv = f32x4.splat(<f32>scale);
  let loss: f64 = 0;
  acc4 = f32x4.splat(0);
  if (goldFirst == 0) { // all negatives: one flat pass, flushed to float64 every 64 vectors
    const count = Q * M;
    let i = 0;
    for (; i + 4 <= count; i += 4) {
      const o = <usize>i << 2;
      v128.store(dscore + o, negatives4(v128.load(scores + o), sv));
      if ((i & 255) == 252) loss += flush();
    }
    for (; i < count; i++) {
      const o = <usize>i << 2;
      loss += softplusSig(<f64>load<f32>(scores + o));
      store<f32>(dscore + o, <f32>(lastSig * scale));
    }
    return (loss + flush()) * scale;
  }
  for (let q = 0; q < Q; q++) {
    const w = rowWeight(weights, q), rowScale = scale * w; // scale·1.0 = scale: unweighted rows keep their bits
    const rsv = weights == 0 ? sv : f32x4.splat(<f32>rowScale);
    const row = <usize>q * <usize>M;
    const o0 = row << 2;
    // an unweighted row adds straight into the running sum; a weighted one is summed alone, then times w
    let sum: f64 = weights == 0 ? loss : 0;
    sum += softplusSig(-<f64>load<f32>(scores + o0)); // −log σ(s): dL/ds = σ(s) − 1 = −σ(−s)
    store<f32>(dscore + o0, <f32>(-lastSig * rowScale));
    let j = 1;
    for (; j + 4 <= M; j += 4) {
      const o = (row + <usize>j) << 2;
      v128.store(dscore + o, negatives4(v128.load(scores + o), rsv));
    }
    for (; j < M; j++) {
      const o = (row + <usize>j) << 2;
      sum += softplusSig(<f64>load<f32>(scores + o));
      store<f32>(dscore + o, <f32>(lastSig * rowScale));
    }
    sum += flush();
    loss = weights == 0 ? sum : loss + w * sum;
  }
  return loss * scale;
}

/** The largest finite float32, the bound on the temperature's magnitude in sampledNssaLoss. */
const F32_MAX: f64 = 3.4028234663852886e38;

/** x − max in float32 (≤ 0 for x ≤ max), 0 where x = max (also when both are ±Inf): the tail's exponent, as the body's. */
@inline function advExponent(x: f32, max: f32): f32 {
  return x == max ? 0 : x - max;
}

/**
 * Self-adversarial negative-sampling loss (Sun et al. 2019, eq. (5)) of Q gold-first rows of M scores, per row
 * with p = softmax(α·s⁻) held constant:
 *   L = ½[−log σ(γ + s₀) − Σⱼ pⱼ log σ(−γ − sⱼ)],  ∂L/∂s₀ = −½ σ(−γ − s₀),  ∂L/∂sⱼ = ½ pⱼ σ(γ + sⱼ);
 * returns scale·Σ rows' 2L (scale = ½/B: the batch mean of L) and writes dscore = scale·2∂L/∂s. The negatives go
 * four at a time (vmath's exp and log): the row's max of α·sⱼ, then e = exp(α·sⱼ − max) into dscore and their sum
 * Z, then pⱼ = eⱼ/Z, softplus(γ + sⱼ) = −log σ(−γ − sⱼ) and σ(γ + sⱼ) from one exp(−|γ + sⱼ|). With weights, row
 * q's 2L and dscore are multiplied by w_q (without, by 1.0: the same bits).
 *
 * The exponents xⱼ = α·sⱼ − max are float32 in the body and in the scalar tail alike (`advExponent`: the product
 * and the difference as tfjs's softmax of tf.mul(s, α) takes them), so xⱼ ≤ 0 and eⱼ ≤ 1 whatever α (a float64
 * product against the float32 max was hundreds above 0 for α·|s| ≈ 1e10: e = Inf, p = Inf/Inf = NaN). Past float32
 * the weights stay finite: α is taken at most FLT_MAX in magnitude (α·0 = 0, not NaN), and a product equal to the
 * row max has exponent 0 even when both are ±Inf (the weight then goes to the products that overflowed upwards, or
 * evenly to all when every one overflowed downwards), where tfjs's softmax gives NaN.
 */
export function sampledNssaLoss(Q: i32, M: i32, scores: usize, dscore: usize, margin: f64, alpha: f64, scale: f64, weights: usize): f64 {
  const a32 = <f32>Math.min(Math.max(alpha, -F32_MAX), F32_MAX);
  const av = f32x4.splat(a32), gv = f32x4.splat(<f32>margin), zero = f32x4.splat(0);
  let loss: f64 = 0;
  for (let q = 0; q < Q; q++) {
    const w = rowWeight(weights, q), rowScale = scale * w;
    const sv = f32x4.splat(<f32>rowScale);
    const s = scores + ((<usize>q * <usize>M) << 2), g = dscore + ((<usize>q * <usize>M) << 2);
    const n = <usize>(M - 1), s1 = s + 4, g1 = g + 4; // the negatives
    const full = n & ~(<usize>3);
    let m4 = f32x4.splat(-Infinity);
    for (let j: usize = 0; j < full; j += 4) m4 = f32x4.pmax(m4, vmul(av, v128.load(s1 + (j << 2))));
    let max = Mathf.max(Mathf.max(f32x4.extract_lane(m4, 0), f32x4.extract_lane(m4, 1)), Mathf.max(f32x4.extract_lane(m4, 2), f32x4.extract_lane(m4, 3)));
    for (let j = full; j < n; j++) max = Mathf.max(max, a32 * load<f32>(s1 + (j << 2)));
    const mv = f32x4.splat(max);
    let z4 = f32x4.splat(0);
    for (let j: usize = 0; j < full; j += 4) {
      const x = vmul(av, v128.load(s1 + (j << 2)));
      const e = vexp(vsel(zero, vsub(x, mv), f32x4.eq(x, mv)));
      v128.store(g1 + (j << 2), e);
      z4 = vadd(z4, e);
    }
    let z = <f64>(f32x4.extract_lane(z4, 0) + f32x4.extract_lane(z4, 1)) + <f64>(f32x4.extract_lane(z4, 2) + f32x4.extract_lane(z4, 3));
    for (let j = full; j < n; j++) {
      const e = Math.exp(<f64>advExponent(a32 * load<f32>(s1 + (j << 2)), max));
      store<f32>(g1 + (j << 2), <f32>e);
      z += e;
    }
    const s0 = <f64>load<f32>(s);
    let rowLoss = softplusSig(-(margin + s0)); // −log σ(γ + s₀); lastSig = σ(−γ − s₀)
    store<f32>(g, <f32>(-lastSig * rowScale));
    const iz = f32x4.splat(<f32>(1.0 / z));
    acc4 = f32x4.splat(0);
    for (let j: usize = 0; j < full; j += 4) {
      const p = vmul(v128.load(g1 + (j << 2)), iz);
      v128.store(g1 + (j << 2), weightedNegatives4(vadd(gv, v128.load(s1 + (j << 2))), p, sv));
    }
    rowLoss += flush();
    for (let j = full; j < n; j++) {
      const p = <f64>load<f32>(g1 + (j << 2)) / z;
      rowLoss += p * softplusSig(margin + <f64>load<f32>(s1 + (j << 2))); // −log σ(−γ − sⱼ); lastSig = σ(γ + sⱼ)
      store<f32>(g1 + (j << 2), <f32>(p * lastSig * rowScale));
    }
    loss += w * rowLoss;
  }
  return loss * scale;
}
