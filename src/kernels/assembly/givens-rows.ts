// Givens rotations/reflections and two-way attention over n rows of d floats (d % 4 == 0), forward and VJP
// (accumulating into the input gradients), as src/hyperbolic/givens.ts and `attend` in
// src/hyperbolic/models/shared-tables.ts compute them.
//
// Givens (Chami et al. 2020, eq. (3)–(4)): each coordinate pair (x₀, x₁) is mapped by the 2×2 block of the
// relation's pair (r₀, r₁) normalised to (cos θ, sin θ) = r/max(‖r‖, MIN_NORM):
//   rotation   G⁺ = [c −s; s c]: y₀ = c·x₀ − s·x₁, y₁ = s·x₀ + c·x₁;  VJP ∂x = G⁺ᵀg, ∂c = g₀x₀ + g₁x₁, ∂s = g₁x₀ − g₀x₁
//   reflection G⁻ = [c s; s −c]: y₀ = c·x₀ + s·x₁, y₁ = s·x₀ − c·x₁;  VJP ∂x = G⁻g,  ∂c = g₀x₀ − g₁x₁, ∂s = g₀x₁ + g₁x₀
// and through the normalisation u = r/n: ∂r = (∂u − (∂u·u)·u)/n where ‖r‖² ≥ MIN_NORM², ∂r = ∂u/n below it (the
// floor passes no gradient), which is givens.ts's zero-pair guard. One f32x4 holds two pairs.
//
// Attention (Chami et al. 2020, eq. (8)): α = softmax(a·x₁/√d, a·x₂/√d), out = α₁x₁ + α₂x₂; with
// ℓ = α₁α₂(g·x₁ − g·x₂)/√d the VJP is ∂a = ℓ(x₁ − x₂), ∂x₁ = α₁g + ℓa, ∂x₂ = α₂g − ℓa.
import { hsum, madd } from './simd';

/** MIN_NORM² of src/hyperbolic/guards.ts. */
const MIN_SQ_NORM: f32 = 1e-20;
/** Floats of `aux` per row written by attentionForward. */
export const ATTENTION_AUX = 2;

/** Lanes (b, a, d, c) of (a, b, c, d): swaps the two floats of each pair. */
@inline function swapPairs(v: v128): v128 {
  return f32x4.shuffle(v, v, 1, 0, 3, 2);
}

/** Pair norms (per lane) and norm-floor mask of the last unitPairs call. */
let gNorm: v128 = f32x4(0, 0, 0, 0);
let gBig: v128 = f32x4(0, 0, 0, 0);

/** Per-lane (cos θ, sin θ) of the two pairs of r4; sets gNorm (the pair norms, per lane) and gBig (norm floor mask). */
@inline function unitPairs(r4: v128): v128 {
  const sq = f32x4.mul(r4, r4);
  const ps = f32x4.add(sq, swapPairs(sq));
  gBig = f32x4.ge(ps, f32x4.splat(MIN_SQ_NORM));
  gNorm = f32x4.sqrt(f32x4.max(ps, f32x4.splat(MIN_SQ_NORM)));
  return f32x4.div(r4, gNorm);
}

const SIGN_MP: v128 = f32x4(-1, 1, -1, 1);
const SIGN_PM: v128 = f32x4(1, -1, 1, -1);

/** out = G(r)·x pairwise; reflect = 0 for the rotation G⁺, 1 for the reflection G⁻. */
export function givensForward(reflect: i32, n: i32, d: i32, r: usize, x: usize, out: usize): void {
  const bytes = <usize>d << 2;
  const total = <usize>n * bytes;
  for (let k: usize = 0; k < total; k += 16) {
    const cs = unitPairs(v128.load(r + k));
    const cosv = f32x4.shuffle(cs, cs, 0, 0, 2, 2), sinv = f32x4.shuffle(cs, cs, 1, 1, 3, 3);
    const xv = v128.load(x + k), xs = swapPairs(xv);
    const y = reflect == 0
      ? madd(f32x4.mul(sinv, xs), SIGN_MP, f32x4.mul(cosv, xv))
      : madd(sinv, xs, f32x4.mul(f32x4.mul(cosv, xv), SIGN_PM));
    v128.store(out + k, y);
  }
}

