// loadWithinMemory: a run's dataset loads under its plan's entity bound. Past it the run is refused in the memory
// check's words when the counts read cannot fit (early-memory-refusal.test.ts); when they can — a plan's bound is
// sized for full batches, and a train split under one batch steps with fewer queries — it loads again, unbounded.
import { describe, expect, it, vi } from 'vitest';
import path from 'node:path';
import type { LoadOptions } from '../../src/kg/dataset.js';

/** The bound every loadDataset call of the test was given. */
const bounds: (number | undefined)[] = [];
vi.mock('../../src/kg/dataset.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/kg/dataset.js')>();
  return { ...actual, loadDataset: (spec: string, options: LoadOptions = {}) => { bounds.push(options.maxEntities); return actual.loadDataset(spec, options); } };
});

const { entityLimitOf, entityLimitRefusal } = await import('../../src/pipeline/run-memory.js');
const { loadWithinMemory } = await import('../../src/pipeline/load-within-memory.js');
const { createModel } = await import('../../src/registry/models.js');
const { parseTrainingConfig } = await import('../../src/core/training-config.js');
const { flagOf } = await import('../../src/pipeline/option-schemas.js');
const { entityPairs, tempDir, writeFiles } = await import('../kg/helpers.js');

/** `lines` triples each naming two new entities (e0 r0 e1, e2 r1 e3, …). */
const pairs = (lines: number, from = 0): string => entityPairs(lines, { from });

describe('loadWithinMemory', () => {
  const dir = writeFiles(tempDir('kgdistill-load-within-'), { 'train.txt': pairs(10), 'valid.txt': pairs(5, 10), 'test.txt': pairs(5, 15) });
  // DistMult d = 8 fits millions of entities: a plan with a bound of 20 is a caller's own, below what memory refuses
  const plan = { model: createModel('DistMult', { dim: 8, numEntities: 1, numRelations: 1 }), config: parseTrainingConfig({}), settings: {}, backend: 'wasm', name: flagOf, maxEntities: 20, maxEntitiesWithValid: 20 };

  it('valid past a bound its counts fit: loaded again without the bound, whole', async () => {
    bounds.length = 0;
    const dataset = await loadWithinMemory(dir, { verify: false }, plan, 'flag');
    expect(bounds).toEqual([20, undefined]); // valid's first line named entities 21 and 22
    expect([dataset.entities.size, dataset.train.length / 3, dataset.valid.length / 3, dataset.test.length / 3]).toEqual([40, 10, 5, 5]);
  });

  it('within the bound, or without a plan: one load', async () => {
    bounds.length = 0;
    expect((await loadWithinMemory(dir, { verify: false }, { ...plan, maxEntities: 40, maxEntitiesWithValid: 40 }, 'flag')).entities.size).toBe(40);
    expect((await loadWithinMemory(dir, { verify: false }, undefined, 'flag')).entities.size).toBe(40);
    expect(bounds).toEqual([40, undefined]);
  });

  it("a reading error is the reader's, its hints named as the caller names options", async () => {
    const bad = writeFiles(tempDir('kgdistill-load-within-'), { 'train.txt': 'a,r,b,c\n', 'valid.txt': pairs(1), 'test.txt': pairs(1) });
    const said = `${path.join(bad, 'train.txt')}:1: expected 3 fields, found 4 (separated by commas; pick the head, relation and tail columns with`;
    await expect(loadWithinMemory(bad, { verify: false }, plan, 'flag')).rejects.toThrow(`${said} --columns, e.g. 0,1,2)`);
    await expect(loadWithinMemory(bad, { verify: false }, undefined, 'key')).rejects.toThrow(`${said} columns, e.g. 0,1,2)`);
  });

  it("a crossing is checked with the run's own validation: sampled candidates fit where every entity does not", () => {
    // DistMult d = 128 with train's defaults (batch 500, 50 negatives, Adagrad) in the real 4 GiB: the bound of
    // `kgdistill train --model DistMult --dim 128` on a graph of 3.8 M entities (docs/RESULTS.md, 2026-12-07)
    const model = createModel('DistMult', { dim: 128, numEntities: 1, numRelations: 1 });
    const config = parseTrainingConfig({ batchSize: 500, negatives: 50, optimizer: 'adagrad' });
    const full = { model, config, settings: {}, backend: 'wasm', name: flagOf };
    const sampled = { ...full, settings: { evalCandidates: 1000 } };
    expect(entityLimitOf(full).maxEntitiesWithValid).toBe(2_729_592);
    expect(entityLimitOf(sampled).maxEntitiesWithValid).toBeGreaterThan(3_900_000);
    const crossing = { file: 'train.txt', line: 1_364_797, entities: 2_729_594, relations: 3, limit: 2_729_592, split: 'train' as const, withValid: true };
    expect(entityLimitRefusal(full, crossing)?.message).toMatch(/^train\.txt:1364797: the train split names 2,729,594 entities by this line, .*: validation against all 2,729,594 entities at --dim 128 needs 1\.36 GiB/);
    expect(entityLimitRefusal(sampled, crossing)).toBeUndefined();
    expect(entityLimitRefusal(full, { ...crossing, withValid: false })).toBeUndefined(); // without validation, 3.9 M fit
  });

  it('a valid crossing is refused only past the bound of its own step, whose figure never falls', () => {
    // 1-N DistMult d = 168, batch 500, 237 relations, sampled validation (test/core/entity-bound.test.ts): the real
    // check refuses 2,097,152 entities and accepts 2,097,153 to 2,103,918 (at 2^21 a group of the loss's scores is larger)
    const model = createModel('DistMult', { dim: 168, numEntities: 1, numRelations: 1 });
    const plan = { model, config: parseTrainingConfig({ batchSize: 500, negatives: 0, optimizer: 'adagrad' }), settings: { evalCandidates: 100 }, backend: 'wasm', name: flagOf };
    const at = (entities: number, split: 'train' | 'valid') => ({ file: `${split}.txt`, line: 2, entities, relations: 237, limit: 2_000_000, split, trainEntities: 1000, withValid: true });
    expect(entityLimitRefusal(plan, at(2_097_152, 'train'))).toBeInstanceOf(Error); // a train crossing: the real check at the count
    expect(entityLimitRefusal(plan, at(2_097_153, 'train'))).toBeUndefined();
    expect(entityLimitRefusal(plan, at(2_097_152, 'valid'))).toBeUndefined(); // valid may add up to 2,103,918: loaded whole
    expect(entityLimitRefusal(plan, at(2_200_000, 'valid'))?.message).toMatch(/^valid\.txt:2: with the entities valid adds \(--unseen keep\), the splits name 2,200,000 entities by this line/);
  });
});
