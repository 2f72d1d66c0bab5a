// Query programs: parsing and compile-time checks, and every model's `fusedQuery` run by the executor against the
// model's tfjs `query`: q, c and offset, and the gradients of a random weighted sum of them w.r.t. every input row.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { loadKernels, type Kernels } from '../../src/kernels/kernels.js';
import { QueryExecutor, queryProgram } from '../../src/kernels/query-program.js';
import { splitQueryProgram } from '../../src/kernels/query-program-split.js';
import { createModel, modelNames } from '../../src/registry/models.js';
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
    expect(() => new QueryExecutor(k, { ops: [], outputs: {} }, { x: 8 })).toThrow(/no outputs/);
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

// every registered model with a fused query program (a hand-kept list had left out ComplEx and RotatE)
const MODELS = modelNames().filter((name) => createModel(name, { dim: 8, numEntities: 2, numRelations: 1 }).fusedQuery !== undefined);
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
  // d = 30 for the attention models: rows stored 32 wide (table-padding.ts), the temperature 1/√30 in both
  for (const dim of name.startsWith('Att') ? [8, 30, 32] : [8, 32]) {
    it(`values and gradients (d = ${dim})`, () => {
      const model = createModel(name, { dim, numEntities: 10, numRelations: 3 });
      const d = model.tables.find((t) => t.name === 'entity')!.dim; // the rows' width (32 at dim 30)
      const program = model.fusedQuery;
      expect(program).toBeDefined();
      if (d !== dim) expect(program!.logicalWidth).toBe(dim);
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

describe('splitQueryProgram', () => {
  it("RotH: softplus, clampCurvature and the translations' exp₀ are relation-only; renamed reassignments stay single-assignment", () => {
    const model = createModel('RotH', { dim: 8, numEntities: 4, numRelations: 2 });
    const split = splitQueryProgram(model.fusedQuery!, new Set(['translation1', 'translation2', 'rotation', 'curvature']));
    expect(split.outer.ops.map((o) => `${o.out} = ${o.op}(${o.args.join(', ')})`)).toEqual([
      'c0 = softplus(curvature)', 'c = clampCurvature(c0)', 't1 = expmap0(translation1, c)', 't2 = expmap0(translation2, c)']);
    expect(new Set(split.boundary)).toEqual(new Set(['c', 't1', 'rotation', 't2']));
    expect(split.inner.ops.map((o) => `${o.out} = ${o.op}(${o.args.join(', ')})`)).toEqual([
      'h = expmap0(entity, c)', 'a = mobiusAdd(h, t1, c)', "a'1 = project(a, c)", "b = givensRotation(rotation, a'1)",
      'q0 = mobiusAdd(b, t2, c)', 'q = project(q0, c)']);
    expect(split.inner.outputs).toEqual({ q: 'q', c: 'c', offset: 'headBias' });
  });

  it('outer then inner equals the whole program, in values and gradients (AttH)', () => {
    const d = 8, n = 5;
    const model = createModel('AttH', { dim: d, numEntities: 4, numRelations: 2 });
    const relation = model.queryTables.filter((t) => model.tables.find((s) => s.name === t)!.indexedBy === 'relation');
    const widths = Object.fromEntries(model.queryTables.map((t) => [t, model.tables.find((s) => s.name === t)!.dim]));
    const rows = randomRows(model, d, 99);
    for (const t of model.queryTables) rows[t] = rows[t]!.slice(0, n * widths[t]!);
    const r = rng(5);
    const wq = uniform(r, n * d, -1, 1), wc = uniform(r, n, -1, 1), wo = uniform(r, n, -1, 1);
    const whole = new QueryExecutor(k, model.fusedQuery!, widths);
    whole.reserve(n);
    for (const t of model.queryTables) whole.input(t).array.set(rows[t]!);
    whole.forward(n);
    whole.seed('q')!.array.set(wq); whole.seed('c')!.array.set(wc); whole.seed('offset')!.array.set(wo);
    whole.backward(n);
    const split = splitQueryProgram(model.fusedQuery!, new Set(relation));
    const outer = new QueryExecutor(k, split.outer, Object.fromEntries(relation.map((t) => [t, widths[t]!])));
    const innerWidths: Record<string, number> = Object.fromEntries(model.queryTables.filter((t) => !relation.includes(t)).map((t) => [t, widths[t]!]));
    for (const b of split.boundary) innerWidths[b] = outer.outputWidth(b);
    const inner = new QueryExecutor(k, split.inner, innerWidths);
    outer.reserve(n); inner.reserve(n);
    for (const t of relation) outer.input(t).array.set(rows[t]!);
    outer.forward(n);
    for (const t of Object.keys(innerWidths)) inner.input(t).array.set(split.boundary.includes(t) ? outer.output(t)!.array.subarray(0, n * innerWidths[t]!) : rows[t]!);
    inner.forward(n);
    expect(Array.from(inner.output('q')!.array.subarray(0, n * d))).toEqual(Array.from(whole.output('q')!.array.subarray(0, n * d)));
    inner.seed('q')!.array.set(wq); inner.seed('c')!.array.set(wc); inner.seed('offset')!.array.set(wo);
    inner.backward(n);
    for (const b of split.boundary) outer.seed(b)!.array.set(inner.inputGrad(b).array.subarray(0, n * innerWidths[b]!));
    outer.backward(n);
    for (const t of model.queryTables) {
      const got = relation.includes(t) ? outer.inputGrad(t) : inner.inputGrad(t);
      expectClose(Array.from(got.array.subarray(0, n * widths[t]!)), Array.from(whole.inputGrad(t).array.subarray(0, n * widths[t]!)), 1e-6, 1e-6, t);
    }
  });
});
