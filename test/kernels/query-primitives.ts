// The query-program primitives as test cases: kernel forward/VJP, the tfjs function they reproduce, and the
// float64 reference; shared by query-primitives.test.ts and query-guards.test.ts.
import * as tf from '@tensorflow/tfjs';
import { complexMultiply, splitComplex } from '../../src/models/complex-ops.js';
import type { Kernels } from '../../src/kernels/kernels.js';
import type { F32Block } from '../../src/kernels/kernel-memory.js';
import { AUX_WIDTH } from '../../src/kernels/fused-kernels.js';
import { clampCurvature, expmap0, givensReflection, givensRotation, mobiusAdd, project } from '../../src/hyperbolic/index.js';
import { attend } from '../../src/hyperbolic/models/shared-tables.js';
import { attentionRef, clampC, complexMulRef, expmap0Ref, givensRef, mobiusAddRef, projectRef, softplusRef } from '../../src/kernels/query-reference.js';
import { f32 } from './helpers.js';

/** One primitive: `wide` inputs of n rows × d, an optional curvature [n]; output [n × d]. */
export interface Primitive {
  name: string;
  wide: number;
  curvature: boolean;
  aux: number;
  forward(k: Kernels, n: number, d: number, ins: F32Block[], c: F32Block, out: F32Block, aux: F32Block): void;
  backward(k: Kernels, n: number, d: number, ins: F32Block[], c: F32Block, aux: F32Block, g: F32Block,
    gIns: F32Block[], gc: F32Block): void;
  tfjs(ins: tf.Tensor2D[], c: tf.Tensor2D): tf.Tensor;
  /** One output row from one row of each input (float64). */
  ref(rows: Float64Array[], c: number): Float64Array;
}

const nd = (n: number, d: number): number => n * d;

export const PRIMITIVES: Primitive[] = [
  {
    name: 'expmap0', wide: 1, curvature: true, aux: AUX_WIDTH.expmap0,
    forward: (k, n, d, [u], c, out, aux) => k.fused.expmap0Forward(n, d, u!, c, out, aux),
    backward: (k, n, d, [u], c, aux, g, [gu], gc) => k.fused.expmap0Backward(n, d, u!, c, aux, g, gu!, gc),
    tfjs: ([u], c) => expmap0(u!, c),
    ref: ([u], c) => expmap0Ref(u!, c),
  },
  {
    name: 'mobiusAdd', wide: 2, curvature: true, aux: AUX_WIDTH.mobiusAdd,
    forward: (k, n, d, [x, y], c, out, aux) => k.fused.mobiusAddForward(n, d, x!, y!, c, out, aux),
    backward: (k, n, d, [x, y], c, aux, g, [gx, gy], gc) => k.fused.mobiusAddBackward(n, d, x!, y!, c, aux, g, gx!, gy!, gc),
    tfjs: ([x, y], c) => mobiusAdd(x!, y!, c),
    ref: ([x, y], c) => mobiusAddRef(x!, y!, c),
  },
  {
    name: 'project', wide: 1, curvature: true, aux: AUX_WIDTH.project,
    forward: (k, n, d, [x], c, out, aux) => k.fused.projectForward(n, d, x!, c, out, aux),
    backward: (k, n, d, [x], c, aux, g, [gx], gc) => k.fused.projectBackward(n, d, x!, c, aux, g, gx!, gc),
    tfjs: ([x], c) => project(x!, c),
    ref: ([x], c) => projectRef(x!, c),
  },
  {
    name: 'givensRotation', wide: 2, curvature: false, aux: 0,
    forward: (k, n, d, [r, x], _c, out) => k.fused.givensForward(false, n, d, r!, x!, out),
    backward: (k, n, d, [r, x], _c, _aux, g, [gr, gx]) => k.fused.givensBackward(false, n, d, r!, x!, g, gr!, gx!),
    tfjs: ([r, x]) => givensRotation(r!, x!),
    ref: ([r, x]) => givensRef(false, r!, x!),
  },
  {
    name: 'givensReflection', wide: 2, curvature: false, aux: 0,
    forward: (k, n, d, [r, x], _c, out) => k.fused.givensForward(true, n, d, r!, x!, out),
    backward: (k, n, d, [r, x], _c, _aux, g, [gr, gx]) => k.fused.givensBackward(true, n, d, r!, x!, g, gr!, gx!),
    tfjs: ([r, x]) => givensReflection(r!, x!),
    ref: ([r, x]) => givensRef(true, r!, x!),
  },
  {
    name: 'attention', wide: 3, curvature: false, aux: AUX_WIDTH.attention,
    forward: (k, n, d, [a, x1, x2], _c, out, aux) => k.fused.attentionForward(n, d, a!, x1!, x2!, out, aux),
    backward: (k, n, d, [a, x1, x2], _c, aux, g, [ga, g1, g2]) => k.fused.attentionBackward(n, d, a!, x1!, x2!, aux, g, ga!, g1!, g2!),
    tfjs: ([a, x1, x2]) => attend(a!, x1!, x2!),
    ref: ([a, x1, x2]) => attentionRef(a!, x1!, x2!),
  },
  {
    name: 'softplus', wide: 1, curvature: false, aux: 0,
    forward: (k, n, d, [x], _c, out) => k.fused.softplusForward(nd(n, d), x!, out),
    backward: (k, n, d, [x], _c, _aux, g, [gx]) => k.fused.softplusBackward(nd(n, d), x!, g, gx!),
    tfjs: ([x]) => tf.softplus(x!),
    ref: ([x]) => Float64Array.from(x!, softplusRef),
  },
  {
    name: 'clampCurvature', wide: 1, curvature: false, aux: 0,
    forward: (k, n, d, [x], _c, out) => k.fused.clampCurvatureForward(nd(n, d), x!, out),
    backward: (k, n, d, [x], _c, _aux, g, [gx]) => k.fused.clampCurvatureBackward(nd(n, d), x!, g, gx!),
    tfjs: ([x]) => clampCurvature(x!),
    ref: ([x]) => Float64Array.from(x!, clampC),
  },
  {
    name: 'add', wide: 2, curvature: false, aux: 0,
    forward: (k, n, d, [x, y], _c, out) => k.fused.addForward(nd(n, d), x!, y!, out),
    backward: (k, n, d, _ins, _c, _aux, g, [gx, gy]) => {
      k.fused.accumulate(nd(n, d), g, gx!);
      k.fused.accumulate(nd(n, d), g, gy!);
    },
    tfjs: ([x, y]) => tf.add(x!, y!),
    ref: ([x, y]) => Float64Array.from(x!, (v, i) => v + y![i]!),
  },
  {
    name: 'mul', wide: 2, curvature: false, aux: 0,
    forward: (k, n, d, [x, y], _c, out) => k.fused.mulForward(nd(n, d), x!, y!, out),
    backward: (k, n, d, [x, y], _c, _aux, g, [gx, gy]) => k.fused.mulBackward(nd(n, d), x!, y!, g, gx!, gy!),
    tfjs: ([x, y]) => tf.mul(x!, y!),
    ref: ([x, y]) => Float64Array.from(x!, (v, i) => v * y![i]!),
  },
  {
    name: 'complexMul', wide: 2, curvature: false, aux: 0,
    forward: (k, n, d, [x, y], _c, out) => k.fused.complexMulForward(n, d, x!, y!, out),
    backward: (k, n, d, [x, y], _c, _aux, g, [gx, gy]) => k.fused.complexMulBackward(n, d, x!, y!, g, gx!, gy!),
    tfjs: ([x, y]) => {
      const [xRe, xIm] = splitComplex(x!);
      const [yRe, yIm] = splitComplex(y!);
      return complexMultiply(xRe, xIm, yRe, yIm);
    },
    ref: ([x, y]) => complexMulRef(x!, y!),
  },
];

