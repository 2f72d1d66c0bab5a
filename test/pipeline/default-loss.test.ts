// `--loss auto`: each model's own loss (the self-adversarial loss without a margin for DistMult and ComplEx, with
// γ = 3 for RotatE, γ = 3, α = 4 for TransE on unit entities (the default) and γ = 0, α = 8 on free ones, BCE for the others), BCE with double negatives (whose negatives are queries of their own), and
// the margins and temperature a user gives over the model's.
import { describe, expect, it } from 'vitest';
import { sampledLossOf } from '../../src/pipeline/run-settings.js';
import { trainOptionsSchema } from '../../src/pipeline/options.js';
import { TRANSE_UNIT_LOSS, recordedOptionsOf } from '../../src/registry/models.js';

const settings = (options: Record<string, unknown>) => trainOptionsSchema.parse({ dataset: 'WN18RR', ...options });

describe('sampledLossOf', () => {
  it("gives each model its own loss under --loss auto", () => {
    expect(sampledLossOf(settings({}), 'DistMult')).toEqual({ loss: 'nssa', margin: 0, adversarialTemperature: 1 });
    expect(sampledLossOf(settings({}), 'ComplEx')).toEqual({ loss: 'nssa', margin: 0, adversarialTemperature: 1 });
    expect(sampledLossOf(settings({}), 'RotatE')).toEqual({ loss: 'nssa', margin: 3, adversarialTemperature: 1 });
    expect(sampledLossOf(settings({}), 'TransE')).toEqual({ loss: 'nssa', margin: 3, adversarialTemperature: 4 });
    expect(sampledLossOf(settings({}), 'TransE')).toEqual(TRANSE_UNIT_LOSS);
    expect(sampledLossOf(settings({ entityConstraint: 'unit', margin: 2 }), 'TransE')).toEqual({ loss: 'nssa', margin: 2, adversarialTemperature: 4 });
    expect(sampledLossOf(settings({ entityConstraint: 'none' }), 'TransE')).toEqual({ loss: 'nssa', margin: 0, adversarialTemperature: 8 });
    expect(sampledLossOf(settings({ entityConstraint: 'none', advTemperature: 1 }), 'TransE')).toEqual({ loss: 'nssa', margin: 0, adversarialTemperature: 1 });
    expect(sampledLossOf(settings({}), 'RotH')).toEqual({ loss: 'bce', margin: 0, adversarialTemperature: 1 });
  });

  it("chooses a resumed run's loss from its checkpoint's model, not from the settings", () => {
    const saved = (options: Record<string, number | string | boolean>) => recordedOptionsOf({ model: 'TransE', dim: 8, numEntities: 5, numRelations: 2, options });
    // a TransE saved before entityConstraint was recorded is free: its loss stays γ = 0, α = 8 although the settings say nothing
    expect(sampledLossOf(settings({}), 'TransE', saved({ norm: 1 }))).toEqual({ loss: 'nssa', margin: 0, adversarialTemperature: 8 });
    expect(sampledLossOf(settings({}), 'TransE', saved({ norm: 1, entityConstraint: 'unit' }))).toEqual(TRANSE_UNIT_LOSS);
    expect(sampledLossOf(settings({ margin: 1 }), 'TransE', saved({}))).toEqual({ loss: 'nssa', margin: 1, adversarialTemperature: 8 });
  });

  it('falls back to BCE with double negatives, and keeps a loss the user names', () => {
    expect(sampledLossOf(settings({ doubleNeg: true }), 'DistMult').loss).toBe('bce');
    expect(sampledLossOf(settings({ doubleNeg: true }), 'RotatE').loss).toBe('bce');
    expect(sampledLossOf(settings({ doubleNeg: true, loss: 'nssa' }), 'DistMult').loss).toBe('nssa'); // refused later, by name
    expect(sampledLossOf(settings({ loss: 'bce' }), 'DistMult').loss).toBe('bce');
    expect(sampledLossOf(settings({ margin: 2, advTemperature: 0.5 }), 'DistMult')).toEqual({ loss: 'nssa', margin: 2, adversarialTemperature: 0.5 });
    // naming the model's own loss keeps its γ and α (it took PyKEEN's γ = 9, α = 1: RotatE's test MRR fell 5×)
    expect(sampledLossOf(settings({ loss: 'nssa' }), 'RotatE')).toEqual({ loss: 'nssa', margin: 3, adversarialTemperature: 1 });
    expect(sampledLossOf(settings({ loss: 'nssa' }), 'TransE')).toEqual(TRANSE_UNIT_LOSS);
    expect(sampledLossOf(settings({ loss: 'nssa' }), 'DistMult')).toEqual({ loss: 'nssa', margin: 0, adversarialTemperature: 1 });
    // another loss than the model's: PyKEEN's defaults
    expect(sampledLossOf(settings({ loss: 'nssa' }), 'RotH')).toEqual({ loss: 'nssa', margin: 9, adversarialTemperature: 1 });
    expect(sampledLossOf(settings({ loss: 'margin' }), 'RotatE')).toEqual({ loss: 'margin', margin: 1, adversarialTemperature: 1 });
  });
});
