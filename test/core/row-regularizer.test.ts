// The N3 and L2 row regularisers (losses.ts): hand-computed values, the host path's gradient (used beside the kernels)
// against float64 central finite differences and against tfjs autodiff of the tape path, for real rows and for
// complex rows ([Re | Im] halves, N3 on each coordinate's modulus, as KGEmb's get_factors and Lacroix et al. 2018),
// and which models' tables are complex.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { addRowRegularizerGradient, rowRegularizer, type RegularizerName } from '../../src/core/losses.js';
import { createModel } from '../../src/registry/models.js';

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
});

/** The regulariser in float64 from its definition, for finite differences. */
function reference(name: RegularizerName, weight: number, rows: Float64Array, dim: number, complex: boolean, batchSize: number): number {
  let sum = 0;
  if (name === 'l2') for (const x of rows) sum += x * x;
  else if (!complex) for (const x of rows) sum += Math.abs(x) ** 3;
  else {
    for (let o = 0; o < rows.length; o += dim) for (let k = 0; k < dim / 2; k++) sum += Math.hypot(rows[o + k]!, rows[o + dim / 2 + k]!) ** 3;
  }
  return (weight * sum) / batchSize;
}

describe('row regularisers', () => {
  it('complex N3 penalises moduli: one coordinate 3 + 4i gives w·125/B, where the real N3 gives w·(27 + 64)/B', () => {
    const rows = Float32Array.of(3, 4); // one row of d = 2: [Re | Im] = 3 + 4i
    const grad = new Float32Array(2);
    expect(addRowRegularizerGradient('n3', 0.5, rows, grad, 5, { dim: 2 })).toBeCloseTo((0.5 * 125) / 5, 5);
    // ∂/∂a = 3·(w/B)·a·|z| = 3·0.1·3·5, ∂/∂b = 3·0.1·4·5
    expect(Array.from(grad)).toEqual([expect.closeTo(4.5, 5), expect.closeTo(6, 5)]);
    expect(addRowRegularizerGradient('n3', 0.5, rows, new Float32Array(2), 5)).toBeCloseTo((0.5 * 91) / 5, 5);
    const tape = rowRegularizer('n3', 0.5, [{ values: tf.tensor2d(rows, [1, 2]), complexPairs: true }], 5);
    expect(tape.dataSync()[0]).toBeCloseTo(12.5, 4);
    tape.dispose();
  });

  it('writes the gradient over what grad held (its callers scatter-add it into the table themselves)', () => {
    // l2, w = 0.5, B = 5 → scale 0.1: ∂/∂x = 2·0.1·x → [0.2, −0.4], value 0.1·(1 + 4) = 0.5; n3 complex 3 + 4i: [4.5, 6] (see above)
    const grad = Float32Array.of(7, 7);
    expect(addRowRegularizerGradient('l2', 0.5, Float32Array.of(1, -2), grad, 5)).toBeCloseTo(0.1 * 5, 6);
    expect(Array.from(grad)).toEqual([expect.closeTo(0.2, 6), expect.closeTo(-0.4, 6)]);
    // n3 on real coordinates 3, 4: 3·0.1·x·|x| → [2.7, 4.8], value 0.1·(27 + 64) = 9.1
    const real = Float32Array.of(7, 7);
    expect(addRowRegularizerGradient('n3', 0.5, Float32Array.of(3, 4), real, 5)).toBeCloseTo(9.1, 5);
    expect(Array.from(real)).toEqual([expect.closeTo(2.7, 5), expect.closeTo(4.8, 5)]);
    const complex = Float32Array.of(7, 7);
    addRowRegularizerGradient('n3', 0.5, Float32Array.of(3, 4), complex, 5, { dim: 2 });
    expect(Array.from(complex)).toEqual([expect.closeTo(4.5, 5), expect.closeTo(6, 5)]);
  });

  for (const [name, complex] of [['n3', true], ['n3', false], ['l2', true], ['l2', false]] as const) {
    it(`${name}${complex ? ' on complex rows' : ''}: host gradient = finite differences = tfjs autodiff`, () => {
      const B = 3, dim = 6, weight = 0.05;
      const rows = Float32Array.from({ length: B * dim }, (_, i) => Math.sin(1.7 * i + 0.3) * (i % 4 === 0 ? 0.01 : 1));
      const grad = new Float32Array(rows.length);
      const value = addRowRegularizerGradient(name, weight, rows, grad, B, complex ? { dim } : undefined);
      const exact = Float64Array.from(rows);
      expect(value).toBeCloseTo(reference(name, weight, exact, dim, complex, B), 6);
      const h = 1e-6;
      for (let i = 0; i < rows.length; i++) {
        const plus = Float64Array.from(exact), minus = Float64Array.from(exact);
        plus[i]! += h;
        minus[i]! -= h;
        const numeric = (reference(name, weight, plus, dim, complex, B) - reference(name, weight, minus, dim, complex, B)) / (2 * h);
        expect(grad[i], `row value ${i}`).toBeCloseTo(numeric, 4);
      }
      const x = tf.tensor2d(rows, [B, dim]);
      const autodiff = tf.grad((v: tf.Tensor) => rowRegularizer(name, weight, [{ values: v as tf.Tensor2D, complexPairs: complex }], B))(x);
      const tapeGrad = autodiff.dataSync();
      for (let i = 0; i < rows.length; i++) expect(tapeGrad[i]).toBeCloseTo(grad[i]!, 4);
      tf.dispose([x, autodiff]);
    });
  }

  it('ComplEx and RotatE rows are complex pairs for the regulariser; DistMult, TransE and RotH rows are real', () => {
    const complexTables = (model: string): string[] =>
      createModel(model, { dim: 8, numEntities: 10, numRelations: 2 }).tables.filter((t) => t.complexPairs).map((t) => t.name);
    expect(complexTables('ComplEx')).toEqual(['entity', 'relation']);
    expect(complexTables('RotatE')).toEqual(['entity']);
    for (const model of ['DistMult', 'TransE', 'RotH']) expect(complexTables(model)).toEqual([]);
  });
});
