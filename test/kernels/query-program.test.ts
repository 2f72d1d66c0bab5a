// Query programs: parsing and compile-time checks, and every model's `fusedQuery` run by the executor against the
// model's tfjs `query`: q, c and offset, and the gradients of a random weighted sum of them w.r.t. every input row.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { loadKernels, type Kernels } from '../../src/kernels/kernels.js';
import { QueryExecutor, queryProgram } from '../../src/kernels/query-program.js';
import { createModel } from '../../src/models/registry.js';
import type { KgeModel } from '../../src/core/model.js';
import { expectClose, rng, uniform } from './helpers.js';

let k: Kernels;
beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
  k = await loadKernels();
});

describe('queryProgram', () => {
  it('parses statements and rejects unknown ops, bad arity and undefined names', () => {
    const p = queryProgram(['c = softplus(curvature)', 'a = expmap0( entity , c );', 'a = project(a, c)'], { q: 'a', c: 'c' });
    expect(p.ops.map((o) => [o.out, o.op, o.args.join(',')])).toEqual([
      ['c', 'softplus', 'curvature'], ['a', 'expmap0', 'entity,c'], ['a', 'project', 'a,c']]);
    expect(() => queryProgram(['a = frobnicate(x)'], { q: 'a' })).toThrow(/unknown op/);
    expect(() => queryProgram(['a = mul(x)'], { q: 'a' })).toThrow(/takes 2 arguments/);
    expect(() => queryProgram(['a + b'], { q: 'a' })).toThrow(/cannot parse/);
    expect(() => new QueryExecutor(k, queryProgram(['a = mul(x, y)'], { q: 'a' }), { x: 8 })).toThrow(/before it is defined/);
    expect(() => new QueryExecutor(k, queryProgram(['a = mul(x, y)'], { q: 'a' }), { x: 8, y: 4 })).toThrow(/different widths/);
    expect(() => new QueryExecutor(k, queryProgram(['a = expmap0(x, y)'], { q: 'a' }), { x: 8, y: 8 })).toThrow(/width 1/);
    expect(() => new QueryExecutor(k, queryProgram(['a = expmap0(x, y)'], { q: 'a' }), { x: 6, y: 1 })).toThrow(/divisible by 4/);
    expect(() => new QueryExecutor(k, queryProgram(['a = mul(x, x)'], { q: 'a', c: 'a' }), { x: 8 })).toThrow(/output c must have width 1/);
    expect(() => new QueryExecutor(k, queryProgram([], { q: 'z' }), { x: 8 })).toThrow(/not defined/);
  });

  it('accumulates the gradient of an input used twice (q = x ∘ x + x)', () => {
    const ex = new QueryExecutor(k, queryProgram(['s = mul(x, x)', 'q = add(s, x)'], { q: 'q' }), { x: 4 });
    ex.reserve(2);
    ex.input('x').array.set([1, 2, 3, 4, -1, 0, 0.5, 2]);
    ex.forward(2);
    expect(Array.from(ex.output('q')!.array)).toEqual([2, 6, 12, 20, 0, 0, 0.75, 6]);
    ex.seed('q')!.array.fill(1);
    ex.backward(2);
    expect(Array.from(ex.inputGrad('x').array)).toEqual([3, 5, 7, 9, -1, 1, 2, 5]); // 2x + 1
    ex.backward(2); // gradients are rebuilt, not accumulated across calls
    expect(Array.from(ex.inputGrad('x').array)).toEqual([3, 5, 7, 9, -1, 1, 2, 5]);
  });
});

const MODELS = ['RotH', 'RefH', 'AttH', 'MuRP', 'RotE', 'RefE', 'AttE', 'MuRE', 'DistMult', 'TransE'];
const B = 6;

