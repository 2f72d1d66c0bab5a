/**
 * Plain-number float64 reference of the Poincaré-ball functions, written from the papers' formulas directly
 * (Chami et al., ACL 2020: eq. (1) exp/log maps, eq. (2) distance via Möbius addition, eq. (3)–(4) Givens
 * blocks via θ = atan2; Ganea et al., NeurIPS 2018: Möbius addition in its textbook form). It deliberately does
 * NOT use the rearrangements of src/hyperbolic and ball-oracles.ts (ratio functions, the D/(ab) distance
 * identity, the a(x+y)+csx Möbius numerator), so agreement between the two checks those rearrangements too. One
 * row at a time.
 */

export type Vec = number[];
/** Rows [B][d]. */
export type Mat = number[][];

/** Same ball margin as src/hyperbolic BALL_EPS. */
export const REF_BALL_EPS = 1e-5;
/** Same artanh clamp as ARTANH_EPS of ball-oracles.ts. */
export const REF_ARTANH_EPS = 5e-6;

/** ⟨x, y⟩. */
export function dot(x: Vec, y: Vec): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * y[i]!;
  return s;
}

/** ‖x‖. */
export function norm(x: Vec): number {
  return Math.sqrt(dot(x, x));
}

/** k·x. */
export function scale(x: Vec, k: number): Vec {
  return x.map((v) => v * k);
}

/** x + y. */
export function add(x: Vec, y: Vec): Vec {
  return x.map((v, i) => v + y[i]!);
}

/** −x. */
export function neg(x: Vec): Vec {
  return x.map((v) => -v);
}

/** artanh with the same clamp as the tfjs guard. */
export function artanh(x: number): number {
  const lim = 1 - REF_ARTANH_EPS;
  return Math.atanh(Math.min(lim, Math.max(-lim, x)));
}

/** tanh with the same input clamp as the tfjs guard. */
export function tanh(x: number): number {
  return Math.tanh(Math.min(15, Math.max(-15, x)));
}

/** acosh for x ≥ 1 (clamped). */
export function acosh(x: number): number {
  return Math.acosh(Math.max(1, x));
}

/** Radial projection onto √c‖x‖ ≤ 1 − eps. */
export function project(x: Vec, c: number, eps = REF_BALL_EPS): Vec {
  const n = norm(x);
  const maxNorm = (1 - eps) / Math.sqrt(c);
  return n > maxNorm ? scale(x, maxNorm / n) : x.slice();
}

/** exp₀ᶜ(u) = tanh(√c‖u‖) u/(√c‖u‖), then projected (as the tfjs version). */
export function expmap0(u: Vec, c: number): Vec {
  const n = norm(u);
  if (n === 0) return u.slice();
  const sc = Math.sqrt(c);
  return project(scale(u, tanh(sc * n) / (sc * n)), c);
}

/** log₀ᶜ(y) = artanh(√c‖y‖) y/(√c‖y‖). */
export function logmap0(y: Vec, c: number): Vec {
  const n = norm(y);
  if (n === 0) return y.slice();
  const sc = Math.sqrt(c);
  const z = Math.min(sc * n, 1 - REF_ARTANH_EPS);
  return scale(y, artanh(z) / (sc * n));
}

/** Textbook Möbius addition, no projection. */
export function mobiusAddRaw(x: Vec, y: Vec, c: number): Vec {
  const xy = dot(x, y);
  const x2 = dot(x, x);
  const y2 = dot(y, y);
  const num = add(scale(x, 1 + 2 * c * xy + c * y2), scale(y, 1 - c * x2));
  return scale(num, 1 / (1 + 2 * c * xy + c * c * x2 * y2));
}

/** Möbius addition, projected (as the tfjs version). */
export function mobiusAdd(x: Vec, y: Vec, c: number): Vec {
  return project(mobiusAddRaw(x, y, c), c);
}

/** d_c(x, y) = (2/√c) artanh(√c‖(−x) ⊕ y‖), with an unclamped artanh (float64 has the headroom). */
export function distance(x: Vec, y: Vec, c: number): number {
  const sc = Math.sqrt(c);
  return (2 / sc) * Math.atanh(sc * norm(mobiusAddRaw(neg(x), y, c)));
}

/** d_c(x, y)². */
export function sqDistance(x: Vec, y: Vec, c: number): number {
  return distance(x, y, c) ** 2;
}

function givens(r: Vec, x: Vec, reflect: boolean): Vec {
  const out = new Array<number>(x.length);
  for (let i = 0; i < x.length; i += 2) {
    const theta = Math.atan2(r[i + 1]!, r[i]!);
    const cs = Math.cos(theta);
    const sn = Math.sin(theta);
    const x0 = x[i]!;
    const x1 = x[i + 1]!;
    if (reflect) {
      out[i] = cs * x0 + sn * x1;
      out[i + 1] = sn * x0 - cs * x1;
    } else {
      out[i] = cs * x0 - sn * x1;
      out[i + 1] = sn * x0 + cs * x1;
    }
  }
  return out;
}

/** Block rotation by θᵢ = atan2(r₂ᵢ₊₁, r₂ᵢ) (Chami et al. eq. (3)). */
export function givensRotation(r: Vec, x: Vec): Vec {
  return givens(r, x, false);
}

/** Block reflection G⁻(θᵢ) (Chami et al. eq. (4)). */
export function givensReflection(r: Vec, x: Vec): Vec {
  return givens(r, x, true);
}

/**
 * Fourth-order central finite-difference gradient of a scalar function of several matrices, in float64:
 * (−f(v+2s) + 8f(v+s) − 8f(v−s) + f(v−2s)) / 12s with s = h·max(|v|, 1e-3) (relative, so a small positive
 * curvature stays positive). Truncation O(s⁴) keeps it accurate next to the ball's boundary singularity.
 */
export function finiteDifferenceGrad(f: (inputs: Mat[]) => number, inputs: Mat[], h = 3e-7): Mat[] {
  const work = inputs.map((m) => m.map((row) => row.slice()));
  const at = (row: number[], j: number, v: number): number => {
    const old = row[j]!;
    row[j] = v;
    const out = f(work);
    row[j] = old;
    return out;
  };
  return work.map((m) =>
    m.map((row) =>
      row.map((v, j) => {
        const s = h * Math.max(Math.abs(v), 1e-3);
        return (-at(row, j, v + 2 * s) + 8 * at(row, j, v + s) - 8 * at(row, j, v - s) + at(row, j, v - 2 * s)) / (12 * s);
      }),
    ),
  );
}
