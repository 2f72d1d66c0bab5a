// The K best entities of queries that share one curvature c under s = −d_c(q, y)² + b_y + b_q (RotH, RefH, AttH,
// MuRP: Chami et al. 2020, eq. (3) and §4.3; y = expmap0(v, c)), in one pass, pruning most entities after their
// dot product.
//
// The distance is taken in its closed form (Ganea et al. 2018, eq. (5); Nickel & Kiela 2017, eq. (1)):
//   cosh(√c·d) = 1 + L,   L = 2c·‖q − y‖² / ((1 − c‖q‖²)(1 − c‖y‖²)) = 2c·α_q·α_y·(X + Y − 2g·(q·v)),
// with, per entity and curvature (`poincareEntityTerms`): t = √(c·‖v‖²), g = tanh t / t (y = g·v), Y = ‖y‖² =
// tanh²t / c and α_y = 1/(1 − cY) = cosh²t; per query α_q = 1/(1 − cX). The kernel keeps α_y, α_y·Y and 2α_y·g
// per entity, so a candidate costs d multiply-adds and five lane operations for L/(2c·α_q) =
// α_y·X + α_y·Y − 2α_y·g·(q·v); d² = acosh(1 + L)²/c only for candidates that can still enter the heap.
// Pruning: entities are visited in descending order of their bias (the caller passes the table blocked in that
// order, with `perm` mapping positions to entity ids). Once the heap holds K entities with worst score w, an entity
// of bias ≤ b enters only if d² < b + b_q − w; for each group of GROUP blocks the bound b is the group's first
// (largest) bias, giving the threshold L < cosh(√(c·(b + b_q − w))) − 1, and when b + b_q ≤ w no later entity can
// enter at all. The distance is capped where poincare.ts clamps artanh (z ≤ Z_MAX, as KGEmb): c·d² ≤ DC2_MAX, so
// beyond the cap every entity ties on distance. The pruning needs no change for it: each of the K kept scores is at
// least its bias (≥ b) + b_q − DC2_MAX/c, so c·(b + b_q − w) never passes the cap.
// Scores agree with poincare.ts's to float32 rounding (different but equivalent formulas), so exactly tied
// candidates may be ordered differently; ties between equal scores go to the entity visited first.
import { vlog, K as splat, vadd, vmul, vsel, vsub, vdiv, vexp } from './vmath';
import { heapSortDescending, offerLanes } from './top-k';
import { RATIO_MAX } from './poincare';

/** Blocks per pruning group (128 entities): the threshold (a cosh) is recomputed once per group. */
const GROUP: i32 = 32;
/** Blocks per chunk of the sweep (2,048 entities: ~100 KB of table at d = 8), a multiple of GROUP. */
const CHUNK_BLOCKS: i32 = 16 * GROUP;
/** t = √(cV) is clamped here for α = cosh²t and Y (finite in float32: e^30/4); g takes the unclamped t. */
const T_MAX: f32 = 15;
/** Below this L, acosh(1 + L)² = 2L − L²/3 + 8L³/45 (series; the log of 1 + L loses digits). */
const L_SERIES: f32 = 0.01;

/**
 * The cap on c·d_c²: poincare.ts's distance is 2·artanh(z)/√c with z ≤ Z_MAX, so c·d² ≤ (2·artanh Z_MAX)² =
 * log((1 + Z_MAX)/(1 − Z_MAX))² (≈ 148.9).
 */
export const DC2_MAX: f32 = <f32>(Math.log(<f64>RATIO_MAX) * Math.log(<f64>RATIO_MAX));