/** Inputs of a primitive: wide rows (row-major [n × d] each) and one curvature per row. */
export interface Inputs { ins: number[][]; c: number[] }

/** Runs forward (and, given g, the VJP on gradient blocks pre-filled with `prior`) with the kernels. */
export function runKernel(k: Kernels, p: Primitive, n: number, d: number, x: Inputs, g?: number[], prior?: number[][],
  priorC?: number[]) {
  const ins = x.ins.map((v) => f32(k, v));
  const c = f32(k, x.c.length > 0 ? x.c : Array(n).fill(1));
  const out = k.memory.allocF32(n * d);
  const aux = k.memory.allocF32(Math.max(1, n * p.aux));
  p.forward(k, n, d, ins, c, out, aux);
  if (!g) return { out: Array.from(out.array), gIns: [] as number[][], gc: [] as number[] };
  const gIns = x.ins.map((_, i) => f32(k, prior?.[i] ?? Array(n * d).fill(0)));
  const gc = f32(k, priorC ?? Array(n).fill(0));
  p.backward(k, n, d, ins, c, aux, f32(k, g), gIns, gc);
  return {
    out: Array.from(out.array),
    gIns: gIns.map((b, i) => Array.from(b.array, (v, j) => v - (prior?.[i]?.[j] ?? 0))),
    gc: Array.from(gc.array, (v, j) => v - (priorC?.[j] ?? 0)),
  };
}

/** The tfjs function's output and the gradients of Σ g·out w.r.t. every input (and c when used). */
export function runTfjs(p: Primitive, n: number, d: number, x: Inputs, g: number[]) {
  return tf.tidy(() => {
    const ins = x.ins.map((v) => tf.tensor2d(v, [n, d]));
    const c = tf.tensor2d(x.c.length > 0 ? x.c : Array(n).fill(1), [n, 1]);
    const gT = tf.tensor2d(g, [n, d]);
    const out = Array.from(p.tfjs(ins, c).dataSync());
    const f = (...xs: tf.Tensor[]): tf.Scalar =>
      tf.sum(tf.mul(p.tfjs(xs.slice(0, p.wide) as tf.Tensor2D[], (xs[p.wide] ?? c) as tf.Tensor2D), gT)) as tf.Scalar;
    const { grads } = tf.valueAndGrads(f)(p.curvature ? [...ins, c] : ins);
    return {
      out,
      gIns: grads.slice(0, p.wide).map((t) => Array.from(t.dataSync())),
      gc: p.curvature ? Array.from(grads[p.wide]!.dataSync()) : [],
    };
  });
}

/** Rows i of each input as float64 vectors. */
export function rowsOf(x: Inputs, i: number, d: number): Float64Array[] {
  return x.ins.map((v) => Float64Array.from(v.slice(i * d, i * d + d)));
}
