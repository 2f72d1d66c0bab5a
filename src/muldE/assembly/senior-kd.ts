// MulDE's Senior and the Junior's distillation loss for a block of queries with their gradients (Wang et al. 2021,
// §3.3–3.4), four candidates per f32x4 lane group. The maths, its derivation and a float64 reference are in
// test/muldE/senior-kd-head.ts (tested against tfjs autodiff); this is the same computation per query:
//   uᵢ = σ(gᵢ)·tᵢ (scaling on) or tᵢ;   Dᵢ = KL(p_J ‖ softmax(uᵢ)), α = softmax(−D/τ) (attention on) or 1/T;
//   s_T = Σᵢ αᵢuᵢ;   L_Senior = Σ_k [softplus(s_T) − y·s_T]/(B·K);   L_KD = T_kd²·KL(softmax(s_T/T_kd) ‖ softmax(s_J/T_kd))/B
// writing ∂(L_Senior + λ·L_KD)/∂s_J and ∂/∂g and returning the two loss sums. Rows are K floats (any K ≥ 1); the
// last lane group of a row is masked. Scratch: (2T + 9)·⌈K/4⌉·4 + 4T floats (the kernel never allocates).
import { K as splat, vadd, vdiv, vexp, vlog, vmul, vsel, vsub } from '../../kernels/assembly/vmath';
import { withLane } from '../../kernels/assembly/ball-math';
import { hmax, hsum } from '../../kernels/assembly/simd';
import { storeLanes } from '../../kernels/assembly/poincare-rows';

/** L_Senior and L_KD sums of the last `seniorKd` call. */
let lastSenior: f64 = 0;
let lastKd: f64 = 0;

/** The L_Senior sum of the last seniorKd call. */
export function seniorKdLastSenior(): f64 { return lastSenior; }
/** The L_KD sum of the last seniorKd call. */
export function seniorKdLastKd(): f64 { return lastKd; }

/** All-ones lanes for candidates k … k + 3 that are < K. */
@inline function laneMask(k: i32, K: i32): v128 {
  return f32x4.lt(f32x4.add(f32x4.splat(<f32>k), f32x4(0, 1, 2, 3)), f32x4.splat(<f32>K));
}

/** Loads x[k … k + 3] of a row of K floats, `fill` in the lanes past K. */
@inline function loadRow(p: usize, k: i32, K: i32, fill: f32): v128 {
  if (k + 4 <= K) return v128.load(p + (<usize>k << 2));
  let v = f32x4.splat(fill);
  for (let l = 0; l < 4; l++) if (k + l < K) v = withLane(v, l, load<f32>(p + (<usize>(k + l) << 2)));
  return v;
}

/** Stores the lanes of v that are < K at x[k …]. */
@inline function storeRow(p: usize, k: i32, K: i32, v: v128): void {
  storeLanes(p + (<usize>k << 2), v, K - k);
}

/**
 * log softmax(x/t) over the K valid lanes of a padded row x (Kp floats) into logOut, and softmax into probOut
 * (padding lanes: −∞ and 0). x's padding lanes are ignored.
 */
function logSoftmaxRow(x: usize, Kp: i32, K: i32, invT: f32, logOut: usize, probOut: usize): void {
  let m = f32x4.splat(-Infinity);
  for (let k = 0; k < Kp; k += 4) {
    const v = vmul(v128.load(x + (<usize>k << 2)), splat(invT));
    m = f32x4.max(m, v128.bitselect(v, splat(-Infinity), laneMask(k, K)));
  }
  const mx = splat(hmax(m));
  let sum = splat(0);
  for (let k = 0; k < Kp; k += 4) {
    const o = <usize>k << 2;
    const e = v128.and(vexp(vsub(vmul(v128.load(x + o), splat(invT)), mx)), laneMask(k, K));
    v128.store(probOut + o, e);
    sum = vadd(sum, e);
  }
  const total = hsum(sum);
  const lse = splat(hmax(m) + <f32>Math.log(<f64>total));
  const inv = splat(1 / total);
  for (let k = 0; k < Kp; k += 4) {
    const o = <usize>k << 2;
    const valid = laneMask(k, K);
    v128.store(logOut + o, v128.bitselect(vsub(vmul(v128.load(x + o), splat(invT)), lse), splat(-Infinity), valid));
    v128.store(probOut + o, vmul(v128.load(probOut + o), inv));
  }
}

