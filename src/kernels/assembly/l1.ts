// The negative L1 distance, similarity kind 4 (negL1): s(q, v) = −Σ_i |q_i − v_i| — TransE's score with the L1
// norm (Bordes et al. 2013, eq. (1): d(h + ℓ, t) with d the L1 dissimilarity). Unlike kinds 0–3 it is not a
// function of (‖q‖², ‖v‖², q·v), so its maths lives here: the distance and VJP of one sampled pair (called from
// similarity.ts's loops over the B×M pairs as kind 4), and the per-block sums of the all-entity sweeps over the
// blocked table (the register tile of dense-scores.ts, the four lanes of top-k.ts). Those sweeps also sum kind 5
// (negModulusL1, modulus-l1.ts: the moduli of d/2 complex coordinates [Re | Im]) with `complex` set: the same loops
// over the d/2 real parts, each term the modulus of a real and an imaginary difference instead of |q_i − v_i|.
//
// VJP (subgradient 0 where q_i = v_i):   ∂s/∂q_i = −sign(q_i − v_i),   ∂s/∂v_i = +sign(q_i − v_i).
// Rows are d floats with d % 4 == 0 (simd.ts), so every loop runs on whole f32x4 lanes.
import { hsum } from './simd';
import { modulusLanes } from './modulus-l1';

/** Σ |a_k − b_k| of two rows of `bytes` bytes (two accumulators, as simd.ts `sqDist`). */
@inline export function l1Dist(a: usize, b: usize, bytes: usize): f32 {
  let acc0 = f32x4.splat(0);
  let acc1 = f32x4.splat(0);
  let k: usize = 0;
  for (; k + 32 <= bytes; k += 32) {
    acc0 = f32x4.add(acc0, f32x4.abs(f32x4.sub(v128.load(a + k), v128.load(b + k))));
    acc1 = f32x4.add(acc1, f32x4.abs(f32x4.sub(v128.load(a + k, 16), v128.load(b + k, 16))));
  }
  if (k < bytes) acc0 = f32x4.add(acc0, f32x4.abs(f32x4.sub(v128.load(a + k), v128.load(b + k))));
  return hsum(f32x4.add(acc0, acc1));
}

/** sign(a − b) per lane: +1 where a > b, −1 where a < b, 0 where equal (and where either is NaN). */
@inline export function signOfDifference(a: v128, b: v128): v128 {
  const one = f32x4.splat(1);
  return f32x4.sub(v128.and(f32x4.gt(a, b), one), v128.and(f32x4.lt(a, b), one));
}

/**
 * The VJP of one scored pair s = −‖q − v‖₁ with dL/ds = G: dq += G·(−sign(q − v)), gv += G·sign(q − v) (both
 * accumulated: a candidate drawn twice adds up).
 */
@inline export function l1PairBackward(q: usize, v: usize, G: f32, dq: usize, gv: usize, bytes: usize): void {
  const Gv = f32x4.splat(G);
  for (let k: usize = 0; k < bytes; k += 16) {
    const g = f32x4.mul(Gv, signOfDifference(v128.load(q + k), v128.load(v + k)));
    v128.store(dq + k, f32x4.sub(v128.load(dq + k), g));
    v128.store(gv + k, f32x4.add(v128.load(gv + k), g));
  }
}

/**
 * One term of a coordinate-wise distance, four lanes: |s − x| (kind 4), or with `complex` the modulus of
 * (s − x) + i·(t − y) (kind 5; s, t a query's real and imaginary part, x, y the entities').
 */
@inline function term(complex: bool, s: v128, t: v128, x: v128, y: v128): v128 {
  if (complex) return modulusLanes(f32x4.sub(s, x), f32x4.sub(t, y));
  return f32x4.abs(f32x4.sub(s, x));
}

/**
 * −‖q − v_l‖₁ (with `complex`, −Σ_i |q_i − v_l,i| over the d/2 complex coordinates) of one query row q (d floats)
 * and the four entities l of the block at `block` in the blocked layout of top-k.ts (coordinate k of the four at
 * block + 16k): one f32x4 of scores.
 */
@inline export function negDistanceLanes(complex: bool, q: usize, block: usize, d: i32): v128 {
  const n = complex ? d >> 1 : d; // terms: real coordinates, or complex ones with their imaginary parts n on
  const qi = <usize>n << 2, bi = <usize>n << 4;
  let acc = f32x4.splat(0);
  for (let k = 0; k < n; k++) {
    const qk = q + (<usize>k << 2), bk = block + (<usize>k << 4);
    const t = complex ? v128.load32_splat(qk + qi) : acc, y = complex ? v128.load(bk + bi) : acc;
    acc = f32x4.add(acc, term(complex, v128.load32_splat(qk), t, v128.load(bk), y));
  }
  return f32x4.neg(acc);
}

/**
 * The negL1 (with `complex`, negModulusL1) counterpart of dense-tiles.ts `dotTile4x8`: o_i[0..4) and
 * (o_i + second)[0..4) ← −‖q_i − e_l‖₁ for the 4 query rows q_i and the 8 entities l of the two blocks at `e` (d·4
 * floats each); the same 4×8 register tile.
 */
@inline export function negDistanceTile4x8(complex: bool, q0: usize, q1: usize, q2: usize, q3: usize, e: usize, d: i32,
  o0: usize, o1: usize, o2: usize, o3: usize, second: usize): void {
  let a00 = f32x4.splat(0), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
  const n = complex ? d >> 1 : d;
  const qi = <usize>n << 2, ei = <usize>n << 4; // imaginary parts (complex only)
  let e0 = e, e1 = e + (<usize>d << 4);
  const end = q0 + (<usize>n << 2);
  for (; q0 < end; q0 += 4, q1 += 4, q2 += 4, q3 += 4, e0 += 16, e1 += 16) {
    const x0 = v128.load(e0), x1 = v128.load(e1);
    const y0 = complex ? v128.load(e0 + ei) : x0, y1 = complex ? v128.load(e1 + ei) : x1;
    let s = v128.load32_splat(q0), t = complex ? v128.load32_splat(q0 + qi) : s;
    a00 = f32x4.add(a00, term(complex, s, t, x0, y0));
    a01 = f32x4.add(a01, term(complex, s, t, x1, y1));
    s = v128.load32_splat(q1);
    t = complex ? v128.load32_splat(q1 + qi) : s;
    a10 = f32x4.add(a10, term(complex, s, t, x0, y0));
    a11 = f32x4.add(a11, term(complex, s, t, x1, y1));
    s = v128.load32_splat(q2);
    t = complex ? v128.load32_splat(q2 + qi) : s;
    a20 = f32x4.add(a20, term(complex, s, t, x0, y0));
    a21 = f32x4.add(a21, term(complex, s, t, x1, y1));
    s = v128.load32_splat(q3);
    t = complex ? v128.load32_splat(q3 + qi) : s;
    a30 = f32x4.add(a30, term(complex, s, t, x0, y0));
    a31 = f32x4.add(a31, term(complex, s, t, x1, y1));
  }
  v128.store(o0, f32x4.neg(a00));
  v128.store(o0 + second, f32x4.neg(a01));
  v128.store(o1, f32x4.neg(a10));
  v128.store(o1 + second, f32x4.neg(a11));
  v128.store(o2, f32x4.neg(a20));
  v128.store(o2 + second, f32x4.neg(a21));
  v128.store(o3, f32x4.neg(a30));
  v128.store(o3 + second, f32x4.neg(a31));
}
