// An unknown registry name (model, distillation method, distillation loss) suggests the name it is a typo of, by the
// rule of the flags' "did you mean" (an edit away, two from 8 letters), and still lists the known names.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { nearestName, Registry } from '../../src/core/registry.js';
import { MODELS } from '../../src/registry/models.js';
import { METHODS } from '../../src/general/method-registry.js';
import { LOSS_REGISTRY } from '../../src/general/losses/registry.js';

describe('Registry.get of an unknown name', () => {
  it('suggests the nearest registered name', () => {
    expect(() => MODELS.get('rothh')).toThrow(`unknown model 'rothh' (did you mean 'RotH'?); known models: ${MODELS.names().join(', ')}`);
    expect(() => METHODS.get('kdd')).toThrow(`unknown distillation method 'kdd' (did you mean 'kd'?); known methods: ${METHODS.names().join(', ')}`);
    const loss = LOSS_REGISTRY.names()[0]!;
    expect(() => LOSS_REGISTRY.get(`${loss}x`)).toThrow(`unknown distillation loss '${loss}x' (did you mean '${loss}'?)`);
  });

  it('suggests nothing for a name far from every entry, or too short to tell', () => {
    expect(() => MODELS.get('transformer')).toThrow(`unknown model 'transformer'; known models: ${MODELS.names().join(', ')}`);
    expect(nearestName('ab', ['abc'])).toBeUndefined();
    expect(nearestName('distmul', ['TransE', 'DistMult'])).toBe('DistMult');
    expect(nearestName('distmlt', ['DistMult'])).toBe('DistMult'); // one edit at 7 letters
    expect(nearestName('dstmlt', ['DistMult'])).toBeUndefined(); // two edits below 8 letters
    expect(nearestName('comlpexxx', ['ComplEx'])).toBeUndefined(); // three edits
    expect(nearestName('complexes', ['ComplEx'])).toBe('ComplEx'); // two edits at 9 letters
  });

  it('suggests in any registry, choosing the closest of several', () => {
    const entry = (name: string) => ({ name, summary: name, schema: z.object({}) });
    const registry = new Registry('thing', [entry('alpha'), entry('alphas'), entry('beta')]);
    expect(() => registry.get('alphass')).toThrow("unknown thing 'alphass' (did you mean 'alphas'?); known things: alpha, alphas, beta");
  });
});

describe('an unknown parameter of a registry entry', () => {
  it("is said in the project's words with the key it is a typo of, a nested key by its path, then the entry's parameters", () => {
    const schema = z.object({ temperature: z.number().default(4), augment: z.object({ noise: z.number().default(0.1) }).strict().default({ noise: 0.1 }) }).strict();
    const registry = new Registry('thing', [{ name: 'hot', summary: 'hot', schema }]);
    expect(() => registry.parse('hot', { tempreature: 2 })).toThrow(
      "invalid parameters for thing 'hot': unknown parameter 'tempreature' (did you mean 'temperature'?) (its parameters: temperature=4, augment={\"noise\":0.1})");
    expect(() => registry.parse('hot', { augment: { noize: 0 }, colour: 1 })).toThrow(
      "invalid parameters for thing 'hot': unknown parameter 'augment.noize'; unknown parameter 'colour' (its parameters:");
  });
});