/** Σ_k p·(a − b) over the valid lanes (p = 0 on padding, where a − b may be NaN). */
function klRow(p: usize, a: usize, b: usize, Kp: i32, K: i32): f32 {
  let acc = splat(0);
  for (let k = 0; k < Kp; k += 4) {
    const o = <usize>k << 2;
    acc = vadd(acc, v128.and(vmul(v128.load(p + o), vsub(v128.load(a + o), v128.load(b + o))), laneMask(k, K)));
  }
  return hsum(acc);
}

/**
 * One block of n queries (junior, labels, dJunior: n×K; teachers: T blocks of n×K one after the other; gates,
 * dGates: n×T). flags: bit 0 scaling, bit 1 attention. B is the whole batch's size (the means' denominator).
 * Returns L_Senior + λ·L_KD of the block; seniorKdLastSenior/Kd give the two parts.
 */
export function seniorKd(n: i32, K: i32, T: i32, junior: usize, teachers: usize, gates: usize, labels: usize, B: i32,
  temp: f32, kdWeight: f32, tau: f32, flags: i32, dJunior: usize, dGates: usize, scratch: usize): f64 {
  const scaling = (flags & 1) != 0, attention = (flags & 2) != 0;
  const Kp = (K + 3) & ~3;
  const row = <usize>Kp << 2;
  const u = scratch, logU = u + <usize>T * row;
  const logPJ = logU + <usize>T * row, pJ = logPJ + row, sT = pJ + row, logP = sT + row, P = logP + row;
  const logQ = temp == 1 ? logPJ : P + row, Q = temp == 1 ? pJ : P + 2 * row, G = P + 3 * row, jrow = P + 4 * row;
  let senior: f64 = 0, kd: f64 = 0;
  const kdScale = splat(kdWeight * temp / <f32>B), bceScale = splat(1 / (<f32>B * <f32>K));
  // per-teacher scalars after the rows: α, D, ∂L/∂α, σ(g)
  const a = P + 5 * row, D = a + (<usize>T << 2), dA = D + (<usize>T << 2), sc = dA + (<usize>T << 2);
  for (let b = 0; b < n; b++) {
    const rowOff = (<usize>b * <usize>K) << 2;
    // the Junior's row, padded
    for (let k = 0; k < Kp; k += 4) v128.store(jrow + (<usize>k << 2), loadRow(junior + rowOff, k, K, 0));
    for (let i = 0; i < T; i++) {
      const s: f32 = scaling ? 1 / (1 + Mathf.exp(-load<f32>(gates + ((<usize>(b * T + i)) << 2)))) : 1;
      store<f32>(sc + (<usize>i << 2), s);
      const ti = teachers + ((<usize>i * <usize>n * <usize>K) << 2) + rowOff;
      for (let k = 0; k < Kp; k += 4) v128.store(u + <usize>i * row + (<usize>k << 2), vmul(splat(s), loadRow(ti, k, K, 0)));
    }
    logSoftmaxRow(jrow, Kp, K, 1, logPJ, pJ);
    if (attention) {
      let maxZ: f32 = -Infinity;
      for (let i = 0; i < T; i++) {
        logSoftmaxRow(u + <usize>i * row, Kp, K, 1, logU + <usize>i * row, sT); // sT: scratch for the probabilities
        store<f32>(D + (<usize>i << 2), klRow(pJ, logPJ, logU + <usize>i * row, Kp, K));
        maxZ = Mathf.max(maxZ, -load<f32>(D + (<usize>i << 2)) / tau);
      }
      let z: f32 = 0;
      for (let i = 0; i < T; i++) {
        const w = Mathf.exp(-load<f32>(D + (<usize>i << 2)) / tau - maxZ);
        store<f32>(a + (<usize>i << 2), w);
        z += w;
      }
      for (let i = 0; i < T; i++) store<f32>(a + (<usize>i << 2), load<f32>(a + (<usize>i << 2)) / z);
    } else {
      for (let i = 0; i < T; i++) store<f32>(a + (<usize>i << 2), 1 / <f32>T);
    }
    for (let k = 0; k < Kp; k += 4) {
      let s = splat(0);
      for (let i = 0; i < T; i++) s = vadd(s, vmul(splat(load<f32>(a + (<usize>i << 2))), v128.load(u + <usize>i * row + (<usize>k << 2))));
      v128.store(sT + (<usize>k << 2), s);
    }
    logSoftmaxRow(sT, Kp, K, 1 / temp, logP, P);
    if (temp != 1) logSoftmaxRow(jrow, Kp, K, 1 / temp, logQ, Q);
    const kl = klRow(P, logP, logQ, Kp, K);
    kd += <f64>(temp * temp * kl) / <f64>B;
    const klv = splat(kl);
    let seniorAcc = splat(0);
    for (let k = 0; k < Kp; k += 4) {
      const o = <usize>k << 2;
      const valid = laneMask(k, K);
      const p = v128.load(P + o);
      storeRow(dJunior + rowOff, k, K, vmul(kdScale, vsub(v128.load(Q + o), p)));
      const x = v128.load(sT + o), y = loadRow(labels + rowOff, k, K, 0);
      const e = vexp(f32x4.neg(f32x4.abs(x)));
      const ope = vadd(splat(1.0), e);
      seniorAcc = vadd(seniorAcc, v128.and(vsub(vadd(f32x4.pmax(x, splat(0.0)), vlog(ope)), vmul(y, x)), valid));
      const sig = vdiv(vsel(splat(1.0), e, f32x4.ge(x, splat(0.0))), ope);
      const kdPart = vmul(kdScale, vmul(p, vsub(vsub(v128.load(logP + o), v128.load(logQ + o)), klv)));
      v128.store(G + o, v128.and(vadd(kdPart, vmul(vsub(sig, y), bceScale)), valid));
    }
    senior += <f64>hsum(seniorAcc) / (<f64>B * <f64>K);
    // back through the mixture
    let mean: f32 = 0;
    for (let i = 0; i < T; i++) {
      let acc = splat(0);
      for (let k = 0; k < Kp; k += 4) acc = vadd(acc, vmul(v128.load(G + (<usize>k << 2)), v128.load(u + <usize>i * row + (<usize>k << 2))));
      store<f32>(dA + (<usize>i << 2), hsum(acc));
      mean += load<f32>(a + (<usize>i << 2)) * load<f32>(dA + (<usize>i << 2));
    }
    for (let i = 0; i < T; i++) {
      // without scaling the gates are no parameters of the score: their gradient is 0, written so (the block is reused)
      store<f32>(dGates + ((<usize>(b * T + i)) << 2), scaling ? load<f32>(a + (<usize>i << 2)) * load<f32>(dA + (<usize>i << 2)) * (1 - load<f32>(sc + (<usize>i << 2))) : 0);
      if (!attention) continue;
      const dD = splat(-load<f32>(a + (<usize>i << 2)) * (load<f32>(dA + (<usize>i << 2)) - mean) / tau);
      const Di = splat(load<f32>(D + (<usize>i << 2)));
      for (let k = 0; k < Kp; k += 4) {
        const o = <usize>k << 2;
        const term = vmul(dD, vmul(v128.load(pJ + o), vsub(vsub(v128.load(logPJ + o), v128.load(logU + <usize>i * row + o)), Di)));
        storeRow(dJunior + rowOff, k, K, vadd(loadRow(dJunior + rowOff, k, K, 0), v128.and(term, laneMask(k, K))));
      }
    }
  }
  lastSenior = senior;
  lastKd = kd;
  return senior + <f64>kdWeight * kd;
}