/** Random rows for each query table: embeddings with norms around 0.5–1.5, curvatures c₀ in [−1, 2], etc. */
function randomRows(model: KgeModel, d: number, seed: number): Record<string, number[]> {
  const r = rng(seed);
  const rows: Record<string, number[]> = {};
  for (const name of model.queryTables) {
    const spec = model.tables.find((t) => t.name === name)!;
    const width = spec.dim;
    if (name === 'curvature') rows[name] = uniform(r, B * width, -1, 2);
    else if (width === 1) rows[name] = uniform(r, B * width, -1, 1);
    else rows[name] = uniform(r, B * width, -0.5, 0.5).map((v) => v * (spec.init.kind === 'uniform' ? 2 : 1));
  }
  for (let j = 0; j < d; j++) rows.entity![d + j] = 0; // row 1: a zero head (exp₀(0) = 0 and its gradient)
  return rows;
}

describe.each(MODELS)('%s: fusedQuery equals the tfjs query', (name) => {
  for (const d of [8, 32]) {
    it(`values and gradients (d = ${d})`, () => {
      const model = createModel(name, { dim: d, numEntities: 10, numRelations: 3 });
      const program = model.fusedQuery;
      expect(program).toBeDefined();
      const rows = randomRows(model, d, d + name.length);
      const widths = Object.fromEntries(model.queryTables.map((t) => [t, model.tables.find((s) => s.name === t)!.dim]));
      const r = rng(7 * d);
      const wq = uniform(r, B * d, -1, 1), wc = uniform(r, B, -1, 1), wo = uniform(r, B, -1, 1);

      const want = tf.tidy(() => {
        const inputs = model.queryTables.map((t) => tf.tensor2d(rows[t]!, [B, widths[t]!]));
        const named = (xs: tf.Tensor[]) => Object.fromEntries(model.queryTables.map((t, i) => [t, xs[i] as tf.Tensor2D]));
        const out = model.query(named(inputs));
        const values = { q: Array.from(out.q.dataSync()), c: out.c ? Array.from(out.c.dataSync()) : [], offset: out.offset ? Array.from(out.offset.dataSync()) : [] };
        const { grads } = tf.valueAndGrads((...xs: tf.Tensor[]) => {
          const o = model.query(named(xs));
          let L = tf.sum(tf.mul(o.q, tf.tensor2d(wq, [B, d])));
          if (o.c) L = tf.add(L, tf.sum(tf.mul(o.c, tf.tensor2d(wc, [B, 1]))));
          if (o.offset) L = tf.add(L, tf.sum(tf.mul(o.offset, tf.tensor2d(wo, [B, 1]))));
          return L as tf.Scalar;
        })(inputs);
        return { values, grads: grads.map((g) => Array.from(g.dataSync())) };
      });

      const ex = new QueryExecutor(k, program!, widths);
      ex.reserve(B);
      for (const t of model.queryTables) ex.input(t).array.set(rows[t]!);
      ex.forward(B);
      const scale = (x: number[]) => Math.max(1, ...x.map(Math.abs));
      expectClose(Array.from(ex.output('q')!.array.subarray(0, B * d)), want.values.q, 2e-5, 2e-6 * scale(want.values.q), 'q');
      if (program!.outputs.c) expectClose(Array.from(ex.output('c')!.array.subarray(0, B)), want.values.c, 2e-6, 2e-7, 'c');
      if (program!.outputs.offset) expectClose(Array.from(ex.output('offset')!.array.subarray(0, B)), want.values.offset, 0, 0, 'offset');
      ex.seed('q')!.array.set(wq);
      ex.seed('c')?.array.set(wc);
      ex.seed('offset')?.array.set(wo);
      ex.backward(B);
      model.queryTables.forEach((t, i) => {
        const got = Array.from(ex.inputGrad(t).array.subarray(0, B * widths[t]!));
        expectClose(got, want.grads[i]!, 3e-4, 3e-5 * scale(want.grads[i]!), `${name} ∂/∂${t}`);
      });
    });
  }
});
