import { describe, expect, it } from 'vitest';
import { ModelRuntime } from '../../src/core/model-runtime.js';
import { kernelWidthNote, kernelWidthObstacle } from '../../src/core/kernel-widths.js';
import { fusedStepSupports } from '../../src/core/fused-negative-step.js';
import type { KgeModel } from '../../src/core/model.js';
import { createModel } from '../../src/registry/models.js';

async function runtimeOf(name: string, dim: number, program = true): Promise<ModelRuntime> {
  // stored at its own width (a checkpoint's `storedDim` = dim): the padding of table-padding.ts left out
  const model = createModel(name, { dim, numEntities: 20, numRelations: 3 }, dim);
  return ModelRuntime.create(program ? model : (Object.create(model, { fusedQuery: { value: undefined } }) as KgeModel), 1);
}

describe('which dimensions the fused kernels run (kernel-widths.ts)', () => {
  it.each([
    // model, dim, the offending table, the nearest usable dimensions below and above
    ['DistMult', 50, "'entity' table of DistMult at --dim 50 is 50 floats wide", 48, 52],
    ['ComplEx', 6, "'entity' table of ComplEx at --dim 6 is 6 floats wide", 4, 8],
    // RotatE's phase table is dim/2 wide: 52 would give 26 phases, so the next usable dimension is 56
    ['RotatE', 50, "'entity' table of RotatE at --dim 50 is 50 floats wide", 48, 56],
    ['RotatE', 52, "'phase' table of RotatE at --dim 52 is 26 floats wide", 48, 56],
    ['RotH', 10, "'entity' table of RotH at --dim 10 is 10 floats wide", 8, 12],
  ] as const)('%s d=%i: the table named, then %i and %i', async (name, dim, reason, lower, upper) => {
    const runtime = await runtimeOf(name, dim);
    const obstacle = kernelWidthObstacle(runtime.model);
    expect(obstacle?.reason).toContain(reason);
    expect([obstacle?.lower, obstacle?.upper]).toEqual([lower, upper]);
    expect(fusedStepSupports(runtime.model, runtime.store)).toBe(false);
    expect(kernelWidthNote(obstacle!)).toContain(`--dim ${lower} or --dim ${upper} would train in the kernels`);
    // the suggestions do run in the kernels
    for (const d of [lower, upper]) {
      const other = await runtimeOf(name, d);
      expect(kernelWidthObstacle(other.model)).toBeNull();
      expect(fusedStepSupports(other.model, other.store)).toBe(true);
    }
  });

  it('has no suggestion below 4 and names a model without a fused program', async () => {
    const small = await runtimeOf('DistMult', 3);
    expect(kernelWidthObstacle(small.model)).toMatchObject({ lower: undefined, upper: 4 });
    expect(kernelWidthNote(kernelWidthObstacle(small.model)!)).toMatch(/; --dim 4 would train in the kernels$/);
    const noProgram = await runtimeOf('DistMult', 8, false);
    expect(kernelWidthObstacle(noProgram.model)).toEqual({ reason: 'DistMult has no fused query program' });
  });
});
