// Runs of versions before 2026-12-07, which accepted values a 32-bit float cannot hold (an --init-scale or --lr of
// 1e-46 trained with 0 in its place): such a checkpoint still opens (its initScale only said how the tables began),
// and resuming it says why it cannot be resumed instead of calling the configuration edited.
import { describe, expect, it } from 'vitest';
import { modelFromConfig } from '../../src/registry/models.js';
import { parseSaved } from '../../src/pipeline/header-options.js';
import { flagOf, parseOptions, trainOptionsSchema } from '../../src/pipeline/options.js';

describe('a run recorded with a value float32 cannot hold', () => {
  it('opens: the recorded initScale is not checked again when the tables are loaded', () => {
    const model = modelFromConfig({ model: 'DistMult', dim: 4, numEntities: 10, numRelations: 2, options: { initScale: 1e-46 } }, '/runs/old/best.json');
    expect(model.config.model).toBe('DistMult');
    expect(model.config.dim).toBe(4);
    expect(() => modelFromConfig({ model: 'DistMult', dim: 4, numEntities: 10, numRelations: 2, options: { initScale: -1 } }, '/runs/old/best.json'))
      .toThrow('/runs/old/best.json: ');
  });

  it('is not resumed, and the message says why rather than "edited"', () => {
    const saved = { dataset: 'data', model: 'DistMult', dim: 4, epochs: 2, lr: 1e-46 };
    const parse = (options: Record<string, unknown>) => parseOptions(trainOptionsSchema, options, 'flag');
    const from = { saved, given: { epochs: 3 }, name: flagOf, source: { file: '/runs/old/config.json', copy: false } };
    expect(() => parseSaved(parse, { ...saved, epochs: 3 }, from)).toThrow(
      '/runs/old/config.json: options.lr must be a positive number a 32-bit float holds (at least 1.4e-45; a smaller one rounds to 0) (got 1e-46); versions before 2026-12-07 accepted this value, which a 32-bit float cannot hold (the run trained with Infinity or 0 in its place): it cannot be resumed; start a new run');
  });
});
