// Options a library user mistypes: each is an error naming the key (and the key meant), before anything is read.
import { describe, expect, it } from 'vitest';
import { train, openModel } from '../../src/index.js';

describe('mistyped options of the library API', () => {
  it("train: a kebab- or snake-case key (PyKEEN's batch_size) names the key it meant", async () => {
    await expect(train({ dataset: 'nowhere', model: 'DistMult', batch_size: 10 } as never)).rejects.toThrow("unknown key 'batch_size' (did you mean 'batchSize'?)");
    await expect(train({ dataset: 'nowhere', model: 'DistMult', 'batch-size': 10 } as never)).rejects.toThrow("unknown key 'batch-size' (did you mean 'batchSize'?)");
    await expect(train({ dataset: 'nowhere', model: 'DistMult', valid_every: 2 } as never)).rejects.toThrow("(did you mean 'validEvery'?)");
  });

  it('openModel: a misspelled key is an error (it opened the best checkpoint instead of the last), a bad backend names the choices', async () => {
    await expect(openModel('nowhere', { lats: true } as never)).rejects.toThrow(/openModel: unknown key 'lats'/);
    await expect(openModel('nowhere', { last: 'yes' } as never)).rejects.toThrow(/last must be true or false/);
    await expect(openModel('nowhere', { backend: 'gpu' } as never)).rejects.toThrow(/backend must be one of auto, /);
  });
});
