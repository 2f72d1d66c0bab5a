// The options of a run that has no config.json, as its checkpoint header records them (optionsFromHeader): the
// resumed run goes on with these, so a 1-N run, a sampled bce run and an nssa run each give their own loss keys.
import { describe, expect, it } from 'vitest';
import type { CheckpointHeader } from '../../src/core/checkpoint.js';
import { optionsFromHeader } from '../../src/pipeline/header-options.js';

/** A header with the fields optionsFromHeader reads; `training` as given. */
const header = (training: Record<string, unknown>): CheckpointHeader => ({
  dataset: { name: 'toy', dir: '/data/toy', unseen: 'keep' },
  model: { model: 'DistMult', dim: 8, numEntities: 10, numRelations: 2, options: { initScale: 0.001 } },
  training: { epochs: 5, batchSize: 64, learningRate: 0.1, optimizer: 'adagrad', seed: 3, ...training },
}) as unknown as CheckpointHeader;

const pick = (o: Record<string, unknown>, keys: string[]): Record<string, unknown> => Object.fromEntries(keys.filter((k) => k in o).map((k) => [k, o[k]]));
const KEYS = ['neg', 'oneToN', 'loss', 'margin', 'advTemperature'];

describe('optionsFromHeader', () => {
  it('a 1-N run: --neg at its default 50 (1-N records 0), oneToN, and its loss (bce, else auto: the softmax)', () => {
    expect(pick(optionsFromHeader(header({ negatives: 0, oneToNLoss: 'bce' }), undefined), KEYS)).toEqual({ neg: 50, oneToN: true, loss: 'bce' });
    expect(pick(optionsFromHeader(header({ negatives: 0 }), undefined), KEYS)).toEqual({ neg: 50, oneToN: true, loss: 'auto' });
  });

  it('a sampled run: its negatives and loss; a bce loss takes no margin, only nssa a temperature', () => {
    expect(pick(optionsFromHeader(header({ negatives: 16, loss: 'bce', margin: 9, adversarialTemperature: 1 }), undefined), KEYS))
      .toEqual({ neg: 16, oneToN: false, loss: 'bce' });
    expect(pick(optionsFromHeader(header({ negatives: 16, loss: 'margin', margin: 2, adversarialTemperature: 1 }), undefined), KEYS))
      .toEqual({ neg: 16, oneToN: false, loss: 'margin', margin: 2 });
    expect(pick(optionsFromHeader(header({ negatives: 16, loss: 'nssa', margin: 6, adversarialTemperature: 0.5 }), undefined), KEYS))
      .toEqual({ neg: 16, oneToN: false, loss: 'nssa', margin: 6, advTemperature: 0.5 });
  });

  it('the dataset is the recorded directory unless the one given names the same', () => {
    expect(optionsFromHeader(header({ negatives: 16 }), undefined).dataset).toBe('/data/toy');
    expect(optionsFromHeader(header({ negatives: 16 }), 'toy').dataset).toBe('toy');
    expect(optionsFromHeader(header({ negatives: 16 }), 'other').dataset).toBe('/data/toy');
    expect(pick(optionsFromHeader(header({ negatives: 16 }), undefined), ['model', 'dim', 'initScale', 'lr', 'unseen'])).toEqual({ model: 'DistMult', dim: 8, initScale: 0.001, lr: 0.1, unseen: 'keep' });
  });
});