/** acosh(1 + L)² per lane (= c·d_c² from L = c·coef·α‖q − y‖²), at most DC2_MAX: the series 2L − L²/3 + 8L³/45 below L_SERIES, else log(1 + L + √(L(L + 2)))². */
@inline export function acoshSq(L: v128): v128 {
  const series = vmul(L, vsub(splat(2.0), vmul(L, vsub(splat(<f32>(1.0 / 3.0)), vmul(L, splat(<f32>(8.0 / 45.0)))))));
  const ac = vlog(vadd(vadd(splat(1.0), L), f32x4.sqrt(vmul(L, vadd(L, splat(2.0))))));
  return f32x4.pmin(vsel(series, vmul(ac, ac), f32x4.lt(L, splat(L_SERIES))), splat(DC2_MAX));
}

/**
 * Per entity i < N for curvature c, from v2[i] = ‖v_i‖², with t = min(√(c·v2), T_MAX), α = cosh²t, Y = tanh²t/c and
 * g = tanh t / √(c·v2) (y = g·v has norm tanh t/√c also past T_MAX): alpha[i] = α, alphaY[i] = α·Y,
 * twoAlphaG[i] = 2α·g, so that α·‖q − y‖² = α·X + α·Y − 2α·g·(q·v).
 * Padding lanes up to ⌈N/4⌉·4 get 0, +∞, 0 (their distance is infinite).
 */
export function poincareEntityTerms(N: i32, c: f32, v2: usize, alpha: usize, alphaY: usize, twoAlphaG: usize): void {
  const cv = splat(c), invC = splat(1 / c);
  const blocks = (N + 3) >> 2;
  const lane = f32x4(0, 1, 2, 3);
  for (let blk = 0; blk < blocks; blk++) {
    const o = <usize>blk << 4;
    const tTrue = f32x4.sqrt(vmul(cv, v128.load(v2 + o)));
    const t = f32x4.pmin(tTrue, splat(T_MAX));
    const e = vexp(vmul(t, splat(-2.0))); // e^{−2t}
    const opE = vadd(splat(1.0), e);
    const th = vdiv(vsub(splat(1.0), e), opE);
    const u = vmul(t, t);
    // tanh t / t by its series below t = 0.3 (1 − t²/3 + 2t⁴/15 − 17t⁶/315), else by the quotient
    const gs = vadd(splat(1.0), vmul(u, vadd(splat(<f32>(-1.0 / 3.0)), vmul(u, vadd(splat(<f32>(2.0 / 15.0)),
      vmul(u, splat(<f32>(-17.0 / 315.0))))))));
    const g = vsel(gs, vdiv(th, tTrue), f32x4.lt(t, splat(0.3))); // y = g·v: past T_MAX, tanh t / t of the true t
    const a = vdiv(vmul(opE, opE), vmul(splat(4.0), e)); // cosh²t = (1 + e)²/(4e)
    const valid = f32x4.lt(lane, splat(<f32>(N - (blk << 2))));
    v128.store(alpha + o, vsel(a, splat(0.0), valid));
    v128.store(alphaY + o, vsel(vmul(a, vmul(vmul(th, th), invC)), splat(Infinity), valid));
    v128.store(twoAlphaG + o, vsel(vmul(splat(2.0), vmul(a, g)), splat(0.0), valid));
  }
}

/** Dot products of query q (d floats) with the four entities of one block, two accumulators (d % 2 == 0 fast). */
@inline export function blockDots(qp: usize, base: usize, d: i32): v128 {
  let P0 = splat(0), P1 = splat(0);
  let k = 0;
  for (; k + 1 < d; k += 2) {
    const o = <usize>k;
    P0 = vadd(P0, vmul(v128.load32_splat(qp + (o << 2)), v128.load(base + (o << 4))));
    P1 = vadd(P1, vmul(v128.load32_splat(qp + (o << 2), 4), v128.load(base + (o << 4), 16)));
  }
  if (k < d) P0 = vadd(P0, vmul(v128.load32_splat(qp + (<usize>k << 2)), v128.load(base + (<usize>k << 4))));
  return vadd(P0, P1);
}

