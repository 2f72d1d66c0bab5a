// The Euclidean models' initial tables, sampled (not only their specs): each model starts from the distribution its
// file documents — TransE uniform ±6/√d with unit entity rows (Bordes et al. 2013, Algorithm 1, lines 1, 3 and 5;
// relation rows not rescaled, see transe.ts), RotatE entities uniform ±(9 + 2)/(d/2) and phases uniform in [−π, π)
// (Sun et al. 2019's code), DistMult and ComplEx normal(0, 0.001); --init-scale makes the embeddings normal, RotatE's
// phases stay uniform.
import { describe, expect, it } from 'vitest';
import { createModel } from '../../src/registry/models.js';
import { ModelRuntime } from '../../src/core/model-runtime.js';

const shape = { numEntities: 400, numRelations: 50 };
const dim = 32;

/** The table's values, its extremes, mean, standard deviation and mean row length. */
async function sample(model: string, table: string, extra: Record<string, unknown> = {}) {
  const runtime = await ModelRuntime.create(createModel(model, { dim, ...shape, ...extra }), 0);
  const store = runtime.store.table(table);
  const values = Array.from(store.data.array);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
  let lengths = 0;
  for (let row = 0; row < store.rows; row++) lengths += Math.hypot(...values.slice(row * store.dim, (row + 1) * store.dim));
  return { min: Math.min(...values), max: Math.max(...values), mean, std, rowLength: lengths / store.rows };
}

describe('initial tables of the Euclidean models', () => {
  it('TransE: unit entity rows; relation coordinates uniform in ±6/√d (std 6/√(3d), rows of length ≈ √12)', async () => {
    const bound = 6 / Math.sqrt(dim);
    const entity = await sample('TransE', 'entity');
    expect(Math.abs(entity.rowLength - 1)).toBeLessThan(1e-6);
    const relation = await sample('TransE', 'relation');
    expect(relation.min).toBeGreaterThanOrEqual(-bound);
    expect(relation.max).toBeLessThanOrEqual(bound);
    expect(relation.max).toBeGreaterThan(0.95 * bound);
    expect(Math.abs(relation.std - bound / Math.sqrt(3)) / (bound / Math.sqrt(3))).toBeLessThan(0.03);
    expect(Math.abs(relation.rowLength - Math.sqrt(12))).toBeLessThan(0.15);
  });

  it('RotatE: entities uniform in ±(9 + 2)/(d/2), phases uniform in [−π, π); --init-scale changes the entities only', async () => {
    const range = 11 / (dim / 2);
    const entity = await sample('RotatE', 'entity');
    expect(entity.min).toBeGreaterThanOrEqual(-range);
    expect(entity.max).toBeLessThanOrEqual(range);
    expect(Math.abs(entity.std - range / Math.sqrt(3)) / (range / Math.sqrt(3))).toBeLessThan(0.03);
    for (const extra of [{}, { initScale: 0.01 }]) {
      const phase = await sample('RotatE', 'phase', extra);
      expect(phase.min).toBeGreaterThanOrEqual(-Math.PI);
      expect(phase.max).toBeLessThan(Math.PI);
      expect(Math.abs(phase.std - Math.PI / Math.sqrt(3))).toBeLessThan(0.05);
      expect(Math.abs(phase.mean)).toBeLessThan(0.05);
    }
    const scaled = await sample('RotatE', 'entity', { initScale: 0.01 });
    expect(Math.abs(scaled.std - 0.01)).toBeLessThan(3e-4);
  });

  it('DistMult and ComplEx: normal(0, 0.001) by default, normal(0, s) with --init-scale s', async () => {
    for (const model of ['DistMult', 'ComplEx']) {
      for (const [extra, std] of [[{}, 0.001], [{ initScale: 0.05 }, 0.05]] as const) {
        for (const table of ['entity', 'relation']) {
          const drawn = await sample(model, table, extra);
          expect(Math.abs(drawn.std - std) / std).toBeLessThan(0.03);
          expect(Math.abs(drawn.mean)).toBeLessThan(std / 10);
        }
      }
    }
  });
});