/** VJP of givensForward: gr += ∂L/∂r, gx += ∂L/∂x for upstream g. */
export function givensBackward(reflect: i32, n: i32, d: i32, r: usize, x: usize, g: usize, gr: usize,
  gx: usize): void {
  const bytes = <usize>d << 2;
  const total = <usize>n * bytes;
  for (let k: usize = 0; k < total; k += 16) {
    const cs = unitPairs(v128.load(r + k));
    const cosv = f32x4.shuffle(cs, cs, 0, 0, 2, 2), sinv = f32x4.shuffle(cs, cs, 1, 1, 3, 3);
    const gv = v128.load(g + k), gs = swapPairs(gv);
    const xv = v128.load(x + k), xs = swapPairs(xv);
    let dx: v128, p: v128, q: v128;
    if (reflect == 0) {
      dx = madd(f32x4.mul(sinv, gs), SIGN_PM, f32x4.mul(cosv, gv));
      p = f32x4.mul(gv, xv); // pair sum: g₀x₀ + g₁x₁ = ∂c
      q = f32x4.mul(f32x4.mul(gv, xs), SIGN_MP); // pair sum: −g₀x₁ + g₁x₀ = ∂s
    } else {
      dx = madd(sinv, gs, f32x4.mul(f32x4.mul(cosv, gv), SIGN_PM));
      p = f32x4.mul(f32x4.mul(gv, xv), SIGN_PM); // g₀x₀ − g₁x₁
      q = f32x4.mul(gv, xs); // g₀x₁ + g₁x₀
    }
    const gc = f32x4.add(p, swapPairs(p)), gsn = f32x4.add(q, swapPairs(q));
    const gu = f32x4.shuffle(gc, gsn, 0, 5, 2, 7); // (∂c, ∂s) per pair
    const uu = f32x4.mul(gu, cs);
    const proj = v128.and(f32x4.mul(f32x4.add(uu, swapPairs(uu)), cs), gBig);
    v128.store(gr + k, f32x4.add(v128.load(gr + k), f32x4.div(f32x4.sub(gu, proj), gNorm)));
    v128.store(gx + k, f32x4.add(v128.load(gx + k), dx));
  }
}

/** Second result of dotPair. */
let dpSecond: f32 = 0;

/** One pass: returns a·x and leaves a·y in dpSecond. */
@inline function dotPair(a: usize, x: usize, y: usize, bytes: usize): f32 {
  let s1 = f32x4.splat(0), s2 = s1;
  for (let k: usize = 0; k < bytes; k += 16) {
    const av = v128.load(a + k);
    s1 = madd(av, v128.load(x + k), s1);
    s2 = madd(av, v128.load(y + k), s2);
  }
  dpSecond = hsum(s2);
  return hsum(s1);
}

/**
 * out = α₁x₁ + α₂x₂, α = softmax(a·x₁/√w, a·x₂/√w) per row of d floats; aux = [α₁, α₂]. w is the width the model's
 * temperature is defined at: d, or less when the rows end in zero columns stored only for these kernels.
 */
export function attentionForward(n: i32, d: i32, w: i32, a: usize, x1: usize, x2: usize, out: usize, aux: usize): void {
  const bytes = <usize>d << 2;
  const scale = <f32>(1.0 / Math.sqrt(<f64>w));
  for (let i = 0; i < n; i++) {
    const o = <usize>i * bytes;
    const l1 = dotPair(a + o, x1 + o, x2 + o, bytes) * scale, l2 = dpSecond * scale;
    const m = Mathf.max(l1, l2);
    const e1 = Mathf.exp(l1 - m), e2 = Mathf.exp(l2 - m);
    const w1 = e1 / (e1 + e2), w2 = e2 / (e1 + e2);
    const w1v = f32x4.splat(w1), w2v = f32x4.splat(w2);
    for (let k: usize = 0; k < bytes; k += 16) {
      v128.store(out + o + k, madd(w2v, v128.load(x2 + o + k), f32x4.mul(w1v, v128.load(x1 + o + k))));
    }
    store<f32>(aux + (<usize>i << 3), w1);
    store<f32>(aux + (<usize>i << 3), w2, 4);
  }
}

/** VJP of attentionForward (the same w): ga += ∂L/∂a, gx1 += ∂L/∂x₁, gx2 += ∂L/∂x₂. */
export function attentionBackward(n: i32, d: i32, w: i32, a: usize, x1: usize, x2: usize, aux: usize, g: usize, ga: usize,
  gx1: usize, gx2: usize): void {
  const bytes = <usize>d << 2;
  const scale = <f32>(1.0 / Math.sqrt(<f64>w));
  for (let i = 0; i < n; i++) {
    const o = <usize>i * bytes;
    const w1 = load<f32>(aux + (<usize>i << 3)), w2 = load<f32>(aux + (<usize>i << 3), 4);
    const g1 = dotPair(g + o, x1 + o, x2 + o, bytes), g2 = dpSecond;
    const l = w1 * w2 * (g1 - g2) * scale;
    const lv = f32x4.splat(l), w1v = f32x4.splat(w1), w2v = f32x4.splat(w2);
    for (let k: usize = 0; k < bytes; k += 16) {
      const p = o + k;
      const av = v128.load(a + p), gv = v128.load(g + p), v1 = v128.load(x1 + p), v2 = v128.load(x2 + p);
      v128.store(ga + p, madd(lv, f32x4.sub(v1, v2), v128.load(ga + p)));
      v128.store(gx1 + p, f32x4.add(v128.load(gx1 + p), madd(lv, av, f32x4.mul(w1v, gv))));
      v128.store(gx2 + p, f32x4.add(v128.load(gx2 + p), f32x4.sub(f32x4.mul(w2v, gv), f32x4.mul(lv, av))));
    }
  }
}