/**
 * For each query b (all of curvature c): outIds/outScores[b·K, (b + 1)·K) ← its K best entities, descending.
 * `blocked` is the table in blocked layout in visiting order (descending bias), `perm` the entity id of each
 * position, alpha/alphaY/twoAlphaG from poincareEntityTerms and `bias` the biases in that order (padded); rowBias may be 0.
 * The table is swept in chunks of CHUNK_BLOCKS blocks, each chunk for every query before the next (so a chunk
 * stays in cache instead of the whole table streaming from memory once per query); `state` (B int32) keeps each
 * query's heap size between chunks, −1 once it can stop.
 */
export function poincareTopK(B: i32, N: i32, d: i32, K: i32, c: f32, q: usize, x2: usize, rowBias: usize,
  blocked: usize, perm: usize, alpha: usize, alphaY: usize, twoAlphaG: usize, bias: usize, outIds: usize,
  outScores: usize, state: usize): void {
  const blocks = (N + 3) >> 2;
  const lane = f32x4(0, 1, 2, 3);
  const invC = splat(1 / c);
  memory.fill(state, 0, <usize>B << 2);
  for (let chunk = 0; chunk < blocks; chunk += CHUNK_BLOCKS) {
    const chunkEnd = min(blocks, chunk + CHUNK_BLOCKS);
    for (let b = 0; b < B; b++) {
      let size = load<i32>(state + (<usize>b << 2));
      if (size < 0) continue;
      const qp = q + ((<usize>b * <usize>d) << 2);
      const hs = outScores + ((<usize>b * <usize>K) << 2), hi = outIds + ((<usize>b * <usize>K) << 2);
      const X = load<f32>(x2 + (<usize>b << 2));
      const Xv = splat(X);
      const coefScalar: f32 = 2 * c / Mathf.max(1 - c * X, 1e-12); // 2c·α_q
      const coef = splat(coefScalar);
      const offScalar: f32 = rowBias != 0 ? load<f32>(rowBias + (<usize>b << 2)) : 0;
      const off = splat(offScalar);
      let worst: f32 = size == K ? load<f32>(hs) : -Infinity;
      let limit = splat(Infinity); // prune threshold on L for the current group
      for (let blk = chunk; blk < chunkEnd; blk++) {
        if (size == K && blk % GROUP == 0) {
          const margin = <f64>load<f32>(bias + (<usize>blk << 4)) + <f64>offScalar - <f64>worst;
          if (margin <= 0) { // biases only decrease from here: nobody can beat the worst any more
            size = -1;
            break;
          }
          limit = splat(<f32>((Math.cosh(Math.sqrt(<f64>c * margin)) - 1) / <f64>coefScalar));
        }
        const P = blockDots(qp, blocked + ((<usize>blk * <usize>d) << 4), d);
        const o = <usize>blk << 4;
        // L/coef = α·‖q − y‖² = αX + αY − 2αg·P (padding lanes: αY = +∞)
        const Lq = f32x4.pmax(vsub(vadd(vmul(v128.load(alpha + o), Xv), v128.load(alphaY + o)), vmul(v128.load(twoAlphaG + o), P)), splat(0.0));
        if (size == K && !v128.any_true(f32x4.lt(Lq, limit))) continue;
        const L = vmul(coef, Lq);
        const inRange = f32x4.lt(lane, splat(<f32>(N - (blk << 2))));
        const dc2 = acoshSq(L); // d²·c
        let s = vadd(vsub(v128.load(bias + o), vmul(dc2, invC)), off);
        s = v128.bitselect(s, splat(-Infinity), v128.and(f32x4.eq(s, s), inRange)); // NaN, padding → −∞
        size = offerLanes(s, blk, N, perm, hs, hi, size, K);
        if (size == K) worst = load<f32>(hs);
      }
      store<i32>(state + (<usize>b << 2), size);
    }
  }
  for (let b = 0; b < B; b++) {
    heapSortDescending(outScores + ((<usize>b * <usize>K) << 2), outIds + ((<usize>b * <usize>K) << 2), K);
  }
}

