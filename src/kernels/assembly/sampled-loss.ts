// Binary cross-entropy with logits over a block of sampled scores, for steps that process their queries in
// chunks: the caller passes the normalisation (1/total count of the whole step) and adds the chunks' losses.
// Scores are [Q×M]; with goldFirst = 1 column 0 of every row is a positive (label 1) and the rest negatives,
// with goldFirst = 0 every entry is a negative. Each term is softplus(s) − y·s, i.e. softplus(−s) for a positive
// and softplus(s) for a negative (−log σ(s⁺), −log σ(−s⁻): Chami et al. 2020's loss), and dL/ds = scale·(σ(s) − y).
import { K, vadd, vdiv, vexp, vlog, vmul, vsel } from './vmath';

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
  const e = vexp(f32x4.neg(f32x4.abs(x)));
  const ope = vadd(K(1.0), e);
  acc4 = vadd(acc4, vadd(f32x4.pmax(x, K(0.0)), vlog(ope)));
  return vmul(vdiv(vsel(K(1.0), e, f32x4.ge(x, K(0.0))), ope), sv);
}

/** Returns the lanes of acc4 summed in float64 and clears them. */
@inline function flush(): f64 {
  const s = <f64>(f32x4.extract_lane(acc4, 0) + f32x4.extract_lane(acc4, 1)) +
    <f64>(f32x4.extract_lane(acc4, 2) + f32x4.extract_lane(acc4, 3));
  acc4 = f32x4.splat(0);
  return s;
}

/** Returns scale·Σ terms over the Q·M scores and writes dscore = scale·(σ(s) − y). */
export function sampledSoftplusLoss(Q: i32, M: i32, goldFirst: i32, scores: usize, dscore: usize, scale: f64): f64 {
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
    const row = <usize>q * <usize>M;
    const o0 = row << 2;
    loss += softplusSig(-<f64>load<f32>(scores + o0)); // −log σ(s): dL/ds = σ(s) − 1 = −σ(−s)
    store<f32>(dscore + o0, <f32>(-lastSig * scale));
    let j = 1;
    for (; j + 4 <= M; j += 4) {
      const o = (row + <usize>j) << 2;
      v128.store(dscore + o, negatives4(v128.load(scores + o), sv));
    }
    for (; j < M; j++) {
      const o = (row + <usize>j) << 2;
      loss += softplusSig(<f64>load<f32>(scores + o));
      store<f32>(dscore + o, <f32>(lastSig * scale));
    }
    loss += flush();
  }
  return loss * scale;
}
