// Float64 reference of the query-program primitives (assembly/ball-rows.ts, givens-rows.ts, elementwise.ts), one
// row at a time, written the plain way with the same guards as src/hyperbolic (curvature clamp, projection
// margin, conformal floor, pair-norm floor): the readable spec the kernels' values and hand-written VJPs are
// tested against (central finite differences of these functions), and `queryProgramRef`, which runs a whole query
// program on one query in float64.
import type { QueryProgram } from './query-program.js';

/** A read-only numeric vector. */
export type Vec = ArrayLike<number>;

/** Guards of src/hyperbolic/guards.ts. */
export const GUARDS = { minCurvature: 1e-7, maxCurvature: 1e8, ballEps: 1e-5, minConformal: 1e-6, minNorm: 1e-10,
  tanhMax: 15, expTMax: 1e30 } as const;

function dot(a: Vec, b: Vec): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += a[k]! * b[k]!;
  return s;
}

/** c clamped to [MIN_CURVATURE, MAX_CURVATURE] (src/hyperbolic/guards.ts clampCurvature). */
export function clampC(c: number): number {
  return Math.min(Math.max(c, GUARDS.minCurvature), GUARDS.maxCurvature);
}

/** softplus(x) = log(1 + eˣ), overflow-free. */
export function softplusRef(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/** x rescaled onto √c‖x‖ = 1 − ε when √c‖x‖ > 1 − ε (src/hyperbolic/ball.ts). */
export function projectRef(x: Vec, c: number): Float64Array {
  const cc = clampC(c);
  const s = Math.min((1 - GUARDS.ballEps) / Math.sqrt(Math.max(cc * dot(x, x), 0.25)), 1);
  return Float64Array.from(x, (v) => s * v);
}

/** exp₀ᶜ(u) = tanh(√c‖u‖)·u/(√c‖u‖), projected (Chami et al. 2020, eq. (1); src/hyperbolic/exp-log.ts). */
export function expmap0Ref(u: Vec, c: number): Float64Array {
  const cc = clampC(c);
  const t = Math.min(cc * dot(u, u), GUARDS.expTMax);
  const z = Math.sqrt(t);
  const r = z < 1e-8 ? 1 - t / 3 : Math.tanh(Math.min(z, GUARDS.tanhMax)) / z;
  return projectRef(Float64Array.from(u, (v) => r * v), cc);
}

/**
 * x ⊕ᶜ y = ((1 + 2c⟨x,y⟩ + c‖y‖²)x + (1 − c‖x‖²)y)/(1 + 2c⟨x,y⟩ + c²‖x‖²‖y‖²) (Ganea et al. 2018, eq. (4)), in
 * mobius.ts's form (a(x + y) + c‖x + y‖²x)/(ab + c‖x + y‖²) with a, b floored at MIN_CONFORMAL, then projected.
 */
export function mobiusAddRef(x: Vec, y: Vec, c: number): Float64Array {
  const cc = clampC(c);
  const a = Math.max(1 - cc * dot(x, x), GUARDS.minConformal);
  const b = Math.max(1 - cc * dot(y, y), GUARDS.minConformal);
  const sum = Float64Array.from(x, (v, k) => v + y[k]!);
  const cs = cc * dot(sum, sum);
  const den = a * b + cs;
  return projectRef(Float64Array.from(sum, (v, k) => (a * v + cs * x[k]!) / den), cc);
}

/** Givens rotation (reflect false, Chami et al. 2020 eq. (3)) or reflection (eq. (4)) of x by r's pairs. */
export function givensRef(reflect: boolean, r: Vec, x: Vec): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i += 2) {
    const n = Math.sqrt(Math.max(r[i]! ** 2 + r[i + 1]! ** 2, GUARDS.minNorm ** 2));
    const cos = r[i]! / n, sin = r[i + 1]! / n;
    const x0 = x[i]!, x1 = x[i + 1]!;
    out[i] = reflect ? cos * x0 + sin * x1 : cos * x0 - sin * x1;
    out[i + 1] = reflect ? sin * x0 - cos * x1 : sin * x0 + cos * x1;
  }
  return out;
}

/** α₁x₁ + α₂x₂ with α = softmax(a·x₁/√w, a·x₂/√w) (Chami et al. 2020, eq. (8)); w the model's width (default d). */
export function attentionRef(a: Vec, x1: Vec, x2: Vec, w = a.length): Float64Array {
  const scale = 1 / Math.sqrt(w);
  const l1 = dot(a, x1) * scale, l2 = dot(a, x2) * scale;
  const m = Math.max(l1, l2);
  const e1 = Math.exp(l1 - m), e2 = Math.exp(l2 - m);
  return Float64Array.from(x1, (v, k) => (e1 * v + e2 * x2[k]!) / (e1 + e2));
}

/** Central finite differences of the scalar f at x (step h per coordinate). */
export function centralDifferences(f: (x: Float64Array) => number, x: Vec, h = 1e-6): Float64Array {
  const base = Float64Array.from(x);
  return Float64Array.from(base, (_, i) => {
    const p = base.slice(), m = base.slice();
    p[i] += h;
    m[i] -= h;
    return (f(p) - f(m)) / (2 * h);
  });
}

/** The outputs of a query program for one query (float64). */
export interface QueryRowsRef { q: Float64Array; c?: Float64Array; offset?: Float64Array }

/** (a + ib)(c + ie) per complex coordinate of one row in [Re | Im] layout. */
export function complexMulRef(x: Float64Array, y: Float64Array): Float64Array {
  const h = x.length / 2;
  const out = new Float64Array(x.length);
  for (let k = 0; k < h; k++) {
    out[k] = x[k]! * y[k]! - x[k + h]! * y[k + h]!;
    out[k + h] = x[k]! * y[k + h]! + x[k + h]! * y[k]!;
  }
  return out;
}

/** Runs a query program on one query's input rows in float64 with the functions above (the executor's spec). */
export function queryProgramRef(program: QueryProgram, inputs: Readonly<Record<string, Vec>>): QueryRowsRef {
  const env = new Map<string, Float64Array>(Object.entries(inputs).map(([k, v]) => [k, Float64Array.from(v)]));
  const get = (name: string): Float64Array => {
    const v = env.get(name);
    if (!v) throw new Error(`queryProgramRef: '${name}' is not defined`);
    return v;
  };
  for (const op of program.ops) {
    const [a, b, c] = op.args.map(get) as [Float64Array, Float64Array, Float64Array];
    let out: Float64Array;
    switch (op.op) {
      case 'softplus': out = a.map(softplusRef); break;
      case 'clampCurvature': out = a.map(clampC); break;
      case 'expmap0': out = expmap0Ref(a, b[0]!); break;
      case 'mobiusAdd': out = mobiusAddRef(a, b, c[0]!); break;
      case 'project': out = projectRef(a, b[0]!); break;
      case 'givensRotation': out = givensRef(false, a, b); break;
      case 'givensReflection': out = givensRef(true, a, b); break;
      case 'attention': out = attentionRef(a, b, c, program.logicalWidth); break;
      case 'add': out = a.map((v, i) => v + b[i]!); break;
      case 'mul': out = a.map((v, i) => v * b[i]!); break;
      case 'complexMul': out = complexMulRef(a, b); break;
      case 'phasor': out = Float64Array.from([...Array.from(a, Math.cos), ...Array.from(a, Math.sin)]); break;
    }
    env.set(op.out, out);
  }
  const { q, c, offset } = program.outputs;
  return { q: get(q), c: c === undefined ? undefined : get(c), offset: offset === undefined ? undefined : get(offset) };
}
