// The loss registry (on the core's Registry): names, validation of hyper-parameters with clear errors, defaults,
// documentation.
import { describe, expect, it } from 'vitest';
import { LOSS_REGISTRY, createLoss, describeLosses, lossNames, parseLossParams } from '../../../src/general/losses/registry.js';

describe('loss registry', () => {
  it('holds the methods\' losses, each documented with paper and equation', () => {
    expect(lossNames()).toEqual(['ce', 'kd', 'hinton-kd', 'dml', 'dcm', 'nt-xent', 'similarity-kl', 'feature-mse', 'attention', 'ffsd-diversity', 'focal', 'ntd', 'cbd', 'weighted-kd', 'bounded-regression', 'hint']);
    for (const entry of describeLosses()) {
      expect(entry.paper.length).toBeGreaterThan(10);
      expect(entry.equation).toMatch(/=/);
      expect(entry.inputs.length).toBeGreaterThan(0);
    }
    expect(LOSS_REGISTRY.describe()).toMatch(/^ {2}ce {18}cross-entropy with the ground-truth labels$/m);
  });

  it('rejects an unknown name, listing the known ones; names match case-insensitively, as in every registry', () => {
    expect(() => createLoss('kl-div')).toThrow("unknown distillation loss 'kl-div'; known losses: ce, kd, hinton-kd, dml");
    expect(() => LOSS_REGISTRY.get('')).toThrow(/unknown distillation loss ''/);
    expect(LOSS_REGISTRY.get('KD').name).toBe('kd');
    expect(parseLossParams('Hinton-KD', {})).toEqual({ temperature: 4, alpha: 0.9 });
  });

  it('rejects bad hyper-parameters naming the loss and every field', () => {
    expect(() => createLoss('kd', { temperature: 0 })).toThrow("invalid parameters for distillation loss 'kd': temperature: Too small: expected number to be >0");
    expect(() => createLoss('hinton-kd', { alpha: 1.5, temperature: -2 })).toThrow(/loss 'hinton-kd': temperature: .*>0.*; alpha: .*<=1/);
    expect(() => createLoss('kd', { temperature: '4' })).toThrow(/temperature: Invalid input: expected number, received string/);
    expect(() => createLoss('kd', { temprature: 4 })).toThrow(/loss 'kd': unknown parameter 'temprature' \(did you mean 'temperature'\?\)/);
    expect(() => createLoss('focal', { gamma: -1 })).toThrow(/loss 'focal': gamma/);
    expect(() => createLoss('ffsd-diversity', { quantile: 1 })).toThrow(/loss 'ffsd-diversity': quantile/);
    expect(() => createLoss('ce', { temperature: 2 })).toThrow(/unknown parameter 'temperature'/);
  });

  it('fills defaults (Hinton T = 4, α = 0.9; DML T = 1; SimCLR τ = 0.5; focal γ = 2, α = 0.25)', () => {
    expect(parseLossParams('hinton-kd', undefined)).toEqual({ temperature: 4, alpha: 0.9 });
    expect(parseLossParams('dml', {})).toEqual({ temperature: 1, weight: 1 });
    expect(parseLossParams('nt-xent', {})).toEqual({ temperature: 0.5 });
    expect(parseLossParams('focal', { gamma: 1 })).toEqual({ gamma: 1, alpha: 0.25 });
  });
});
